import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import { artifactKeys } from '../shared/artifacts';
import { type ChunkDescriptor, ChunkMode, RecordFormat } from '../shared/chunk';
import { ChunkThrottledError } from '../shared/errors';
import { putRecordBatch, putRecordsIndividually, type RetryPolicy } from '../shared/firehose';
import type { LoggerLike } from '../shared/logger';
import type { ChunkOutcome, PutBatchInput } from '../shared/run-state';
import { putBytes, putJson } from '../shared/s3-io';
import { accountChunk } from './account';
import { readChunkRecords } from './read-chunk';

export interface PutChunkDeps {
  s3: S3Client;
  firehose: FirehoseClient;
  streamName: string;
  artifactBucket: string;
  retry: RetryPolicy;
  logger: LoggerLike;
}

/**
 * One Distributed Map item: send the chunk, re-queue what is still failed, record the outcome.
 * If nothing at all was accepted it throws ChunkThrottledError instead, so the state machine's own
 * retry (backoff and jitter) resends the whole chunk without any risk of duplicates.
 */
export async function putChunk(input: PutBatchInput, deps: PutChunkDeps): Promise<ChunkOutcome> {
  const { chunk, runId, round } = input;
  const records = await readChunkRecords(deps.s3, chunk);
  const send = chunk.mode === ChunkMode.individual ? putRecordsIndividually : putRecordBatch;
  const sent = await send(deps.firehose, deps.streamName, records, deps.retry, { logger: deps.logger });
  if (records.length > 0 && sent.accepted === 0) {
    const codes = [...new Set(sent.failed.map((failure) => failure.errorCode))].join(', ');
    throw new ChunkThrottledError(
      `Firehose accepted none of the ${records.length} records of chunk ${chunk.chunkId} after ${sent.attempts} attempts (${codes})`,
    );
  }
  const account = accountChunk(records, sent);
  const requeue = account.failedRecords.length
    ? await writeRequeue(deps, runId, round, chunk, account.failedRecords, account.requeued)
    : undefined;
  const isBatch = chunk.mode === ChunkMode.batch;
  const outcome: ChunkOutcome = {
    chunkId: chunk.chunkId,
    round,
    records: chunk.records,
    delivered: account.delivered,
    requeued: account.requeued,
    acceptedFirehoseRecords: sent.accepted,
    acceptedBytes: sent.acceptedBytes,
    putRecordCalls: isBatch ? 0 : sent.calls,
    putRecordBatchCalls: isBatch ? sent.calls : 0,
    attempts: sent.attempts,
    throttledEntries: sent.throttledEntries,
    failedPutCount: sent.failedPutCount,
    ...(requeue ? { requeue } : {}),
  };
  await putJson(
    deps.s3,
    { bucket: deps.artifactBucket, key: artifactKeys.outcome(runId, round, chunk.chunkId) },
    outcome,
  );
  deps.logger.info('chunk put', { ...outcome, requeue: requeue?.key });
  return outcome;
}

/** Failed entries are written as they are (payload lines) and described like any other chunk. */
async function writeRequeue(
  deps: PutChunkDeps,
  runId: string,
  round: number,
  chunk: ChunkDescriptor,
  failedRecords: Uint8Array[],
  records: number,
): Promise<ChunkDescriptor> {
  const key = artifactKeys.requeue(runId, round, chunk.chunkId);
  const body = Buffer.concat(failedRecords);
  await putBytes(deps.s3, { bucket: deps.artifactBucket, key }, body);
  return {
    chunkId: chunk.chunkId,
    bucket: deps.artifactBucket,
    key,
    format: RecordFormat.lines,
    start: 0,
    end: body.length,
    records,
    firehoseRecords: failedRecords.length,
    payloadBytes: body.length,
    mode: chunk.mode,
    pack: chunk.pack,
    firstRecord: 0,
    firstLine: 1,
  };
}
