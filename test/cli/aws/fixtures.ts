import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { AwsDeps } from '../../../bin/commands/aws/deps';
import {
  type DeadLetterSummary,
  emptyTotals,
  type MetricsReport,
  type RunState,
} from '../../../functions/shared/run-state';

export const REGION = 'eu-west-1';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:123456789012:stateMachine:firehose-loader`;
export const RUN_ID = 'run-20250301-120000-abcd';
export const EXECUTION_ARN = `arn:aws:states:${REGION}:123456789012:execution:firehose-loader:${RUN_ID}`;
export const MAP_RUN_ARNS = [0, 1].map(
  (round) => `arn:aws:states:${REGION}:123456789012:mapRun:firehose-loader/LoadChunks:round-${round}`,
);
export const ARTIFACT_BUCKET = 'loader-artifacts-xyz';
export const STARTED = new Date('2025-03-01T12:00:00Z');

/** A run state shaped like the functions' output for the 2,550-record sample. */
export function runState(round: Partial<RunState['round']> = {}, extra: Partial<RunState> = {}): RunState {
  return {
    runId: RUN_ID,
    startedAt: STARTED.toISOString(),
    settings: {
      source: { bucket: 'loader-source-xyz', key: 'samples/sample_records.json' },
      format: 'json',
      individualRecords: 100,
      pack: false,
      maxConcurrency: 40,
      requeueRounds: 3,
      maxBatchRecords: 500,
      maxBatchBytes: 4_194_304,
    },
    plan: {
      sourceBytes: 800_000,
      etag: '"abc"',
      records: 2550,
      rejected: 0,
      chunks: 6,
      batchChunks: 5,
      individualChunks: 1,
      firehoseRecords: 2550,
      payloadBytes: 746_482,
      billedBytes: 13_056_000,
      billedBytesUnpacked: 13_056_000,
      billedBytesPacked: 1_233_920,
      minimumBatchCalls: 5,
      manifestKey: `runs/${RUN_ID}/round-00/manifest.jsonl`,
      rejectsKey: `runs/${RUN_ID}/rejects.jsonl`,
    },
    round: {
      number: 0,
      manifestKey: `runs/${RUN_ID}/round-00/manifest.jsonl`,
      chunks: 6,
      records: 2550,
      next: 'done',
      waitSeconds: 0,
      ...round,
    },
    totals: emptyTotals(),
    ...extra,
  };
}

const totals = (delivered: number, requeued: number, deadLettered = 0): RunState['totals'] => ({
  delivered,
  deadLettered,
  requeued,
  failedChunks: 0,
  acceptedFirehoseRecords: delivered,
  acceptedBytes: delivered * 292,
  putRecordCalls: 100,
  putRecordBatchCalls: 6,
  attempts: 7,
  throttledEntries: requeued,
  refusedRequests: 0,
  failedPutCount: requeued,
  bytesSent: delivered * 292,
  possibleDuplicateRecords: 0,
});

/** Builds a history with ids, previous ids and one second between events, as GetExecutionHistory returns it. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];

  add(event: Omit<HistoryEvent, 'id' | 'timestamp' | 'previousEventId'>): this {
    const id = this.events.length + 1;
    this.events.push({
      ...event,
      id,
      previousEventId: id - 1,
      timestamp: new Date(STARTED.getTime() + id * 1000),
    } as HistoryEvent);
    return this;
  }

  entered(type: string, name: string): this {
    return this.add({
      type: `${type}StateEntered`,
      stateEnteredEventDetails: { name, input: '{}' },
    } as HistoryEvent);
  }

  exited(type: string, name: string, output: unknown = {}): this {
    return this.add({
      type: `${type}StateExited`,
      stateExitedEventDetails: { name, output: JSON.stringify(output) },
    } as HistoryEvent);
  }

  /** A Lambda task through the optimised integration: scheduled, started, then each failure retried. */
  lambdaTask(name: string, output: unknown, failures: string[] = []): this {
    this.entered('Task', name);
    for (const error of failures) {
      this.attempt().add({
        type: 'TaskFailed',
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error,
          cause: `{"errorType":"${error}","errorMessage":"not yet"}`,
        },
      } as HistoryEvent);
    }
    return this.attempt()
      .add({
        type: 'TaskSucceeded',
        taskSucceededEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          output: JSON.stringify({ StatusCode: 200, Payload: output }),
        },
      } as HistoryEvent)
      .exited('Task', name, output);
  }

  attempt(): this {
    return this.add({
      type: 'TaskScheduled',
      taskScheduledEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        region: REGION,
        parameters: '{}',
      },
    } as HistoryEvent).add({
      type: 'TaskStarted',
      taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' },
    } as HistoryEvent);
  }

  distributedMap(mapRunArn: string, output: unknown): this {
    return this.entered('Map', 'LoadChunks')
      .add({ type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn } } as HistoryEvent)
      .add({ type: 'MapRunSucceeded' } as HistoryEvent)
      .exited('Map', 'LoadChunks', output);
  }

  passThrough(type: string, name: string, output: unknown = {}): this {
    return this.entered(type, name).exited(type, name, output);
  }
}

export const started = () =>
  new HistoryBuilder().add({
    type: 'ExecutionStarted',
    executionStartedEventDetails: { input: '{}', roleArn: 'arn:aws:iam::123456789012:role/r' },
  } as HistoryEvent);

export const metricsConfirmed: MetricsReport = {
  verdict: 'confirmed',
  incomingRecords: 2550,
  incomingBytes: 744_600,
  expectedRecords: 2550,
  expectedBytes: 744_600,
};

/**
 * The sample run that re-queued 50 throttled entries into a second round, then waited once for
 * CloudWatch (MetricsLaggingError, retried) and succeeded.
 */
export function succeededHistory(): HistoryEvent[] {
  const planned = runState();
  const round0 = runState(
    {
      number: 1,
      chunks: 1,
      records: 50,
      next: 'requeue',
      waitSeconds: 2,
      manifestKey: `runs/${RUN_ID}/round-01/manifest.jsonl`,
    },
    { totals: totals(2500, 50) },
  );
  const round1 = runState(
    {
      number: 1,
      chunks: 1,
      records: 50,
      next: 'done',
      manifestKey: `runs/${RUN_ID}/round-01/manifest.jsonl`,
    },
    { totals: totals(2550, 50) },
  );
  const checked = { ...round1, metrics: metricsConfirmed };
  return started()
    .lambdaTask('Plan', planned)
    .distributedMap(MAP_RUN_ARNS[0] ?? '', { ...planned, mapRun: {} })
    .lambdaTask('AdvanceRound', round0)
    .passThrough('Choice', 'MoreRounds', round0)
    .passThrough('Wait', 'WaitBeforeRequeue', round0)
    .distributedMap(MAP_RUN_ARNS[1] ?? '', { ...round0, mapRun: {} })
    .lambdaTask('AdvanceRound', round1)
    .passThrough('Choice', 'MoreRounds', round1)
    .lambdaTask('CheckMetrics', checked, ['MetricsLaggingError'])
    .passThrough('Choice', 'AllRecordsAccountedFor', checked)
    .passThrough('Succeed', 'Loaded', checked)
    .add({
      type: 'ExecutionSucceeded',
      executionSucceededEventDetails: { output: JSON.stringify(checked) },
    } as HistoryEvent).events;
}

export const DEAD_LETTER: DeadLetterSummary = {
  records: 7,
  bucket: ARTIFACT_BUCKET,
  recordsKey: `runs/${RUN_ID}/dead-letter/records.jsonl`,
  manifestKey: `runs/${RUN_ID}/dead-letter/manifest.jsonl`,
  message:
    `7 records could not be delivered after every re-queue round; they are in s3://${ARTIFACT_BUCKET}/runs/${RUN_ID}/dead-letter/records.jsonl ` +
    `(descriptors: s3://${ARTIFACT_BUCKET}/runs/${RUN_ID}/dead-letter/manifest.jsonl). Rerun them with a new execution whose input is ` +
    `{"source":{"bucket":"${ARTIFACT_BUCKET}","key":"runs/${RUN_ID}/dead-letter/records.jsonl"},"format":"lines","individualRecords":0} ` +
    `(locally: firehose-loader rerun-failed ${RUN_ID})`,
};

