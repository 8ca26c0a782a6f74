import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { type LocalServices, startLocalServices } from '@firehose-loader/local-services';
import type { RunSummary } from '../../../functions/shared/run';
import { readLocalChunkDetail } from '../../../local/console/data/chunk-detail';
import { localArtifactStore, readLocalMapRun } from '../../../local/console/data/map-run';
import { readLocalMetrics } from '../../../local/console/data/metrics';
import { readRecordsPage } from '../../../local/console/data/records';
import { LOCAL_RESOURCE_NAMES } from '../../../local/runner/local-resources';
import { runLocalJob } from '../../../local/runner/run-job';

/**
 * Integration tier: a real local run (every entry refused, no re-queue round, one bad line), then the
 * console's readers over the local services on the run's data folder, through the SDK.
 */
let dataDir: string;
let services: LocalServices;
let summary: RunSummary;
let source: { dataDir: string; s3: S3Client };
let cloudWatch: CloudWatchClient;
const config = () => ({
  endpoint: services.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'console-local-run-'));
  const input = join(dataDir, 'input.jsonl');
  const good = Array.from({ length: 30 }, (_, i) => JSON.stringify({ n: i, path: `/p/${i}` }));
  await writeFile(input, `${good.slice(0, 12).join('\n')}\n{"broken": \n${good.slice(12).join('\n')}\n`);
  summary = await runLocalJob({
    dataDir,
    inputFile: input,
    individualRecords: 5,
    requeueRounds: 0,
    faults: { entryFailureRate: 1, seed: 2 },
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 100 },
    fastTimers: true,
    inProcessServices: true,
    progress: { write: () => undefined, interactive: false },
  });
  // The runner keeps local services' files under services/ (run-session.ts).
  services = await startLocalServices({ dataDir: join(dataDir, 'services'), port: 0 });
  source = { dataDir, s3: new S3Client({ ...config(), forcePathStyle: true }) };
  cloudWatch = new CloudWatchClient(config());
});

afterAll(async () => {
  source?.s3.destroy();
  cloudWatch?.destroy();
  await services?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the console readers on a real local run', () => {
  it('show every chunk dead-lettered, with the attempts and failed entries the run counted', async () => {
    expect(summary.records).toMatchObject({ input: 31, rejected: 1, deadLettered: 30 });
    const view = await readLocalMapRun(source, summary.runId);
    expect(view.rounds).toHaveLength(1);
    expect(view.chunks.length).toBe(summary.plan.chunks);
    expect(view.chunks.every((chunk) => chunk.status === 'deadLettered')).toBe(true);
    const sum = (field: 'records' | 'failedEntries') =>
      view.chunks.reduce((total, chunk) => total + (chunk[field] ?? 0), 0);
    expect(sum('records')).toBe(30);
    expect(sum('failedEntries')).toBe(summary.firehose.failedPutCount);
    expect(view.chunks.every((chunk) => chunk.startedAt !== null)).toBe(true);
    // Without a client: through the services that hold the data folder now (its lock names them).
    expect(await readLocalMapRun({ dataDir }, summary.runId)).toEqual(view);
  });

  it("give a chunk's claim, handed on at the round's end, and its log lines", async () => {
    const detail = await readLocalChunkDetail(source, summary.runId, 0, 0);
    // Firehose accepted nothing of it, so PutBatch failed the chunk instead of writing an outcome.
    expect(detail).toMatchObject({ status: 'deadLettered', outcome: null, deadLettered: true });
    expect(detail.claim?.requeuedAt).toEqual(expect.any(String));
    expect(detail.log?.lines.length).toBeGreaterThan(0);
    expect(detail.log?.lines.every((line) => line.chunkId === detail.chunkId)).toBe(true);
  });

  it('list the reject and the dead letters, which add up to the summary', async () => {
    const store = await localArtifactStore(source);
    const rejects = await readRecordsPage(store, summary.runId, 'rejects', {});
    expect(rejects.page).toHaveLength(1);
    expect(rejects.page[0]).toMatchObject({ line: 13, excerpt: '{"broken":' });
    const dead = await readRecordsPage(store, summary.runId, 'dead-letters', { limit: '500' });
    expect(dead.rows).toBe(30);
    expect(dead.page.every((row) => row.chunkId !== null)).toBe(true);
  });

  // Local CloudWatch keeps its datapoints in the data folder: these restarted services have the run's
  // (every entry refused: no record, and put requests the summary does not count) and what is put below.
  it('chart what local Firehose published, with the stream quota, from local CloudWatch', async () => {
    const read = () => readLocalMetrics(cloudWatch, source, summary.runId, new Date(Date.now() + 1000));
    const total = (view: Awaited<ReturnType<typeof read>>, id: string) =>
      view.series.find((s) => s.id === id)?.values.reduce<number>((sum, v) => sum + (v ?? 0), 0) ?? 0;
    const before = await read();
    expect(total(before, 'incomingRecords')).toBe(0);
    const firehose = new FirehoseClient({ ...config(), maxAttempts: 1 });
    const Records = Array.from({ length: 7 }, (_, i) => ({ Data: Buffer.from(`{"n":${i}}\n`) }));
    await firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: LOCAL_RESOURCE_NAMES.streamName, Records }),
    );
    firehose.destroy();
    const view = await read();
    expect(total(view, 'incomingRecords')).toBe(7);
    expect(total(view, 'incomingPutRequests') - total(before, 'incomingPutRequests')).toBe(1);
    expect(view.series.find((s) => s.id === 'incomingBytes')?.quotaPerSecond).toBe(5 * 1024 * 1024);
  });
});
