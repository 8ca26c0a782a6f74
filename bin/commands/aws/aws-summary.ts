import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { buildSummary, failureOf, type RunSummary } from '../../../functions/shared/run';
import { executionConsoleUrl, s3Uri } from './arns';
import { lastRunState } from './history-state';

/** The parts of DescribeExecution the summary reads. */
export type ExecutionDescription = Pick<
  DescribeExecutionOutput,
  'executionArn' | 'name' | 'status' | 'startDate' | 'stopDate' | 'error' | 'cause'
>;

export interface AwsSummaryInputs {
  execution: ExecutionDescription;
  history: readonly HistoryEvent[];
  streamName: string;
  /** Known from --artifact-bucket or the environment; else the dead letters' bucket if any. */
  artifactBucket?: string;
  /** Objects Firehose delivered since the execution started, when the destination bucket is known. */
  output?: { files: string[]; bytes: number };
  now: Date;
}

/** The same RunSummary a local run prints, from an execution's description and history; pure. */
export function summaryFromHistory(inputs: AwsSummaryInputs): RunSummary {
  const { execution } = inputs;
  const state = lastRunState(inputs.history);
  const executionArn = execution.executionArn ?? '';
  const bucket = inputs.artifactBucket ?? state?.deadLetter?.bucket;
  const uri = (key: string | undefined) => (key ? (bucket ? s3Uri({ bucket, key }) : key) : null);
  const status = execution.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
  const runId = execution.name ?? state?.runId ?? '';
  const started = execution.startDate?.getTime() ?? inputs.now.getTime();
  const stopped = execution.stopDate?.getTime() ?? inputs.now.getTime();
  return buildSummary({
    runId,
    status,
    ...(status === 'FAILED' ? { error: errorOf(execution) } : {}),
    state,
    streamName: inputs.streamName,
    outputFiles: inputs.output?.files ?? [],
    outputBytes: inputs.output?.bytes ?? 0,
    deadLetterFiles: state?.deadLetter ? [uri(state.deadLetter.recordsKey) ?? ''] : [],
    deadLetterManifest: uri(state?.deadLetter?.manifestKey),
    rejectsFile: uri(state?.plan.rejectsKey),
    // No folder on this machine: the run's artefacts in S3, or the console page when the bucket is unknown.
    runDir: bucket ? s3Uri({ bucket, key: `runs/${runId}/` }) : executionConsoleUrl(executionArn),
    durationMs: Math.max(0, stopped - started),
  });
}

function errorOf(execution: ExecutionDescription): { name: string; message: string } {
  if (execution.error || execution.cause) return failureOf(execution.error, execution.cause);
  const endings: Record<string, string> = {
    RUNNING: 'the execution has not finished',
    TIMED_OUT: 'the execution timed out',
    ABORTED: 'the execution was aborted',
  };
  const message =
    endings[execution.status ?? ''] ?? `the execution ended ${execution.status ?? 'without a status'}`;
  return { name: execution.status ?? 'FAILED', message };
}
