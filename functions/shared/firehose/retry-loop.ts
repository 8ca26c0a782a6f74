import { fullJitterDelay, throttledDelay } from './backoff';
import { classifyFirehoseError, describeFatalError, mayHaveReachedFirehose } from './errors-classify';
import type { RetryPolicy } from './retry-policy';
import { FirehoseSendError } from './send-error';
import type { CallReport, EntryFailure, FirehoseOperation, SenderDeps, SendOutcome } from './types';

/** What one call did to the entries it carried. */
export interface RoundResult {
  accepted: { index: number; recordId: string | undefined }[];
  failed: EntryFailure[];
  /** Entries that failed with ServiceUnavailableException in the response. */
  throttled: number;
  /** The whole call was refused as throttled ("Slow down."): no entry got a result of its own. */
  callThrottled?: boolean;
  failedPutCount: number;
}

export interface RetryLoopInput {
  operation: FirehoseOperation;
  streamName: string;
  records: readonly Uint8Array[];
  /** Indices into `records` to send; each round sends those still failed. */
  indices: readonly number[];
  policy: RetryPolicy;
  deps: SenderDeps;
  /** When the budget started; shared by all records of a PutRecord-one-by-one run. */
  startedAt: number;
  region(): Promise<string>;
  /** Makes exactly one API call with the given entries, in that order. */
  sendRound(indices: readonly number[]): Promise<RoundResult>;
  /** Accumulated into; failures still standing at the end are appended to `outcome.failed`. */
  outcome: SendOutcome;
  /** One PutRecord per record would flood INFO, so those calls log at DEBUG. */
  callLogLevel: 'info' | 'debug';
}

export const GiveUpReason = { maxAttempts: 'maxAttempts', budget: 'budget' } as const;

/**
 * Sends, then re-sends only the entries that failed, with full-jitter backoff, until all are
 * accepted, `maxAttempts` rounds were made, or the next sleep would end past the budget.
 * Returns the record ids of accepted entries. Throws FirehoseSendError on a non-retryable error.
 */
export async function sendWithRetries(input: RetryLoopInput): Promise<Map<number, string>> {
  const { deps, policy, outcome, records, operation, streamName } = input;
  const { logger } = deps;
  const recordIds = new Map<number, string>();
  let pending: readonly number[] = input.indices;

  for (let attempt = 1; ; attempt++) {
    const bytes = sumBytes(records, pending);
    outcome.attempts = Math.max(outcome.attempts, attempt);
    outcome.calls += 1;
    outcome.bytesSent += bytes;
    const callStart = deps.now();
    let round: RoundResult;
    let reason: string;
    try {
      round = await input.sendRound(pending);
      reason = 'entryFailures';
    } catch (error) {
      ({ round, reason } = await refusedRound(input, error, { attempt, pending, bytes }));
    }
    countRound(round, records, outcome, recordIds);
    const report = callReport(round, records, { attempt, pending, bytes }, callStart);
    deps.afterCall?.(report);
    logCall(input, { attempt, pending, bytes }, round, deps.now() - callStart);
    if (round.failed.length === 0) return recordIds;

    pending = round.failed.map((f) => f.index);
    const elapsedMs = deps.now() - input.startedAt;
    const { delayMs, giveUp } = nextStep(round, report, elapsedMs, policy, deps);
    if (giveUp) {
      logger.error('Giving up on Firehose entries', {
        operation,
        deliveryStream: streamName,
        giveUp,
        attempts: attempt,
        entries: round.failed.length,
        errorCodes: countCodes(round.failed),
        elapsedMs,
        budgetMs: policy.budgetMs,
      });
      outcome.failed.push(...round.failed);
      return recordIds;
    }
    logger.warn('Retrying failed Firehose entries', {
      operation,
      deliveryStream: streamName,
      attempt,
      nextAttempt: attempt + 1,
      delayMs,
      reason,
      entries: round.failed.length,
      errorCodes: countCodes(round.failed),
    });
    await deps.sleep(delayMs);
  }
}

