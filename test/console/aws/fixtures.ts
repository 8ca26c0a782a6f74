import type {
  DescribeExecutionOutput,
  DescribeMapRunOutput,
  ListExecutionsOutput,
  ListMapRunsOutput,
} from '@aws-sdk/client-sfn';
import {
  EXECUTION_ARN,
  MAP_RUN_ARNS,
  REGION,
  RUN_ID,
  STARTED,
  STATE_MACHINE_ARN,
} from '../../cli/aws/fixtures';

export { EXECUTION_ARN, MAP_RUN_ARNS, REGION, RUN_ID, STATE_MACHINE_ARN };

/**
 * Responses shaped as the Step Functions API reference's response syntax gives them (the SDK turns the
 * epoch-second timestamps into Dates):
 * - ListExecutions: https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
 *   and ExecutionListItem: https://docs.aws.amazon.com/step-functions/latest/apireference/API_ExecutionListItem.html
 *   (status RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED | PENDING_REDRIVE; itemCount and
 *   mapRunArn only when listing a Map Run's executions)
 * - DescribeExecution: https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 * - ListMapRuns: https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListMapRuns.html
 *   and MapRunListItem: https://docs.aws.amazon.com/step-functions/latest/apireference/API_MapRunListItem.html
 * - DescribeMapRun: https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html
 *   (itemCounts and executionCounts with aborted, failed, failuresNotRedrivable, pending,
 *   pendingRedrive, resultsWritten, running, succeeded, timedOut, total)
 */

const at = (seconds: number) => new Date(STARTED.getTime() + seconds * 1000);
const execution = (name: string) => `arn:aws:states:${REGION}:123456789012:execution:firehose-loader:${name}`;

export const listExecutionsPage1: ListExecutionsOutput = {
  executions: [
    {
      executionArn: execution('run-20250301-130000-efgh'),
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'run-20250301-130000-efgh',
      status: 'RUNNING',
      startDate: at(3600),
    },
    {
      executionArn: EXECUTION_ARN,
      stateMachineArn: STATE_MACHINE_ARN,
      name: RUN_ID,
      status: 'SUCCEEDED',
      startDate: STARTED,
      stopDate: at(95),
      redriveCount: 0,
    },
  ],
  nextToken: 'AAAAKgAAAAIAAAAAAAAAAQ==',
};

export const describeSucceeded: DescribeExecutionOutput = {
  executionArn: EXECUTION_ARN,
  stateMachineArn: STATE_MACHINE_ARN,
  name: RUN_ID,
  status: 'SUCCEEDED',
  startDate: STARTED,
  stopDate: at(95),
  input: '{}',
  inputDetails: { included: true },
  output: '{}',
  outputDetails: { included: true },
  redriveCount: 0,
  redriveStatus: 'NOT_REDRIVABLE',
  redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
};

export const listMapRunsOf = (arns: readonly string[]): ListMapRunsOutput => ({
  mapRuns: arns.map((mapRunArn, i) => ({
    executionArn: EXECUTION_ARN,
    mapRunArn,
    stateMachineArn: `${STATE_MACHINE_ARN}/LoadChunks`,
    startDate: at(10 + i * 30),
    stopDate: at(20 + i * 30),
  })),
});

const counts = (succeeded: number, failed: number) => ({
  aborted: 0,
  failed,
  failuresNotRedrivable: 0,
  pending: 0,
  pendingRedrive: 0,
  resultsWritten: succeeded + failed,
  running: 0,
  succeeded,
  timedOut: 0,
  total: succeeded + failed,
});

export const describeMapRun = (
  mapRunArn: string,
  succeeded: number,
  failed: number,
): DescribeMapRunOutput => ({
  mapRunArn,
  executionArn: EXECUTION_ARN,
  status: failed ? 'FAILED' : 'SUCCEEDED',
  startDate: at(10),
  stopDate: at(20),
  maxConcurrency: 40,
  toleratedFailurePercentage: 100,
  toleratedFailureCount: 0,
  itemCounts: counts(succeeded, failed),
  executionCounts: counts(succeeded, failed),
  redriveCount: 0,
});
