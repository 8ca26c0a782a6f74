import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { RunningConsole } from '../../../local/console/server/server';
import { succeededHistory } from '../../cli/aws/fixtures';
import { definition, startAwsConsole } from '../aws/aws-console';
import {
  describeMapRun,
  describeSucceeded,
  EXECUTION_ARN,
  listExecutionsPage1,
  listMapRunsOf,
  MAP_RUN_ARNS,
  RUN_ID,
} from '../aws/fixtures';
import { rawRequest } from './console-server';

const sfn = mockClient(SFNClient);
let console_: RunningConsole;

beforeAll(async () => {
  console_ = await startAwsConsole(() => new Date('2025-03-01T13:00:00Z'));
});
afterAll(() => console_.close());

beforeEach(() => {
  sfn.reset();
  sfn.on(ListExecutionsCommand).resolves(listExecutionsPage1);
  sfn.on(DescribeExecutionCommand).resolves(describeSucceeded);
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: succeededHistory() });
  sfn.on(ListMapRunsCommand).resolves(listMapRunsOf(MAP_RUN_ARNS));
  sfn
    .on(DescribeMapRunCommand, { mapRunArn: MAP_RUN_ARNS[0] })
    .resolves(describeMapRun(MAP_RUN_ARNS[0] ?? '', 6, 0));
  sfn
    .on(DescribeMapRunCommand, { mapRunArn: MAP_RUN_ARNS[1] })
    .resolves(describeMapRun(MAP_RUN_ARNS[1] ?? '', 0, 1));
});

const host = () => `127.0.0.1:${console_.port}`;
const get = (path: string) => rawRequest(console_.port, { path, headers: { host: host() } });
const onlyReads = () =>
  sfn.calls().every((call) => /^(Describe|List|Get)/.test(call.args[0].constructor.name));

describe('console --aws shows executions of the deployed state machine, read-only', () => {
  test('the runs list has the executions, newest first, with their summaries and AWS console links', async () => {
    const answer = await get('/api/runs');
    expect(answer.status).toBe(200);
    const rows = JSON.parse(answer.body);
    expect(rows.map((row: { runId: string; status: string }) => [row.runId, row.status])).toEqual([
      ['run-20250301-130000-efgh', 'RUNNING'],
      [RUN_ID, 'SUCCEEDED'],
    ]);
    expect(rows[1]).toMatchObject({
      records: { input: 2550, delivered: 2550, deadLettered: 0 },
      durationMs: 95_000,
      canRerun: false,
      canResume: false,
      aws: { executionArn: EXECUTION_ARN, consoleUrl: expect.stringContaining('console.aws.amazon.com') },
    });
    expect(onlyReads()).toBe(true);
  });

  test('a run page has the summary, the states coloured from the history and links to each Map Run', async () => {
    const answer = await get(`/api/runs/${RUN_ID}`);
    expect(answer.status).toBe(200);
    const run = JSON.parse(answer.body);
    expect(run).toMatchObject({
      runId: RUN_ID,
      status: 'SUCCEEDED',
      records: { input: 2550, delivered: 2550 },
    });
    expect(run.facts.summary.records.delivered).toBe(2550);
    expect(run.facts.stats.LoadChunks.entered).toBeGreaterThan(0);
    expect(run.facts.progress).toMatchObject({ phase: 'done', round: 1, roundChunks: 1, chunksFailed: 1 });
    expect(run.aws.mapRuns.map((mapRun: { consoleUrl: string }) => mapRun.consoleUrl)).toEqual(
      MAP_RUN_ARNS.map((arn) => expect.stringContaining(`#/v2/map-run/details/${arn}`)),
    );
    const graph = JSON.parse((await get(`/api/runs/${RUN_ID}/definition`)).body);
    expect(graph.nodes.map((node: { name: string }) => node.name)).toContain('LoadChunks');
    const page = await get('/');
    expect(page.body).toContain('<meta name="console-mode" content="aws">');
    expect(page.body).not.toContain('#/new');
    expect(onlyReads()).toBe(true);
  });

  test('an execution that does not exist is a 404 with the CLI’s line, not a stack', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' }));
    const answer = await get('/api/runs/run-20250101-000000-none');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error).toMatch(/does not exist: check the ARN/);
    expect((await get('/api/runs/a%3Ab')).status).toBe(400);
  });

  test('a POST is refused, with the session token too, and calls nothing on AWS', async () => {
    for (const path of ['/api/runs', `/api/runs/${RUN_ID}/rerun-failed`, `/api/runs/${RUN_ID}/resume`]) {
      const answer = await rawRequest(console_.port, {
        method: 'POST',
        path,
        headers: {
          host: host(),
          origin: `http://${host()}`,
          'content-type': 'application/json',
          'x-console-token': console_.token,
        },
        body: '{"records":"10"}',
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 405 });
      expect(answer.body).toContain('read-only');
    }
    const withoutToken = await rawRequest(console_.port, {
      method: 'POST',
      path: '/api/runs',
      headers: { host: host() },
    });
    expect(withoutToken.status).toBe(403);
    expect(sfn.calls()).toHaveLength(0);
  });
});
