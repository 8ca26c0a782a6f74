import { ConfigError } from '../errors';

/** How hard the sender tries before it hands the remaining records back to its caller. */
export interface RetryPolicy {
  /** Rounds of sending, the first included (1 = no retry). */
  maxAttempts: number;
  /** Ceiling of the first retry's delay; it doubles on each further retry. */
  baseDelayMs: number;
  /** The delay ceiling never grows beyond this. */
  maxDelayMs: number;
  /** Total time a send may take, from its first call; no sleep may end past it. */
  budgetMs: number;
  /**
   * The stream quota's window (Firehose quotas are per second). When every failure of an attempt is
   * throttling, the retry waits for the next window first, then the usual full jitter on top. 0 or
   * unset: throttling backs off like any other failure.
   */
  throttleWindowMs?: number;
}

/**
 * Why these values: Firehose quotas are per second, so a throttled stream needs a few one-second
 * windows to recover; ceilings of 0.1, 0.2, 0.4 … 3.2 s then 5 s give seven retries over at most
 * ~11 s of sleep (expected ~5.6 s with full jitter), enough to ride out a burst. Other failures wait
 * `random(0, min(cap, base·2^attempt))`. A throttled attempt cannot succeed before the quota's next
 * one-second window, so it waits for that window, then the same jitter: retrying after 100 ms only
 * spent calls against the requests quota, several per call that was needed. The 20 s budget keeps
 * a PutBatch invocation short: it runs in an Express child execution (5 minutes at most, Step
 * Functions' own retries included); what is still failed after it goes back to the state machine,
 * which re-queues it in a later round instead of one Lambda spinning on a saturated stream.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 8,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  budgetMs: 20_000,
  throttleWindowMs: 1_000,
});

// More attempts than this is a misconfiguration (a typo'd extra digit), not a strategy.
const MAX_ATTEMPTS_LIMIT = 100;

/** Fills unset fields from DEFAULT_RETRY_POLICY and rejects values the loop cannot work with. */
export function resolveRetryPolicy(input: Partial<RetryPolicy>): RetryPolicy {
  const policy: RetryPolicy = {
    maxAttempts: input.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    baseDelayMs: input.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: input.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    budgetMs: input.budgetMs ?? DEFAULT_RETRY_POLICY.budgetMs,
    throttleWindowMs: input.throttleWindowMs ?? DEFAULT_RETRY_POLICY.throttleWindowMs,
  };
  const { maxAttempts, baseDelayMs, maxDelayMs, budgetMs, throttleWindowMs = 0 } = policy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
    throw invalid('maxAttempts', `an integer from 1 to ${MAX_ATTEMPTS_LIMIT}`, maxAttempts);
  }
  if (!isNonNegative(baseDelayMs)) throw invalid('baseDelayMs', 'a number of milliseconds ≥ 0', baseDelayMs);
  if (!isNonNegative(maxDelayMs) || maxDelayMs < baseDelayMs) {
    throw invalid('maxDelayMs', `a number of milliseconds ≥ baseDelayMs (${baseDelayMs})`, maxDelayMs);
  }
  if (!isNonNegative(budgetMs)) throw invalid('budgetMs', 'a number of milliseconds ≥ 0', budgetMs);
  if (!isNonNegative(throttleWindowMs))
    throw invalid('throttleWindowMs', 'a number of milliseconds ≥ 0', throttleWindowMs);
  return policy;
}

function isNonNegative(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

function invalid(setting: keyof RetryPolicy, expected: string, got: unknown): ConfigError {
  return new ConfigError(`Invalid retry setting ${setting}: expected ${expected}, got ${String(got)}`);
}
