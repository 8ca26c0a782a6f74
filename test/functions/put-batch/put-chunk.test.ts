import { planSource } from '../../../functions/plan/plan-source';
import { putChunk } from '../../../functions/put-batch/put-chunk';
import { minuteOf } from '../../../functions/shared/accepted-minutes';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { firehoseClient, s3Client } from '../../../functions/shared/aws-clients';
import type { ChunkDescriptor } from '../../../functions/shared/chunk';
import { parseStoredChunk } from '../../../functions/shared/chunk-claim';
import { readChunkPayloads } from '../../../functions/shared/chunk-io';
import { type RetryPolicy, resolveRetryPolicy } from '../../../functions/shared/firehose';
import type { ChunkOutcome } from '../../../functions/shared/run-state';
import { getJson, readJsonLines } from '../../../functions/shared/s3-io';
import { recordingLogger } from '../fixtures';
import { deliveredText, getText, keysUnder, type LocalAws, putText, startLocalAws } from '../local-aws';

// One send, no retry: what fails in it is what the test re-queues.
const ONE_ATTEMPT: RetryPolicy = resolveRetryPolicy({
  maxAttempts: 1,
  baseDelayMs: 0,
  maxDelayMs: 0,
  budgetMs: 5_000,
});

const GOOD = Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: i, page: `/p/${i}`, note: 'ü☃' }));
const SOURCE_TEXT = `${[...GOOD.slice(0, 5), '{"id": 99, broken', ...GOOD.slice(5)].join('\n')}\n`;
const payloadsOf = (lines: readonly string[]) => lines.map((line) => `${line}\n`);
const linesOf = (text: string) => text.split('\n').filter((line) => line !== '');

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

afterEach(() => {
  aws.services.setFaults({ entryFailureRate: 0 });
});

/** Uploads the source and plans it with the real planner, returning the round-0 descriptors. */
async function plannedChunks(
  runId: string,
  key: string,
  options: { pack?: boolean; individualRecords?: number } = {},
): Promise<ChunkDescriptor[]> {
  const s3 = s3Client();
  await putText(s3, aws.names.sourceBucket, key, SOURCE_TEXT);
  const { summary } = await planSource(
    s3,
    {
      runId,
      source: { bucket: aws.names.sourceBucket, key },
      format: 'jsonl',
      individualRecords: options.individualRecords ?? 0,
      pack: options.pack ?? false,
      maxBatchRecords: 500,
      maxBatchBytes: 4 * 1024 * 1024,
      artifactBucket: aws.names.artifactBucket,
    },
    recordingLogger(),
  );
  expect(summary.rejected).toBe(1);
  const chunks: ChunkDescriptor[] = [];
  for await (const chunk of readJsonLines<ChunkDescriptor>(s3, {
    bucket: aws.names.artifactBucket,
    key: summary.manifestKey,
  })) {
    chunks.push(chunk);
  }
  return chunks;
}

function deps(streamName: string, retry: RetryPolicy = ONE_ATTEMPT) {
  return {
    s3: s3Client(),
    firehose: firehoseClient(),
    streamName,
    artifactBucket: aws.names.artifactBucket,
    retry,
    logger: recordingLogger(),
    claimTakeoverAfterMs: 60_000,
  };
}