/** One round, 7 records dead-lettered, CloudWatch never caught up (caught), then RecordsDeadLettered. */
export function deadLetteredHistory(deadLetter: DeadLetterSummary = DEAD_LETTER): HistoryEvent[] {
  const planned = runState();
  const done = runState(
    {},
    {
      totals: totals(2543, 7, 7),
      deadLetter,
      settings: { ...planned.settings, requeueRounds: 0 },
    },
  );
  const lagging = { ...done, metrics: { verdict: 'lagging' } };
  const builder = started()
    .lambdaTask('Plan', planned)
    .distributedMap(MAP_RUN_ARNS[0] ?? '', planned)
    .lambdaTask('AdvanceRound', done)
    .passThrough('Choice', 'MoreRounds', done)
    .entered('Task', 'CheckMetrics');
  for (let i = 0; i < 2; i++)
    builder.attempt().add({
      type: 'TaskFailed',
      taskFailedEventDetails: { error: 'MetricsLaggingError', cause: '{}' },
    } as HistoryEvent);
  return builder
    .exited('Task', 'CheckMetrics', done)
    .passThrough('Pass', 'MetricsStillLagging', lagging)
    .passThrough('Choice', 'AllRecordsAccountedFor', lagging)
    .entered('Fail', 'RecordsDeadLettered')
    .add({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'RecordsDeadLettered', cause: deadLetter.message },
    } as HistoryEvent).events;
}

