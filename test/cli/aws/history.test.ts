import {
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describeMapRunCounts, getExecutionHistory, listMapRuns } from '../../../bin/commands/aws/history';
import { EXECUTION_ARN, MAP_RUN_ARNS, REGION, succeededHistory } from './fixtures';

const sfn = mockClient(SFNClient);
const client = () =>
  new SFNClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

beforeEach(() => sfn.reset());

describe('reading an execution from Step Functions', () => {
  it('follows nextToken through every page of the history, 1,000 events a page, and keeps them in order', async () => {
    const events = succeededHistory();
    const half = Math.floor(events.length / 2);
    // Each input is copied when it is sent: the SDK's paginator reuses one input object for every page.
    const calls: object[] = [];
    sfn.on(GetExecutionHistoryCommand).callsFake((input) => {
      calls.push({ ...input });
      if (input.executionArn !== EXECUTION_ARN) return {};
      return input.nextToken === 'page-2'
        ? { events: events.slice(half) }
        : { events: events.slice(0, half), nextToken: 'page-2' };
    });
    expect(await getExecutionHistory(client(), EXECUTION_ARN)).toEqual(events);
    expect(calls).toEqual([
      { executionArn: EXECUTION_ARN, maxResults: 1000, includeExecutionData: true },
      { executionArn: EXECUTION_ARN, maxResults: 1000, includeExecutionData: true, nextToken: 'page-2' },
    ]);
  });

  it('lists Map Runs over pages, oldest first', async () => {
    const run = (arn: string | undefined, minute: number) => ({
      executionArn: EXECUTION_ARN,
      mapRunArn: arn,
      stateMachineArn: 's',
      startDate: new Date(Date.UTC(2025, 2, 1, 12, minute)),
    });
    sfn
      .on(ListMapRunsCommand, { executionArn: EXECUTION_ARN })
      .resolves({ mapRuns: [run(MAP_RUN_ARNS[1], 5)], nextToken: 't' })
      .on(ListMapRunsCommand, { executionArn: EXECUTION_ARN, nextToken: 't' })
      .resolves({ mapRuns: [run(MAP_RUN_ARNS[0], 1)] });
    expect((await listMapRuns(client(), EXECUTION_ARN)).map((r) => r.mapRunArn)).toEqual(MAP_RUN_ARNS);
  });

  it('counts timed-out and aborted children as failed and pending ones as running', async () => {
    sfn.on(DescribeMapRunCommand).resolves({
      itemCounts: {
        succeeded: 10,
        failed: 1,
        timedOut: 2,
        aborted: 3,
        running: 4,
        pending: 5,
        total: 25,
        resultsWritten: 16,
      },
    });
    expect(await describeMapRunCounts(client(), MAP_RUN_ARNS[0] ?? '')).toEqual({
      succeeded: 10,
      failed: 6,
      running: 9,
      total: 25,
    });
  });
});