describe('putChunk against the local services', () => {
  it('delivers every good record of the chunk, skipping the malformed line, and writes the outcome object', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-clean');
    const [chunk, ...others] = await plannedChunks('run-clean', 'in/clean.jsonl');
    expect(others).toEqual([]);
    expect(chunk.records).toBe(12);

    const before = Date.now();
    const outcome = await putChunk({ runId: 'run-clean', round: 0, chunk }, deps(streamName));
    const after = Date.now();

    const bytes = payloadsOf(GOOD).join('');
    // One call, answered in the minute it was made (or the next, when the test straddles one).
    const minute = Object.keys(outcome.acceptedByMinute ?? {})[0] ?? '';
    expect([minuteOf(before), minuteOf(after)]).toContain(minute);
    expect(outcome).toEqual({
      chunkId: chunk.chunkId,
      round: 0,
      records: 12,
      delivered: 12,
      requeued: 0,
      acceptedFirehoseRecords: 12,
      acceptedBytes: Buffer.byteLength(bytes),
      putRecordCalls: 0,
      putRecordBatchCalls: 1,
      attempts: 1,
      throttledEntries: 0,
      refusedRequests: 0,
      failedPutCount: 0,
      bytesSent: Buffer.byteLength(bytes),
      takenOverClaims: 0,
      possibleDuplicateRecords: 0,
      acceptedByMinute: { [minute]: [12, Buffer.byteLength(bytes)] },
    });
    const stored = await getJson<ChunkOutcome>(s3Client(), {
      bucket: aws.names.artifactBucket,
      key: artifactKeys.outcome('run-clean', 0, chunk.chunkId),
    });
    expect(stored).toEqual(outcome);
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe(bytes);
  });

  it('does not send a chunk again when Step Functions runs an item that already finished', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-twice');
    const [chunk] = await plannedChunks('run-twice', 'in/twice.jsonl');
    const first = await putChunk({ runId: 'run-twice', round: 0, chunk }, deps(streamName));

    const second = await putChunk({ runId: 'run-twice', round: 0, chunk }, deps(streamName));

    expect(second).toEqual(first);
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe(payloadsOf(GOOD).join(''));
  });

  it('finds an earlier outcome by its exact key, not by a longer key that starts with it', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-lookup');
    const [chunk] = await plannedChunks('run-lookup', 'in/lookup.jsonl');
    const key = artifactKeys.outcome('run-lookup', 0, chunk.chunkId);
    // Listed under the outcome key as a prefix, but not the outcome: the chunk must still be sent.
    await putText(s3Client(), aws.names.artifactBucket, `${key}.old`, JSON.stringify({ chunkId: 'stale' }));
    const input = { runId: 'run-lookup', round: 0, chunk };

    const first = await putChunk(input, deps(streamName));
    const again = await putChunk(input, deps(streamName));

    expect(first).toMatchObject({ chunkId: chunk.chunkId, delivered: 12 });
    expect(again).toEqual(first);
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe(payloadsOf(GOOD).join(''));
  });

  it('reads the same payloads from planned chunks whether it splits compact lines or scans them', async () => {
    const s3 = s3Client();
    // Compact lines, then spaced and CRLF ones: some chunks are byte-for-byte payloads, some are not.
    const lines = [
      ...GOOD,
      '{"spaced": [1, 2]}',
      '{"crlf":true}\r',
      ...GOOD.map((line) => line.replace('"id"', '"n"')),
    ];
    await putText(s3, aws.names.sourceBucket, 'in/compact.jsonl', `${lines.join('\n')}\n`);
    const { summary } = await planSource(
      s3,
      {
        runId: 'run-compact',
        source: { bucket: aws.names.sourceBucket, key: 'in/compact.jsonl' },
        format: 'jsonl',
        individualRecords: 0,
        pack: false,
        maxBatchRecords: 5,
        maxBatchBytes: 4 * 1024 * 1024,
        artifactBucket: aws.names.artifactBucket,
      },
      recordingLogger(),
    );
    expect(summary.rejected).toBe(0);
    const chunks: ChunkDescriptor[] = [];
    for await (const chunk of readJsonLines<ChunkDescriptor>(s3, {
      bucket: aws.names.artifactBucket,
      key: summary.manifestKey,
    })) {
      chunks.push(chunk);
    }
    const compact = chunks.filter((chunk) => chunk.payloadBytes === chunk.end - chunk.start);
    expect(compact.length).toBeGreaterThan(0);
    expect(compact.length).toBeLessThan(chunks.length);

    for (const chunk of chunks) {
      const split = await readChunkPayloads(s3, chunk, { validate: false });
      const scanned = await readChunkPayloads(s3, chunk, { validate: true });
      expect(split.map(String)).toEqual(scanned.map(String));
    }
  });

  it('still skips the malformed line inside the chunk when Plan reported rejects in the source', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-validated');
    const [chunk] = await plannedChunks('run-validated', 'in/validated.jsonl');

    const outcome = await putChunk(
      { runId: 'run-validated', round: 0, chunk, sourceRejects: 1 },
      deps(streamName),
    );

    expect(outcome).toMatchObject({ records: 12, delivered: 12, requeued: 0 });
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe(payloadsOf(GOOD).join(''));
  });

  it('trusts the plan without re-validating when it found no reject in the whole source', async () => {
    const { streamName } = await aws.stream('put-trusted');
    const [chunk] = await plannedChunks('run-trusted', 'in/trusted.jsonl');

    // Told (wrongly, for this test) that the source had no reject, PutBatch no longer parses the
    // records: the malformed line counts as a record and the chunk no longer matches its plan.
    await expect(
      putChunk({ runId: 'run-trusted', round: 0, chunk, sourceRejects: 0 }, deps(streamName)),
    ).rejects.toMatchObject({
      name: 'SourceChangedError',
      message: expect.stringMatching(/holds 13 records, the plan counted 12/),
    });
  });

  it('re-queues exactly the entries Firehose failed, in a lines object its descriptor counts, and delivers the rest', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-partial');
    const [chunk] = await plannedChunks('run-partial', 'in/partial.jsonl');
    aws.services.setFaults({ entryFailureRate: 0.5, seed: 1 });

    const outcome = await putChunk({ runId: 'run-partial', round: 0, chunk }, deps(streamName));

    expect(outcome.requeued).toBeGreaterThan(0);
    expect(outcome.delivered).toBeGreaterThan(0);
    expect(outcome.delivered + outcome.requeued).toBe(12);
    expect(outcome.acceptedFirehoseRecords).toBe(outcome.delivered);
    expect(outcome.failedPutCount).toBe(outcome.requeued);
    expect(outcome.attempts).toBe(1);

    const requeueKey = artifactKeys.requeue('run-partial', 0, chunk.chunkId);
    const requeueText = await getText(s3Client(), aws.names.artifactBucket, requeueKey);
    const requeued = linesOf(requeueText);
    await aws.services.flush();
    const delivered = linesOf(await deliveredText(s3Client(), destinationBucket));
    // Each good record went exactly one way, and each way kept the source order.
    expect(requeued).toEqual(GOOD.filter((line) => requeued.includes(line)));
    expect(delivered).toEqual(GOOD.filter((line) => !requeued.includes(line)));
    expect(outcome.acceptedBytes).toBe(Buffer.byteLength(payloadsOf(delivered).join('')));

    expect(outcome.requeue).toEqual({
      chunkId: chunk.chunkId,
      bucket: aws.names.artifactBucket,
      key: requeueKey,
      format: 'lines',
      start: 0,
      end: Buffer.byteLength(requeueText),
      records: outcome.requeued,
      firehoseRecords: outcome.requeued,
      payloadBytes: Buffer.byteLength(requeueText),
      mode: 'batch',
      pack: false,
      firstRecord: 0,
      firstLine: 1,
    });
    expect(requeueText).toBe(payloadsOf(requeued).join(''));
    const stored = await getJson<ChunkOutcome>(s3Client(), {
      bucket: aws.names.artifactBucket,
      key: artifactKeys.outcome('run-partial', 0, chunk.chunkId),
    });
    expect(stored).toEqual(outcome);

    // The re-queue descriptor is a chunk like any other: the next round delivers the rest.
    aws.services.setFaults({ entryFailureRate: 0 });
    const requeue = outcome.requeue as ChunkDescriptor;
    const next = await putChunk(
      { runId: 'run-partial', round: 1, chunk: { ...requeue, chunkId: 'r1-c000000' } },
      deps(streamName),
    );
    expect(next).toMatchObject({ records: outcome.requeued, delivered: outcome.requeued, requeued: 0 });
    await aws.services.flush();
    expect(linesOf(await deliveredText(s3Client(), destinationBucket)).sort()).toEqual([...GOOD].sort());
  });

  it('records what each call had accepted under the minute of its answer, so a retry a minute later counts there', async () => {
    const { streamName } = await aws.stream('put-minutes');
    const [chunk] = await plannedChunks('run-minutes', 'in/minutes.jsonl');
    aws.services.setFaults({ entryFailureRate: 0.5, seed: 1 });
    // The invocation's clock stands still except in the retry's sleep, which lasts exactly a minute.
    let clockMs = Date.parse('2024-05-01T12:03:30Z');
    const retry = resolveRetryPolicy({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 10_000 });
    const clocked = {
      ...deps(streamName, retry),
      now: () => clockMs,
      sleep: async () => {
        clockMs += 60_000;
      },
    };

    const outcome = await putChunk({ runId: 'run-minutes', round: 0, chunk }, clocked);

    expect(outcome.attempts).toBe(2);
    const byMinute = outcome.acceptedByMinute ?? {};
    expect(Object.keys(byMinute).sort()).toEqual(['2024-05-01T12:03Z', '2024-05-01T12:04Z']);
    const [first, second] = [byMinute['2024-05-01T12:03Z'], byMinute['2024-05-01T12:04Z']];
    expect(first?.[0]).toBeGreaterThan(0);
    expect(second?.[0]).toBeGreaterThan(0);
    expect((first?.[0] ?? 0) + (second?.[0] ?? 0)).toBe(outcome.acceptedFirehoseRecords);
    expect((first?.[1] ?? 0) + (second?.[1] ?? 0)).toBe(outcome.acceptedBytes);
  });

  it('throws ChunkThrottledError and leaves only a released claim when Firehose accepts none of the chunk', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-throttled');
    const [chunk] = await plannedChunks('run-throttled', 'in/throttled.jsonl');
    aws.services.setFaults({ entryFailureRate: 1, seed: 1 });

    await expect(
      putChunk({ runId: 'run-throttled', round: 0, chunk }, deps(streamName)),
    ).rejects.toMatchObject({
      name: 'ChunkThrottledError',
      message: expect.stringContaining(`none of the 12 records of chunk ${chunk.chunkId}`),
    });
    // No outcome: the claim stays, released, so a retry takes it over at once and counts no duplicate.
    const stored = await getText(
      s3Client(),
      aws.names.artifactBucket,
      artifactKeys.outcome('run-throttled', 0, chunk.chunkId),
    );
    expect(parseStoredChunk(stored)).toEqual({
      kind: 'claim',
      claim: expect.objectContaining({ releasedAt: expect.any(String), possibleDuplicateRecords: 0 }),
    });
    expect(
      await keysUnder(s3Client(), aws.names.artifactBucket, 'runs/run-throttled/round-00/requeue/'),
    ).toEqual([]);
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe('');
  });

  it('throws SourceChangedError when the source was overwritten after it was planned', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-changed');
    const [chunk] = await plannedChunks('run-changed', 'in/changed.jsonl');
    const etag = await putText(s3Client(), aws.names.sourceBucket, 'in/changed.jsonl', `${GOOD[0]}\n`);
    expect(etag).not.toBe(chunk.etag);

    await expect(putChunk({ runId: 'run-changed', round: 0, chunk }, deps(streamName))).rejects.toMatchObject(
      {
        name: 'SourceChangedError',
        message: expect.stringContaining(
          's3://firehose-loader-source/in/changed.jsonl changed after it was planned',
        ),
      },
    );
    // Nothing was sent, so the claim is released: no outcome, and no duplicate for a retry to count.
    const stored = await getText(
      s3Client(),
      aws.names.artifactBucket,
      artifactKeys.outcome('run-changed', 0, chunk.chunkId),
    );
    expect(parseStoredChunk(stored)).toMatchObject({
      kind: 'claim',
      claim: { releasedAt: expect.any(String) },
    });
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe('');
  });

  it('delivers the same bytes in one packed Firehose record when the chunk is packed', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-packed');
    const [chunk] = await plannedChunks('run-packed', 'in/packed.jsonl', { pack: true });
    expect(chunk).toMatchObject({ pack: true, records: 12, firehoseRecords: 1 });

    const outcome = await putChunk({ runId: 'run-packed', round: 0, chunk }, deps(streamName));

    const bytes = payloadsOf(GOOD).join('');
    expect(outcome).toMatchObject({
      records: 12,
      delivered: 12,
      requeued: 0,
      acceptedFirehoseRecords: 1,
      acceptedBytes: Buffer.byteLength(bytes),
      putRecordBatchCalls: 1,
    });
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe(bytes);
  });

  it('sends an individual chunk with one PutRecord per record', async () => {
    const { streamName, destinationBucket } = await aws.stream('put-individual');
    const [first, rest] = await plannedChunks('run-individual', 'in/individual.jsonl', {
      individualRecords: 3,
    });
    expect(first).toMatchObject({ mode: 'individual', records: 3 });

    const outcome = await putChunk({ runId: 'run-individual', round: 0, chunk: first }, deps(streamName));
    expect(outcome).toMatchObject({
      delivered: 3,
      putRecordCalls: 3,
      putRecordBatchCalls: 0,
      acceptedFirehoseRecords: 3,
    });
    await putChunk({ runId: 'run-individual', round: 0, chunk: rest }, deps(streamName));
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe(payloadsOf(GOOD).join(''));
  });
});
