import { DescribeExecutionCommand, type DescribeExecutionOutput, type SFNClient } from '@aws-sdk/client-sfn';
import type { AwsDeps } from './deps';
import { describeMapRunCounts, getExecutionHistory, listMapRuns } from './history';
import { lastStepState } from './history-state';
import { type ProgressSnapshot, progressLine } from './progress';

/** Statuses after which nothing more will happen without someone redriving. */
export const isRunning = (status: string | undefined) => status === 'RUNNING' || status === 'PENDING_REDRIVE';

export async function snapshotOf(sfn: SFNClient, executionArn: string): Promise<ProgressSnapshot> {
  const [history, mapRuns] = await Promise.all([
    getExecutionHistory(sfn, executionArn),
    listMapRuns(sfn, executionArn),
  ]);
  const latest = mapRuns[mapRuns.length - 1]?.mapRunArn;
  const last = lastStepState(history);
  return {
    ...(last ? { last } : {}),
    mapRuns: mapRuns.length,
    ...(latest ? { latestMapRun: await describeMapRunCounts(sfn, latest) } : {}),
  };
}

/**
 * Polls until the execution ends, writing progress to stderr: a line per change, or one line redrawn
 * on a terminal. Returns the final description.
 */
export async function followExecution(
  sfn: SFNClient,
  executionArn: string,
  deps: Pick<AwsDeps, 'stderr' | 'interactive' | 'sleep'>,
  intervalMs: number,
): Promise<DescribeExecutionOutput> {
  let shown = '';
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (!isRunning(execution.status)) {
      if (deps.interactive && shown) deps.stderr('\n');
      deps.stderr(`execution ${execution.status ?? 'ended'}\n`);
      return execution;
    }
    const line = progressLine(await snapshotOf(sfn, executionArn));
    if (line !== shown) {
      deps.stderr(deps.interactive ? `\r\u001b[K${line}` : `${line}\n`);
      shown = line;
    }
    await deps.sleep(intervalMs);
  }
}
