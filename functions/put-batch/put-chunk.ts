import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import { type AcceptedByMinute, addAccepted } from '../shared/accepted-minutes';
import { artifactKeys } from '../shared/artifacts';
import { type ChunkDescriptor, ChunkMode, RecordFormat } from '../shared/chunk';
import { withEarlierCounts } from '../shared/chunk-claim';
import { ChunkInProgressError, ChunkThrottledError } from '../shared/errors';
import {
  type CallReport,
  type EntryFailure,
  FirehoseSendError,
  putRecordBatch,
  putRecordsIndividually,
  type RetryPolicy,
  type SendOutcome,
} from '../shared/firehose';
import type { LoggerLike } from '../shared/logger';
import type { StreamQuota } from '../shared/quota/quota';
import type { ChunkOutcome, PutBatchInput } from '../shared/run-state';
import { putBytes } from '../shared/s3-io';
import { accountChunk } from './account';
import { attemptCounts, releaseCarry, unansweredRecords } from './attempt-counts';
import { acquireChunk, type ClaimDeps, finishClaim, type HeldClaim, releaseClaim } from './claim';
import { OUTCOME_WRITE_GRACE_MS } from './config';
import { type PacedSend, pacedSend } from './paced-send';
import { readChunkRecords } from './read-chunk';
import { retryTransientWrite, type WriteRetryDeps } from './retry-write';

export interface PutChunkDeps {
  s3: S3Client;
  firehose: FirehoseClient;
  streamName: string;
  artifactBucket: string;
  retry: RetryPolicy;
  logger: LoggerLike;
  /** Logs the Map run's shared pace board: the run's keys, none of this chunk's (paced-send.ts). */
  boardLogger?: LoggerLike;
  /** A quota stated in the deployment: overrides the run's, field by field (pace.ts). */
  quota?: Partial<StreamQuota>;
  /** False: no pacing at all, retries alone deal with throttling (comparison runs). */
  pacing?: boolean;
  sleep?: (ms: number) => Promise<void>;
  /** A claim older than this is taken over (claim.ts); 0 takes any unfinished claim over at once. */
  claimTakeoverAfterMs: number;
  now?: () => number;
}

/**
 * One Distributed Map item: claim the chunk, send it, re-queue what is still failed, record the outcome.
 * If nothing at all was accepted it throws ChunkThrottledError instead, so the state machine's own
 * retry (backoff and jitter) resends the whole chunk without any risk of duplicates.
 */
export async function putChunk(input: PutBatchInput, deps: PutChunkDeps): Promise<ChunkOutcome> {
  const { chunk, runId, round } = input;
  // Step Functions may run an item more than once, even twice at the same time (Express children are
  // at-least-once; a lost Lambda response; a redrive). The chunk's outcome key is claimed with a
  // conditional write before anything is sent, so only the attempt holding the claim sends; the others
  // return its outcome, wait for it, or take over a claim whose owner is past its time limit.
  const ref = { bucket: deps.artifactBucket, key: artifactKeys.outcome(runId, round, chunk.chunkId) };
  // One deadline for every wait of the invocation (claim polls, pacing, retries); the Lambda timeout
  // adds headroom past it only for a last Firehose call and the outcome writes (config.ts).
  const deadlineMs = (deps.now ?? Date.now)() + deps.retry.budgetMs;
  const claimDeps: ClaimDeps = {
    s3: deps.s3,
    logger: deps.logger,
    takeoverAfterMs: deps.claimTakeoverAfterMs,
    waitBudgetMs: deps.retry.budgetMs,
    now: deps.now,
    sleep: deps.sleep,
  };
  const claimed = { chunkId: chunk.chunkId, round, records: chunk.records };
  const acquired = await acquireChunk(claimed, ref, claimDeps);
  if (acquired.kind === 'finished') {
    deps.logger.info('chunk already put in this round; not sending it again', {
      chunkId: chunk.chunkId,
      round,
    });
    return acquired.outcome;
  }
  return sendClaimedChunk(input, deps, claimDeps, acquired.held, deadlineMs);
}