export const REFUSAL_CAUSE = JSON.stringify({
  errorType: 'InvalidInputError',
  errorMessage: 'input field "format" must be one of auto, json, jsonl, lines, got "csv"',
  trace: ['InvalidInputError: input field "format"…', '    at validate (/var/task/index.js:1:1)'],
});

/** Plan refused the input: caught, described, InputRefused. */
export function refusedHistory(): HistoryEvent[] {
  return started()
    .entered('Task', 'Plan')
    .attempt()
    .add({
      type: 'TaskFailed',
      taskFailedEventDetails: { error: 'InvalidInputError', cause: REFUSAL_CAUSE },
    } as HistoryEvent)
    .exited('Task', 'Plan', { format: 'csv', error: { Error: 'InvalidInputError', Cause: REFUSAL_CAUSE } })
    .passThrough('Pass', 'DescribeRefusal')
    .entered('Fail', 'InputRefused')
    .add({
      type: 'ExecutionFailed',
      executionFailedEventDetails: {
        error: 'InvalidInputError',
        cause: 'input field "format" must be one of auto, json, jsonl, lines, got "csv"',
      },
    } as HistoryEvent).events;
}

export interface CapturedDeps extends AwsDeps {
  out: string[];
  err: string[];
}

/** Deps with a fixed clock, no waiting, captured output and clients whose calls aws-sdk-client-mock answers. */
export function testDeps(env: NodeJS.ProcessEnv = {}): CapturedDeps {
  const out: string[] = [];
  const err: string[] = [];
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  return {
    out,
    err,
    sfn: (region) => new SFNClient({ region: region ?? REGION, credentials }),
    s3: (region) => new S3Client({ region: region ?? REGION, credentials }),
    cloudFormation: () => new CloudFormationClient({ region: REGION, credentials }),
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    interactive: false,
    now: () => STARTED,
    sleep: async () => undefined,
    env,
  };
}
