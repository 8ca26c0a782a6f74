import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
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
import {
  listAwsRuns,
  readAwsChunkDetail,
  readAwsMapRun,
  readAwsRun,
} from '../../../local/console/aws/aws-runs';
import { ARTIFACT_BUCKET, succeededHistory } from '../../cli/aws/fixtures';
import { folderStore, RUN_A } from '../data/fixture-store';
import {
  describeMapRun,
  describeSucceeded,
  EXECUTION_ARN,
  listExecutionsPage1,
  listMapRunsOf,
  MAP_RUN_ARNS,
  REGION,
  STATE_MACHINE_ARN,
} from './fixtures';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const deps = {
  sfn: new SFNClient({ region: REGION }),
  s3: new S3Client({ region: REGION }),
  now: () => new Date('2025-03-01T13:00:00Z'),
};
const target = {
  stateMachineArn: STATE_MACHINE_ARN,
  artifactBucket: ARTIFACT_BUCKET,
  streamName: 'firehose-loader',
};
const definition = readFileSync(join(__dirname, '../../../statemachine/loader.asl.json'), 'utf8');

beforeEach(() => {
  sfn.reset();
  s3.reset();
});

describe('the AWS run list', () => {
  it('lists the state machine’s executions newest first with their console links, page by page', async () => {
    sfn.on(ListExecutionsCommand).resolves(listExecutionsPage1);
    const page = await listAwsRuns(deps.sfn, target, { maxResults: 2 });
    expect(page.nextToken).toBe(listExecutionsPage1.nextToken);
    expect(page.runs[1]).toEqual({
      runId: 'run-20250301-120000-abcd',
      executionArn: EXECUTION_ARN,
      status: 'SUCCEEDED',
      startDate: '2025-03-01T12:00:00.000Z',
      stopDate: '2025-03-01T12:01:35.000Z',
      durationMs: 95_000,
      redriveCount: 0,
      consoleUrl: `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${EXECUTION_ARN}`,
    });
    expect(page.runs[0]).toMatchObject({ status: 'RUNNING', stopDate: null, durationMs: null });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE_ARN,
      maxResults: 2,
    });
  });

  it('says which setting is missing without a state machine', async () => {
    await expect(listAwsRuns(deps.sfn, {})).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('--state-machine-arn'),
    });
  });
});

describe('the AWS run page', () => {
  it('has the summary, the events for the graph with the Map Run children, and links to each Map Run', async () => {
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
    const page = await readAwsRun(deps, target, EXECUTION_ARN);
    expect(page).toMatchObject({ runId: 'run-20250301-120000-abcd', status: 'SUCCEEDED' });
    expect(page.summary.records).toMatchObject({ input: 2550, delivered: 2550 });
    const children = page.events.filter((event) => event.type === 'MapIterationStarted');
    expect(children).toHaveLength(7);
    expect(page.events.filter((event) => event.type === 'MapIterationFailed')).toHaveLength(1);
    expect(page.mapRuns.map((run) => [run.counts, run.resultManifestKey])).toEqual([
      [{ succeeded: 6, failed: 0, running: 0, total: 6 }, 'map-results/round-0/manifest.json'],
      [{ succeeded: 0, failed: 1, running: 0, total: 1 }, 'map-results/round-1/manifest.json'],
    ]);
    expect(page.mapRuns[0]?.consoleUrl).toContain(`#/v2/map-run/details/${MAP_RUN_ARNS[0]}`);
    // Read-only: only Describe/List/Get calls were made.
    const names = sfn.calls().map((call) => call.args[0].constructor.name);
    expect(names.every((name) => /^(Describe|List|Get)/.test(name))).toBe(true);
  });
});

describe('the AWS Map Run grid and chunk detail', () => {
  // The artefacts of the local fixture run, served as the artifact bucket: same layout on AWS.
  const store = folderStore(join(RUN_A.dir, 'artifacts'));
  const executionArn = `arn:aws:states:${REGION}:123456789012:execution:firehose-loader:${RUN_A.runId}`;
  const mapRunArn = `arn:aws:states:${REGION}:123456789012:mapRun:firehose-loader/LoadChunks:${RUN_A.runId}-1`;
  const body = (text: string) =>
    Object.assign(Readable.from([Buffer.from(text)]), { transformToString: async () => text }) as never;
  const missing = () =>
    Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });

  beforeEach(() => {
    sfn.on(DescribeExecutionCommand).resolves({ ...describeSucceeded, executionArn, name: RUN_A.runId });
    sfn.on(ListMapRunsCommand).resolves({
      mapRuns: [{ executionArn, mapRunArn, stateMachineArn: STATE_MACHINE_ARN, startDate: new Date() }],
    });
    s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
      const text = input.Bucket === ARTIFACT_BUCKET ? await store.getText(input.Key) : undefined;
      if (text === undefined) throw missing();
      return { Body: body(text), ContentLength: Buffer.byteLength(text) };
    });
    s3.on(HeadObjectCommand).callsFake(async (input: { Key: string }) => {
      if (!(await store.has(input.Key))) throw Object.assign(missing(), { name: 'NotFound' });
      return {};
    });
    s3.on(ListObjectsV2Command).callsFake(async (input: { Prefix: string }) => {
      const keys: string[] = [];
      for await (const key of store.listKeys(input.Prefix)) keys.push(key);
      return { Contents: keys.map((Key) => ({ Key })) };
    });
  });

  it('reads every chunk from the artifact bucket and the Map Run’s result files, timed by the children', async () => {
    const view = await readAwsMapRun(deps, target, executionArn);
    expect(view.chunks.map((chunk) => chunk.status)).toEqual([
      'requeued',
      'delivered',
      'failed',
      'deadLettered',
      'deadLettered',
    ]);
    expect(view.chunks[0]).toMatchObject({ delivered: 91, startedAt: '2026-11-30T20:37:32.208Z' });
    const keys = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys).toContain(`map-results/${RUN_A.runId}-1/manifest.json`);
  });

  it('gives a chunk’s detail without log lines (they are in CloudWatch Logs)', async () => {
    const detail = await readAwsChunkDetail(deps, target, executionArn, 0, 1);
    expect(detail).toMatchObject({
      chunkId: 'r0-c000001',
      status: 'delivered',
      log: null,
      bucket: ARTIFACT_BUCKET,
    });
  });

  it('refuses without the artifact bucket, and for something that is not an execution ARN', async () => {
    await expect(
      readAwsMapRun(deps, { stateMachineArn: STATE_MACHINE_ARN }, executionArn),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('--artifact-bucket'),
    });
    await expect(readAwsMapRun(deps, target, '../run')).rejects.toMatchObject({ status: 400 });
  });
});