/** Sends a chunk this attempt holds the claim of; gives the claim up when Firehose surely took nothing. */
async function sendClaimedChunk(
  input: PutBatchInput,
  deps: PutChunkDeps,
  claimDeps: ClaimDeps,
  held: HeldClaim,
  deadlineMs: number,
): Promise<ChunkOutcome> {
  const { chunk } = input;
  const now = deps.now ?? Date.now;
  let sending = false;
  let records: Buffer[] = [];
  let paced: PacedSend | undefined;
  try {
    // Plan validated every record of the source (same ETag); with no reject anywhere, re-checking each
    // record here would only repeat its UTF-8 decode and JSON.parse. Unknown (older input): check.
    records = await readChunkRecords(deps.s3, chunk, { validate: input.sourceRejects !== 0 });
    paced = pacedSend(input, { ...deps, deadlineMs });
    const pacedMs = await paced.waitFirst();
    // The send's retries get what is left of the deadline (the first call is always made).
    const retry = { ...deps.retry, budgetMs: Math.max(0, deadlineMs - now()) };
    sending = true;
    const sent = await sendAccountingPartialFailure(chunk, records, { ...deps, retry }, paced);
    paced.record(sent);
    if (records.length > 0 && sent.accepted === 0) {
      const codes = [...new Set(sent.failed.map((failure) => failure.errorCode))].join(', ');
      // The release carries this attempt's calls (and those without an answer, which may have
      // delivered) to the attempt that ends the chunk, which counts them.
      await releaseClaim(claimDeps, held, 'nothing accepted', releaseCarry(chunk.mode, records, sent));
      throw new ChunkThrottledError(
        `Firehose accepted none of the ${records.length} records of chunk ${chunk.chunkId} after ${sent.attempts} attempts (${codes})`,
      );
    }
    const writes = { untilMs: deadlineMs + OUTCOME_WRITE_GRACE_MS, now: deps.now, sleep: deps.sleep };
    return await recordOutcome(input, { ...deps, writes }, held, records, sent, {
      pacedMs,
      rate: paced.rate,
    });
  } catch (error) {
    // Before the first Firehose call nothing can have been accepted: a retry may take the claim at once.
    if (!sending) await releaseClaim(claimDeps, held, 'failed before sending');
    else if (error instanceof FirehoseSendError && error.outcome.accepted === 0) {
      const carry = releaseCarry(chunk.mode, records, error.outcome);
      await releaseClaim(claimDeps, held, 'Firehose refused the chunk', carry);
    }
    throw error;
  } finally {
    // A cut published while the chunk was sent (PacedSend.afterCall) ends with this invocation, not after it.
    await paced?.settled();
  }
}

type Sent = Awaited<ReturnType<typeof sendAccountingPartialFailure>>;

// Over 60 lines on purpose: the order (the re-queue file first, then the outcome over the claim) is
// what makes a crash between the two safe, and reads best in one place.
/** Re-queues the failed entries, then replaces the claim with the outcome (compare-and-swap). */
async function recordOutcome(
  input: PutBatchInput,
  deps: PutChunkDeps & { writes: WriteRetryDeps },
  held: HeldClaim,
  records: Buffer[],
  sent: Sent,
  paced: { pacedMs: number; rate: number | undefined },
): Promise<ChunkOutcome> {
  const { chunk, runId, round } = input;
  const account = accountChunk(records, sent);
  const requeue = account.failedRecords.length
    ? await retryTransientWrite(
        () => writeRequeue(deps, runId, round, chunk, account.failedRecords, account.requeued),
        deps.writes,
      )
    : undefined;
  const outcome: ChunkOutcome = {
    chunkId: chunk.chunkId,
    round,
    records: chunk.records,
    delivered: account.delivered,
    requeued: account.requeued,
    // This attempt's calls, and those of earlier attempts that gave the claim up without an outcome.
    ...withEarlierCounts(attemptCounts(chunk.mode, sent), held.claim),
    ...(Object.keys(sent.acceptedByMinute).length > 0 ? { acceptedByMinute: sent.acceptedByMinute } : {}),
    takenOverClaims: held.claim.takenOverClaims,
    // Earlier attempts' possible deliveries, and this one's calls that got no answer and were resent.
    possibleDuplicateRecords:
      held.claim.possibleDuplicateRecords + unansweredRecords(records, sent.unanswered),
    ...(paced.rate !== undefined ? { paceRate: paced.rate } : {}),
    ...(requeue ? { requeue } : {}),
  };
  const finished = await retryTransientWrite(
    () => finishClaim(deps.s3, held, outcome, deps.sleep),
    deps.writes,
  );
  if (!finished) {
    // We were slower than any attempt may be: another attempt took the claim over, or the round ended
    // and AdvanceRound handed the chunk on. Either counted this chunk's records as possible duplicates
    // and that outcome (or the next round) counts, not ours; a retry of this item finds out which.
    deps.logger.error('claim lost while this attempt sent the chunk; its outcome is not recorded', {
      chunkId: chunk.chunkId,
      round,
      delivered: account.delivered,
    });
    throw new ChunkInProgressError(
      `chunk ${chunk.chunkId} of round ${round}: the claim was taken over or the chunk re-queued while this ` +
        `attempt sent it; ${account.delivered} records may be delivered twice and are counted as possible duplicates`,
    );
  }
  deps.logger.info('chunk put', {
    ...outcome,
    requeue: requeue?.key,
    pacedMs: paced.pacedMs,
    claimWaitMs: held.waitedMs,
  });
  return outcome;
}

