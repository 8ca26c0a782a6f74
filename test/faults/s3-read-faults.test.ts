import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type LocalServices, startLocalServices } from '@firehose-loader/local-services';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import { type CellResult, createWorkspace, printReport, runCell, type Workspace } from './matrix';

/**
 * Transient S3 read errors: the local S3's `s3GetErrorRate` answers that share of GetObject requests
 * with 500 InternalError. The SDK tries each request 3 times (standard retry mode), so at a rate of 0.5
 * one read in eight fails every attempt; for the workflow to deliver everything, Step Functions and the
 * re-queue rounds must then recover.
 */

const RATE = 0.5;

describe('the local S3 GetObject fault setting', () => {
  let dir: string;
  let services: LocalServices;
  let s3: S3Client;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faults-s3-'));
    services = await startLocalServices({ dataDir: dir, port: 0 });
    // One attempt per call, so each request's own fate is visible.
    s3 = new S3Client({
      endpoint: services.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    for (const bucket of ['reads', 'other']) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      for (let i = 0; i < 20; i++) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: `object ${i}` }));
      }
    }
  });

  afterAll(async () => {
    s3?.destroy();
    await services?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Which of 20 objects' GETs fail, each object asked for `rounds` times, in the given key order. */
  async function failures(bucket: string, order: number[], rounds = 3): Promise<string[]> {
    const failed: string[] = [];
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        order.map(async (i) => {
          try {
            const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `k${i}` }));
            await response.Body?.transformToString();
          } catch (error) {
            const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
            expect([e.name, e.$metadata?.httpStatusCode]).toEqual(['InternalError', 500]);
            failed.push(`k${i}#${round}`);
          }
        }),
      );
    }
    return failed.sort();
  }

  const forward = Array.from({ length: 20 }, (_, i) => i);

  it('fails about the given share of GetObject requests with 500 InternalError, the same ones for the same seed', async () => {
    services.setFaults({ s3GetErrorRate: RATE, s3GetErrorBuckets: [], seed: 5 });
    const first = await failures('reads', forward);
    expect(first.length).toBeGreaterThan(15);
    expect(first.length).toBeLessThan(45);
    services.setFaults({ seed: 5 });
    // Asked in another order and all at once: the same requests fail.
    expect(await failures('reads', [...forward].reverse())).toEqual(first);
    services.setFaults({ seed: 6 });
    expect(await failures('reads', forward)).not.toEqual(first);
  });

  it('never fails HEAD, listings or PUT, and only the listed buckets when buckets are given', async () => {
    services.setFaults({ s3GetErrorRate: 1, s3GetErrorBuckets: ['reads'], seed: 5 });
    expect(await failures('other', forward, 1)).toEqual([]);
    expect(await failures('reads', forward, 1)).toHaveLength(20);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'reads', Key: 'k1' }))).resolves.toBeDefined();
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'reads' }))).resolves.toBeDefined();
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'reads', Key: 'k1', Body: 'object 1' })),
    ).resolves.toBeDefined();
    services.setFaults({ s3GetErrorRate: 0, s3GetErrorBuckets: [] });
    expect(await failures('reads', forward, 1)).toEqual([]);
  });
});

describe('the workflow under transient S3 read errors', () => {
  let workspace: Workspace;

  beforeAll(async () => {
    workspace = await createWorkspace('s3-reads');
  });

  afterAll(async () => {
    printReport('S3 GetObject errors (rate 0.5, SDK default 3 attempts)');
    await workspace?.remove();
  });

  function expectEveryRecordOnce({ summary, audit }: CellResult): void {
    expect({ status: summary.status, error: summary.error }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
    });
    expect(audit.lost).toBe(0);
    expect(audit.foreign).toBe(0);
    expect(audit.duplicates).toBe(0);
    expect(summary.records.input).toBe(workspace.records);
    expect(summary.records.delivered).toBe(workspace.records);
    expect(summary.records.input).toBe(
      summary.records.delivered + summary.records.deadLettered + summary.records.rejected,
    );
  }

  // The seed and run id fix which reads fail (the decision ignores request order). Reads that fail all
  // three SDK attempts surface as TransientAwsError, which the state machine retries natively, so the
  // chunks recover inside their round: no failed chunk, no second round.
  it('delivers every record exactly once when reads of the source fail, retrying the reads natively', async () => {
    const result = await runCell('S3 GET 50% on the source bucket', workspace, {
      runId: 'run-s3-source-11',
      faults: { s3GetErrorRate: RATE, s3GetErrorBuckets: [LOCAL_RESOURCE_NAMES.sourceBucket], seed: 11 },
    });
    expectEveryRecordOnce(result);
    expect(result.summary.plan.failedChunks).toBe(0);
    expect(result.summary.plan.rounds).toBe(1);
  });

  // Plan, AdvanceRound and the Map's reader and writer retry transient S3 failures too.
  it('delivers every record when reads fail on every bucket, AdvanceRound included', async () => {
    const result = await runCell('S3 GET 50% on every bucket', workspace, {
      runId: 'run-s3-all-8',
      faults: { s3GetErrorRate: RATE, s3GetErrorBuckets: [], seed: 8 },
    });
    expectEveryRecordOnce(result);
  });
});
