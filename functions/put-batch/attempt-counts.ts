import { ChunkMode } from '../shared/chunk';
import type { ReleaseCarry } from '../shared/chunk-claim';
import type { SendOutcome } from '../shared/firehose/types';
import type { FirehoseCounts } from '../shared/run/send-counts';
import { inputRecordsIn } from './account';

/** What one attempt's send counts for its chunk: its calls as the mode makes them, their answers, bytes. */
export function attemptCounts(mode: ChunkMode, sent: SendOutcome): FirehoseCounts {
  const isBatch = mode === ChunkMode.batch;
  return {
    acceptedFirehoseRecords: sent.accepted,
    acceptedBytes: sent.acceptedBytes,
    putRecordCalls: isBatch ? 0 : sent.calls,
    putRecordBatchCalls: isBatch ? sent.calls : 0,
    attempts: sent.attempts,
    throttledEntries: sent.throttledEntries,
    refusedRequests: sent.refusedRequests,
    failedPutCount: sent.failedPutCount,
    bytesSent: sent.bytesSent,
  };
}

/** Input records in the entries of calls that got no answer (a packed Firehose record holds several). */
export function unansweredRecords(records: readonly Buffer[], unanswered: readonly number[] = []): number {
  return unanswered.reduce((sum, index) => sum + inputRecordsIn(records[index] ?? Buffer.alloc(0)), 0);
}

/**
 * What an attempt that sent and accepted nothing hands on in its released claim: its unanswered calls
 * may have delivered (the resend counts them as possible duplicates), and its calls were made.
 */
export function releaseCarry(mode: ChunkMode, records: readonly Buffer[], sent: SendOutcome): ReleaseCarry {
  return {
    possibleDuplicateRecords: unansweredRecords(records, sent.unanswered),
    counts: attemptCounts(mode, sent),
  };
}