/** A call that threw: a round in which every entry failed, or FirehoseSendError if no retry can help. */
async function refusedRound(
  input: RetryLoopInput,
  error: unknown,
  call: { attempt: number; pending: readonly number[]; bytes: number },
): Promise<{ round: RoundResult; reason: string }> {
  const { operation, streamName, outcome } = input;
  const { attempt, pending, bytes } = call;
  const cls = classifyFirehoseError(error);
  const message = error instanceof Error ? error.message : String(error);
  input.deps.logger.warn('Firehose call failed', {
    operation,
    deliveryStream: streamName,
    attempt,
    records: pending.length,
    bytes,
    errorName: cls.code,
    httpStatus: cls.httpStatus,
    category: cls.category,
    retryable: cls.retryable,
    errorMessage: message,
  });
  if (!cls.retryable) {
    outcome.failed.push(...pending.map((index) => ({ index, errorCode: cls.code, errorMessage: message })));
    const fix = describeFatalError(cls, error, { operation, streamName, region: await input.region() });
    throw new FirehoseSendError(fix, cls.code, outcome, { cause: error });
  }
  if (mayHaveReachedFirehose(cls)) outcome.unanswered = [...(outcome.unanswered ?? []), ...pending];
  const failed = pending.map((index) => ({ index, errorCode: cls.code, errorMessage: message }));
  // A refused call is one request, not a result per entry: counted as such, not as throttled entries.
  outcome.refusedRequests += 1;
  return {
    round: {
      accepted: [],
      failed,
      throttled: 0,
      callThrottled: cls.category === 'throttled',
      failedPutCount: 0,
    },
    reason: cls.category,
  };
}

function logCall(
  input: RetryLoopInput,
  call: { attempt: number; pending: readonly number[]; bytes: number },
  round: RoundResult,
  durationMs: number,
): void {
  input.deps.logger[input.callLogLevel]('Firehose call done', {
    operation: input.operation,
    deliveryStream: input.streamName,
    attempt: call.attempt,
    records: call.pending.length,
    bytes: call.bytes,
    accepted: round.accepted.length,
    failed: round.failed.length,
    throttled: round.throttled,
    failedPutCount: round.failedPutCount,
    durationMs,
  });
}

/** Adds one call's results to the outcome and the accepted entries' record ids. */
function countRound(
  round: RoundResult,
  records: readonly Uint8Array[],
  outcome: SendOutcome,
  recordIds: Map<number, string>,
): void {
  outcome.failedPutCount += round.failedPutCount;
  outcome.throttledEntries += round.throttled;
  for (const { index, recordId } of round.accepted) {
    outcome.accepted += 1;
    outcome.acceptedBytes += records[index]?.byteLength ?? 0;
    if (recordId !== undefined) recordIds.set(index, recordId);
  }
}

/** After a round with failures: how long to wait before the next, or why to give up instead. */
function nextStep(
  round: RoundResult,
  report: CallReport,
  elapsedMs: number,
  policy: RetryPolicy,
  deps: SenderDeps,
): { delayMs: number; giveUp: keyof typeof GiveUpReason | undefined } {
  const { attempt } = report;
  // Throttling clears only with the next quota window (unless the pacing knows the throttle for
  // jitter); any other failure may clear at once.
  const onlyThrottled =
    round.callThrottled === true || (round.throttled > 0 && round.throttled === round.failed.length);
  const delayMs =
    attempt >= policy.maxAttempts
      ? 0
      : onlyThrottled
        ? (deps.throttledRetryDelay?.(report) ?? throttledDelay(attempt - 1, policy, deps.random, deps.now()))
        : fullJitterDelay(attempt - 1, policy, deps.random);
  const giveUp =
    attempt >= policy.maxAttempts
      ? GiveUpReason.maxAttempts
      : elapsedMs + delayMs > policy.budgetMs
        ? GiveUpReason.budget
        : undefined;
  return { delayMs, giveUp };
}

/** What the pacing hooks learn of one call. */
function callReport(
  round: RoundResult,
  records: readonly Uint8Array[],
  call: { attempt: number; pending: readonly number[]; bytes: number },
  sentAtMs: number,
): CallReport {
  const { attempt, pending, bytes } = call;
  return {
    attempt,
    entries: pending.length,
    throttled: round.callThrottled ? pending.length : round.throttled,
    bytes,
    throttledBytes: round.callThrottled ? bytes : sumBytes(records, throttledIndices(round)),
    sentAtMs,
  };
}

/** Entries a response throttled one by one (ServiceUnavailableException as their own error code). */
function throttledIndices(round: RoundResult): number[] {
  if (round.throttled === 0) return [];
  return round.failed.filter((f) => f.errorCode === ENTRY_THROTTLED_CODE).map((f) => f.index);
}

// Firehose's per-entry ErrorCode for an entry over the stream's quota.
const ENTRY_THROTTLED_CODE = 'ServiceUnavailableException';

export function sumBytes(records: readonly Uint8Array[], indices: readonly number[]): number {
  let total = 0;
  for (const i of indices) total += records[i]?.byteLength ?? 0;
  return total;
}

function countCodes(failures: readonly EntryFailure[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { errorCode } of failures) counts[errorCode] = (counts[errorCode] ?? 0) + 1;
  return counts;
}
