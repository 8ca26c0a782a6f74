import { load as loadAdvanceRoundConfig } from '../../../functions/advance-round/config';
import { planSource } from '../../../functions/plan/plan-source';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { cloudWatchClient, s3Client } from '../../../functions/shared/aws-clients';
import type { ChunkDescriptor } from '../../../functions/shared/chunk';
import type { RunState } from '../../../functions/shared/run-state';
import { putBytes, putJson, readJsonLines } from '../../../functions/shared/s3-io';
import { outcome, recordingLogger, runState } from '../fixtures';
import { type LocalAws, putText } from '../local-aws';

/** The round-0 fixture AdvanceRound's tests share: a 12-record source in 3 chunks, on the local services. */

export const GOOD = Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: i, page: `/p/${i}` }));
const SOURCE_TEXT = `${[...GOOD.slice(0, 5), 'not json', ...GOOD.slice(5)].join('\n')}\n`;

/** AdvanceRound's dependencies on the local services, for the stream `streamName`. */
export const advanceDeps = (aws: LocalAws, streamName: string) => ({
  s3: s3Client(),
  cloudWatch: cloudWatchClient(),
  config: loadAdvanceRoundConfig({
    ARTIFACT_BUCKET: aws.names.artifactBucket,
    DELIVERY_STREAM_NAME: streamName,
  }),
  logger: recordingLogger(),
});

export async function readManifest(aws: LocalAws, key: string): Promise<ChunkDescriptor[]> {
  const chunks: ChunkDescriptor[] = [];
  for await (const chunk of readJsonLines<ChunkDescriptor>(s3Client(), {
    bucket: aws.names.artifactBucket,
    key,
  })) {
    chunks.push(chunk);
  }
  return chunks;
}

/** Writes a re-queue object holding `lines` and returns the descriptor PutBatch would give it. */
export async function requeueOf(
  aws: LocalAws,
  runId: string,
  round: number,
  chunkId: string,
  lines: string[],
): Promise<ChunkDescriptor> {
  const key = artifactKeys.requeue(runId, round, chunkId);
  const body = lines.map((line) => `${line}\n`).join('');
  await putBytes(s3Client(), { bucket: aws.names.artifactBucket, key }, body);
  const bytes = Buffer.byteLength(body);
  return {
    chunkId,
    bucket: aws.names.artifactBucket,
    key,
    format: 'lines',
    start: 0,
    end: bytes,
    records: lines.length,
    firehoseRecords: lines.length,
    payloadBytes: bytes,
    mode: 'batch',
    pack: false,
    firstRecord: 0,
    firstLine: 1,
  };
}

/**
 * Round 0 of a run over a 12-record source planned into 3 chunks of 4: the first chunk delivered
 * everything, the second re-queued 2 of its records, the third never reported (its execution failed).
 */
export async function roundZero(
  aws: LocalAws,
  runId: string,
  requeueRounds: number,
): Promise<{ state: RunState; manifest: ChunkDescriptor[] }> {
  const s3 = s3Client();
  const key = `in/${runId}.jsonl`;
  await putText(s3, aws.names.sourceBucket, key, SOURCE_TEXT);
  const { summary } = await planSource(
    s3,
    {
      runId,
      source: { bucket: aws.names.sourceBucket, key },
      format: 'jsonl',
      individualRecords: 0,
      pack: false,
      maxBatchRecords: 4,
      maxBatchBytes: 4 * 1024 * 1024,
      artifactBucket: aws.names.artifactBucket,
    },
    recordingLogger(),
  );
  const manifest = await readManifest(aws, summary.manifestKey);
  expect(manifest.map((c) => [c.chunkId, c.records])).toEqual([
    ['r0-c000000', 4],
    ['r0-c000001', 4],
    ['r0-c000002', 4],
  ]);
  const [first, second] = manifest;
  const bucket = aws.names.artifactBucket;
  await putJson(
    s3,
    { bucket, key: artifactKeys.outcome(runId, 0, first.chunkId) },
    outcome({
      chunkId: first.chunkId,
      records: 4,
      delivered: 4,
      acceptedFirehoseRecords: 4,
      acceptedBytes: 100,
    }),
  );
  await putJson(
    s3,
    { bucket, key: artifactKeys.outcome(runId, 0, second.chunkId) },
    outcome({
      chunkId: second.chunkId,
      records: 4,
      delivered: 2,
      requeued: 2,
      acceptedFirehoseRecords: 2,
      acceptedBytes: 50,
      attempts: 3,
      throttledEntries: 2,
      refusedRequests: 0,
      failedPutCount: 2,
      requeue: await requeueOf(aws, runId, 0, second.chunkId, [GOOD[5], GOOD[7]]),
    }),
  );
  const base = runState();
  const state = runState({
    runId,
    settings: { ...base.settings, source: { bucket: aws.names.sourceBucket, key }, requeueRounds },
    plan: summary,
    round: {
      number: 0,
      manifestKey: summary.manifestKey,
      chunks: 3,
      records: 12,
      next: 'done',
      waitSeconds: 0,
    },
  });
  return { state, manifest };
}

/** The run totals after roundZero's round: chunk 1 delivered 4, chunk 2 delivered 2 of 4, chunk 3 failed. */
export const ROUND_ZERO_TOTALS = {
  delivered: 6,
  deadLettered: 0,
  requeued: 2,
  failedChunks: 1,
  acceptedFirehoseRecords: 6,
  acceptedBytes: 150,
  putRecordCalls: 0,
  putRecordBatchCalls: 2,
  attempts: 4,
  throttledEntries: 2,
  refusedRequests: 0,
  failedPutCount: 2,
  bytesSent: 200,
  possibleDuplicateRecords: 0,
} as const;
