import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { advanceRound } from '../../../functions/advance-round/advance';
import { load as loadPlanConfig } from '../../../functions/plan/config';
import { resolveExecutionInput } from '../../../functions/plan/run-settings';
import { acquireChunk } from '../../../functions/put-batch/claim';
import { minuteOf } from '../../../functions/shared/accepted-minutes';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { cloudWatchClient, s3Client } from '../../../functions/shared/aws-clients';
import { nextClaim, parseStoredChunk } from '../../../functions/shared/chunk-claim';
import { DEFAULT_METRICS_NAMESPACE } from '../../../functions/shared/metrics-namespace';
import { putJson } from '../../../functions/shared/s3-io';
import { outcome, recordingLogger } from '../fixtures';
import { getText, keysUnder, type LocalAws, metricSums, startLocalAws } from '../local-aws';
import { advanceDeps, GOOD, ROUND_ZERO_TOTALS, readManifest, requeueOf, roundZero } from './round-zero';

const METRICS = ['DeliveredRecords', 'RequeuedRecords', 'FailedPutCount', 'DeadLetteredRecords'] as const;

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

const deps = (streamName: string) => advanceDeps(aws, streamName);

describe('advanceRound against the local services', () => {
  it('writes the next round manifest from re-queued entries and failed chunks and asks for another round', async () => {
    const { state, manifest } = await roundZero(aws, 'run-requeue', 1);

    const next = await advanceRound(state, deps('adv-requeue'));

    expect(next.round).toEqual({
      number: 1,
      manifestKey: artifactKeys.manifest('run-requeue', 1),
      chunks: 2,
      records: 6,
      next: 'requeue',
      waitSeconds: 5,
    });
    const written = await readManifest(aws, next.round.manifestKey);
    expect(written.map((c) => c.chunkId)).toEqual(['r1-c000000', 'r1-c000001']);
    expect(written[0]).toMatchObject({
      key: artifactKeys.requeue('run-requeue', 0, 'r0-c000001'),
      format: 'lines',
      records: 2,
    });
    expect(written[1]).toEqual({ ...manifest[2], chunkId: 'r1-c000001' });
    expect(next.totals).toEqual(ROUND_ZERO_TOTALS);
    expect(next.deadLetter).toBeUndefined();
    expect(next.plan).toEqual(state.plan);
    expect(next.settings).toEqual(state.settings);
    expect(await metricSums(DEFAULT_METRICS_NAMESPACE, 'adv-requeue', METRICS)).toEqual({
      DeliveredRecords: 6,
      RequeuedRecords: 2,
      FailedPutCount: 2,
      DeadLetteredRecords: 0,
    });
  });

  it('re-queues a chunk whose key holds only a claim as failed, and counts its records as possible duplicates', async () => {
    const runId = 'run-claimed';
    const { state, manifest } = await roundZero(aws, runId, 1);
    // The third chunk's attempt claimed it and stopped before writing an outcome, maybe after sending.
    const third = manifest[2] as (typeof manifest)[number];
    const claim = nextClaim({ chunkId: third.chunkId, round: 0, records: third.records }, 'dead', Date.now());
    await putJson(
      s3Client(),
      { bucket: aws.names.artifactBucket, key: artifactKeys.outcome(runId, 0, third.chunkId) },
      { claim },
    );

    const next = await advanceRound(state, deps('adv-claimed'));

    expect(next.round).toMatchObject({ number: 1, chunks: 2, records: 6, next: 'requeue' });
    expect(next.totals).toEqual({ ...ROUND_ZERO_TOTALS, possibleDuplicateRecords: third.records });
    expect(await metricSums(DEFAULT_METRICS_NAMESPACE, 'adv-claimed', ['PossibleDuplicateRecords'])).toEqual({
      PossibleDuplicateRecords: third.records,
    });
    // The claim is marked handed on, so a late attempt of round 0 cannot send the chunk as well.
    const key = artifactKeys.outcome(runId, 0, third.chunkId);
    const left = parseStoredChunk(await getText(s3Client(), aws.names.artifactBucket, key));
    expect(left).toMatchObject({ kind: 'claim', claim: { owner: 'dead', requeuedAt: expect.any(String) } });
  });

  it('marks a chunk that never got an outcome key handed on, so a late child of the round sends nothing', async () => {
    const runId = 'run-unkeyed';
    const { state, manifest } = await roundZero(aws, runId, 1);
    // The third chunk's child never created its key (every attempt was throttled by Lambda or timed out).
    const third = manifest[2] as (typeof manifest)[number];

    const next = await advanceRound(state, deps('adv-unkeyed'));

    expect(next.round).toMatchObject({ number: 1, chunks: 2, next: 'requeue' });
    // Nobody sent under the marker: no possible duplicates are counted for it.
    expect(next.totals).toEqual(ROUND_ZERO_TOTALS);
    const ref = { bucket: aws.names.artifactBucket, key: artifactKeys.outcome(runId, 0, third.chunkId) };
    const left = parseStoredChunk(await getText(s3Client(), ref.bucket, ref.key));
    expect(left).toMatchObject({ kind: 'claim', claim: { requeuedAt: expect.any(String) } });
    const late = { chunkId: third.chunkId, round: 0, records: third.records };
    const claimDeps = { s3: s3Client(), logger: recordingLogger(), takeoverAfterMs: 55_000, waitBudgetMs: 0 };
    await expect(acquireChunk(late, ref, claimDeps)).rejects.toMatchObject({ name: 'ChunkSupersededError' });
    // Run again (a retried step), the round adds up the same.
    expect((await advanceRound(state, deps('adv-unkeyed'))).totals).toEqual(ROUND_ZERO_TOTALS);
  });

  it('dead-letters what is left after the last round, with the exact payloads, a manifest and a rerun message', async () => {
    const runId = 'run-dead';
    const streamName = 'adv-dead';
    const { state, manifest } = await roundZero(aws, runId, 1);
    const afterZero = await advanceRound(state, deps(streamName));
    expect(afterZero.round.next).toBe('requeue');
    // Round 1: the re-queued entries deliver one of two; the failed chunk fails again.
    await putJson(
      s3Client(),
      { bucket: aws.names.artifactBucket, key: artifactKeys.outcome(runId, 1, 'r1-c000000') },
      outcome({
        chunkId: 'r1-c000000',
        round: 1,
        records: 2,
        delivered: 1,
        requeued: 1,
        acceptedFirehoseRecords: 1,
        acceptedBytes: 25,
        failedPutCount: 1,
        requeue: await requeueOf(aws, runId, 1, 'r1-c000000', [GOOD[7]]),
      }),
    );

    const last = await advanceRound(afterZero, deps(streamName));

    const bucket = aws.names.artifactBucket;
    const recordsKey = artifactKeys.deadLetterRecords(runId);
    const manifestKey = artifactKeys.deadLetterManifest(runId);
    expect(last.round).toMatchObject({ number: 1, next: 'done', waitSeconds: 0 });
    expect(await getText(s3Client(), bucket, recordsKey)).toBe(
      [GOOD[7], ...GOOD.slice(8)].map((line) => `${line}\n`).join(''),
    );
    const deadManifest = await readManifest(aws, manifestKey);
    expect(deadManifest.map((c) => c.key)).toEqual([
      artifactKeys.requeue(runId, 1, 'r1-c000000'),
      manifest[2].key,
    ]);
    expect(deadManifest[1]).toEqual({ ...manifest[2], chunkId: 'r1-c000001' });
    expect(last.deadLetter).toEqual({
      records: 5,
      bucket,
      recordsKey,
      manifestKey,
      message: expect.stringContaining(`s3://${bucket}/${recordsKey}`),
    });
    expect(last.deadLetter?.message).toMatch(/^5 records could not be delivered/);
    expect(last.deadLetter?.message).toContain(
      '(from the clone: npm run cli -- rerun --dead-letter run-dead on AWS, npm run cli -- rerun-failed run-dead for a local run)',
    );
    expect(last.totals).toEqual({
      delivered: 7,
      deadLettered: 5,
      requeued: 3,
      failedChunks: 2,
      acceptedFirehoseRecords: 7,
      acceptedBytes: 175,
      putRecordCalls: 0,
      putRecordBatchCalls: 3,
      attempts: 5,
      throttledEntries: 2,
      refusedRequests: 0,
      failedPutCount: 3,
      bytesSent: 300,
      possibleDuplicateRecords: 0,
    });
    // Every good record of the source is either delivered or dead-lettered, once.
    expect(last.totals.delivered + last.totals.deadLettered).toBe(state.plan.records);
    expect(await metricSums(DEFAULT_METRICS_NAMESPACE, streamName, METRICS)).toEqual({
      DeliveredRecords: 7,
      RequeuedRecords: 3,
      FailedPutCount: 3,
      DeadLetteredRecords: 5,
    });
  });

  it('dead-letters right after the first round when the run allows no re-queue rounds', async () => {
    const { state } = await roundZero(aws, 'run-no-requeue', 0);

    const next = await advanceRound(state, deps('adv-no-requeue'));

    expect(next.round).toMatchObject({ number: 0, next: 'done' });
    expect(next.deadLetter?.records).toBe(6);
    expect(next.totals.delivered + next.totals.deadLettered).toBe(12);
    expect(
      await getText(s3Client(), aws.names.artifactBucket, artifactKeys.deadLetterRecords('run-no-requeue')),
    ).toBe([GOOD[5], GOOD[7], ...GOOD.slice(8)].map((line) => `${line}\n`).join(''));
  });

  it('finishes without dead letters or a new manifest when every chunk delivered everything', async () => {
    const runId = 'run-clean';
    const { state, manifest } = await roundZero(aws, runId, 3);
    for (const chunk of manifest) {
      await putJson(
        s3Client(),
        { bucket: aws.names.artifactBucket, key: artifactKeys.outcome(runId, 0, chunk.chunkId) },
        outcome({
          chunkId: chunk.chunkId,
          records: 4,
          delivered: 4,
          acceptedFirehoseRecords: 4,
        }),
      );
    }

    const next = await advanceRound(state, deps('adv-clean'));

    expect(next.round).toMatchObject({ number: 0, next: 'done', waitSeconds: 0 });
    expect(next.deadLetter).toBeUndefined();
    expect(await keysUnder(s3Client(), aws.names.artifactBucket, artifactKeys.run(runId))).toEqual(
      expect.not.arrayContaining([
        artifactKeys.manifest(runId, 1),
        artifactKeys.deadLetterRecords(runId),
        artifactKeys.deadLetterManifest(runId),
      ]),
    );
    expect(next.totals).toMatchObject({ delivered: 12, deadLettered: 0, requeued: 0, failedChunks: 0 });
  });

  it("publishes what the round's chunks had accepted at each minute's timestamp, for CheckMetrics to read", async () => {
    const runId = 'run-minutes';
    const { state, manifest } = await roundZero(aws, runId, 3);
    const now = Date.now();
    const [earlier, later] = [minuteOf(now - 3 * 60_000), minuteOf(now - 2 * 60_000)];
    const perChunk = [
      { [earlier]: [3, 30] },
      { [earlier]: [1, 10], [later]: [3, 30] },
      { [later]: [4, 40] },
    ] as const;
    for (const [index, chunk] of manifest.entries()) {
      await putJson(
        s3Client(),
        { bucket: aws.names.artifactBucket, key: artifactKeys.outcome(runId, 0, chunk.chunkId) },
        outcome({
          chunkId: chunk.chunkId,
          records: 4,
          delivered: 4,
          acceptedFirehoseRecords: 4,
          acceptedBytes: 40,
          acceptedByMinute: perChunk[index] as Record<string, [number, number]>,
        }),
      );
    }

    await advanceRound(state, deps('adv-minutes'));

    const query = (id: string, metric: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: DEFAULT_METRICS_NAMESPACE,
          MetricName: metric,
          Dimensions: [{ Name: 'DeliveryStreamName', Value: 'adv-minutes' }],
        },
        Period: 60,
        Stat: 'Sum',
      },
    });
    const page = await cloudWatchClient().send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 10 * 60_000),
        EndTime: new Date(now + 60_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [query('records', 'AcceptedRecords'), query('bytes', 'AcceptedBytes')],
      }),
    );
    const series = Object.fromEntries(
      (page.MetricDataResults ?? []).map((result) => [
        result.Id,
        (result.Timestamps ?? []).map((at, i) => [minuteOf(at.getTime()), result.Values?.[i]]),
      ]),
    );
    expect(series).toEqual({
      records: [
        [earlier, 4],
        [later, 7],
      ],
      bytes: [
        [earlier, 40],
        [later, 70],
      ],
    });
  });

  // On AWS a rerun is a new execution whose input names the dead-letter file.
  it('gives in its message an execution input that reruns exactly the dead-letter file', async () => {
    const { state } = await roundZero(aws, 'run-rerun-input', 0);
    const next = await advanceRound(state, deps('adv-rerun-input'));

    // The input may carry more fields after source (format, for example).
    const input = /\{"source":\{[^}]*\}(,"\w+":("[^"]*"|\d+|true|false))*\}/.exec(
      next.deadLetter?.message ?? '',
    );
    expect(input).not.toBeNull();
    const planConfig = loadPlanConfig({
      SOURCE_BUCKET: aws.names.sourceBucket,
      ARTIFACT_BUCKET: aws.names.artifactBucket,
    });
    expect(resolveExecutionInput(JSON.parse(input?.[0] ?? '{}'), planConfig).source).toEqual({
      bucket: aws.names.artifactBucket,
      key: artifactKeys.deadLetterRecords('run-rerun-input'),
    });
  });
});
