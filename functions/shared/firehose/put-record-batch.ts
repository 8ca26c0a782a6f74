import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { FirehoseRequestError } from '../errors';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../limits';
import { resolveDeps } from './deps';
import { UNALIGNED_RESPONSE_ERROR } from './errors-classify';
import { regionOf } from './region';
import { type RoundResult, sendWithRetries, sumBytes } from './retry-loop';
import type { RetryPolicy } from './retry-policy';
import { emptyOutcome, FirehoseOperation, type SenderDeps, type SendOutcome } from './types';

// Firehose's per-entry code for throttling inside a PutRecordBatch response.
const ENTRY_THROTTLED = 'ServiceUnavailableException';

/**
 * One PutRecordBatch of at most 500 records and 4 MiB, retrying only the entries that failed
 * (RequestResponses is index-aligned with the request), never the accepted ones. Entries still
 * failed when attempts or budget run out come back in `failed`; nothing is thrown for them.
 * Throws FirehoseRequestError for input the caller should have split, and FirehoseSendError (a
 * FirehoseRequestError carrying the outcome so far) for errors a retry cannot fix.
 */
export async function putRecordBatch(
  client: FirehoseClient,
  streamName: string,
  records: readonly Uint8Array[],
  policy: RetryPolicy,
  deps: Partial<SenderDeps> = {},
): Promise<SendOutcome> {
  validateBatch(streamName, records);
  const resolved = resolveDeps(deps);
  const outcome = emptyOutcome();
  if (records.length === 0) return outcome; // Firehose rejects an empty Records list.

  await sendWithRetries({
    operation: FirehoseOperation.putRecordBatch,
    streamName,
    records,
    indices: records.map((_, i) => i),
    policy,
    deps: resolved,
    startedAt: resolved.now(),
    region: () => regionOf(client),
    outcome,
    callLogLevel: 'info',
    sendRound: (indices) => sendBatchOnce(client, streamName, records, indices),
  });
  outcome.failed.sort((a, b) => a.index - b.index);
  resolved.logger.info('PutRecordBatch finished', {
    deliveryStream: streamName,
    records: records.length,
    bytes: sumBytes(
      records,
      records.map((_, i) => i),
    ),
    ...summarize(outcome),
  });
  return outcome;
}

async function sendBatchOnce(
  client: FirehoseClient,
  streamName: string,
  records: readonly Uint8Array[],
  indices: readonly number[],
): Promise<RoundResult> {
  const response = await client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: streamName,
      Records: indices.map((i) => ({ Data: records[i] })),
    }),
  );
  const failedPutCount = response.FailedPutCount ?? 0;
  const entries = response.RequestResponses ?? [];
  if (entries.length !== indices.length) {
    // Some emulators omit RequestResponses; with nothing failed that still means "all accepted".
    if (entries.length === 0 && failedPutCount === 0) {
      return {
        accepted: indices.map((index) => ({ index, recordId: undefined })),
        failed: [],
        throttled: 0,
        failedPutCount,
      };
    }
    // Which entries were accepted is unknowable, so any resend could duplicate: stop here.
    const error = new Error(
      `PutRecordBatch answered ${entries.length} RequestResponses for ${indices.length} records ` +
        `(FailedPutCount ${failedPutCount}); the records of this batch may or may not have been accepted`,
    );
    error.name = UNALIGNED_RESPONSE_ERROR;
    throw error;
  }
  const round: RoundResult = { accepted: [], failed: [], throttled: 0, failedPutCount };
  entries.forEach((entry, position) => {
    const index = indices[position] as number;
    if (entry.ErrorCode) {
      round.failed.push({ index, errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage ?? '' });
      if (entry.ErrorCode === ENTRY_THROTTLED) round.throttled += 1;
    } else {
      round.accepted.push({ index, recordId: entry.RecordId });
    }
  });
  return round;
}

function validateBatch(streamName: string, records: readonly Uint8Array[]): void {
  if (records.length > MAX_BATCH_RECORDS) {
    throw new FirehoseRequestError(
      `PutRecordBatch to "${streamName}" got ${records.length} records, more than the ${MAX_BATCH_RECORDS} ` +
        'Firehose takes in one call: the caller must split them into several batches',
    );
  }
  validateRecordSizes(streamName, records);
  const total = sumBytes(
    records,
    records.map((_, i) => i),
  );
  if (total > MAX_BATCH_BYTES) {
    throw new FirehoseRequestError(
      `PutRecordBatch to "${streamName}" got ${total} bytes, more than the ${MAX_BATCH_BYTES} bytes ` +
        'Firehose takes in one call: the caller must split them into several batches',
    );
  }
}

/** A record over 1,000 KiB fails the whole call with InvalidArgumentException, so refuse it up front. */
export function validateRecordSizes(streamName: string, records: readonly Uint8Array[]): void {
  records.forEach((record, index) => {
    if (record.byteLength > MAX_RECORD_BYTES) {
      throw new FirehoseRequestError(
        `Record ${index} for "${streamName}" is ${record.byteLength} bytes, more than the ${MAX_RECORD_BYTES} ` +
          'bytes Firehose takes per record: split or truncate it before sending',
      );
    }
  });
}

/** The outcome as log keys: counts only, never record contents. */
export function summarize(outcome: SendOutcome): Record<string, number> {
  const { failed, unanswered, ...counts } = outcome;
  return { ...counts, failed: failed.length, ...(unanswered ? { unanswered: unanswered.length } : {}) };
}