/**
 * A non-retryable error after part of the chunk was accepted must not fail the invocation: the state
 * machine would then resend the whole chunk and duplicate what was accepted. The accepted part is
 * kept, and everything else is re-queued like any failed entry (a later round meets the same error
 * with nothing accepted, fails, and the records end in the dead letters with that error logged).
 */
async function sendAccountingPartialFailure(
  chunk: ChunkDescriptor,
  records: Buffer[],
  deps: PutChunkDeps,
  paced: PacedSend,
): Promise<SendOutcome & { acceptedByMinute: AcceptedByMinute }> {
  const now = deps.now ?? Date.now;
  const acceptedByMinute: AcceptedByMinute = {};
  // The sender sleeps and reads time on the invocation's clock, so its retries share the deadline;
  // each call's answer goes to the shared rate at once, and what it accepted to the minute it was
  // answered in (CheckMetrics compares the job's minutes with the stream's; no extra call is made).
  const clock = {
    logger: deps.logger,
    afterCall: (call: CallReport) => {
      addAccepted(acceptedByMinute, now(), call.accepted ?? 0, call.acceptedBytes ?? 0);
      paced.afterCall(call);
    },
    throttledRetryDelay: (call: CallReport) => paced.throttledRetryDelay(call),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  try {
    if (chunk.mode === ChunkMode.individual) {
      // Each PutRecord waits its own turn, so an individual chunk spreads over its share of the quota.
      const sent = await putRecordsIndividually(deps.firehose, deps.streamName, records, deps.retry, {
        ...clock,
        beforeRecord: (index) => paced.waitCall(index),
      });
      return { ...sent, acceptedByMinute };
    }
    const sent = await putRecordBatch(deps.firehose, deps.streamName, records, deps.retry, clock);
    return { ...sent, acceptedByMinute };
  } catch (error) {
    if (!(error instanceof FirehoseSendError) || error.outcome.accepted === 0) throw error;
    deps.logger.error('Firehose refused the rest of a partly accepted chunk; re-queueing the rest', {
      chunkId: chunk.chunkId,
      errorCode: error.errorCode,
      errorMessage: error.message,
      accepted: error.outcome.accepted,
    });
    const failed = notAccepted(chunk, records.length, error.outcome.failed);
    return { ...error.outcome, failed, acceptedByMinute };
  }
}

/**
 * The sender lists the entries that failed up to the error. One by one (PutRecord), records after the
 * failing one were never tried: they are not accepted either.
 */
export function notAccepted(chunk: ChunkDescriptor, total: number, failed: EntryFailure[]): EntryFailure[] {
  if (chunk.mode !== ChunkMode.individual || failed.length === 0) return failed;
  const last = Math.max(...failed.map((failure) => failure.index));
  const untried = Array.from({ length: total - last - 1 }, (_, k) => ({
    index: last + 1 + k,
    errorCode: 'NotAttempted',
    errorMessage: 'not sent: an earlier record met a non-retryable error',
  }));
  return [...failed, ...untried];
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
