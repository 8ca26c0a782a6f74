import type { RetryPolicy } from './retry-policy';

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff and Jitter): a uniform delay in
 * [0, min(cap, base · 2^attempt)]. Spreading retries over the whole window keeps many chunks that
 * were throttled together from coming back together.
 *
 * `attempt` is the 0-based number of the retry: the first retry waits at most `baseDelayMs`.
 */
export function fullJitterDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  // 2 ** 1100 is Infinity and Math.min copes with that, so large attempts need no special case.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt));
  const r = random();
  // A misbehaving random source (NaN, 1.5) must not push the delay outside the window.
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
  return Math.floor(unit * ceiling);
}

/**
 * The delay before retrying an attempt whose failures were all throttling: until the next quota
 * window of `throttleWindowMs` (windows of the wall clock, `now` in ms), plus the full-jitter delay
 * above. Without a window it is the full-jitter delay alone.
 */
export function throttledDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  now: number,
): number {
  const jitter = fullJitterDelay(attempt, policy, random);
  const window = policy.throttleWindowMs ?? 0;
  if (!(window > 0)) return jitter;
  return window - (((now % window) + window) % window) + jitter;
}
