import fc from 'fast-check';
import { ConfigError } from '../../../functions/shared/errors';
import { fullJitterDelay } from '../../../functions/shared/firehose/backoff';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from '../../../functions/shared/firehose/retry-policy';

describe('resolveRetryPolicy', () => {
  it('fills every unset field from the default policy', () => {
    expect(resolveRetryPolicy({})).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({ maxAttempts: 3 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 3 });
  });

  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts'],
    [{ maxAttempts: 2.5 }, 'maxAttempts'],
    [{ maxAttempts: Number.NaN }, 'maxAttempts'],
    [{ baseDelayMs: -1 }, 'baseDelayMs'],
    [{ throttleWindowMs: -1 }, 'throttleWindowMs'],
    [{ maxDelayMs: 50, baseDelayMs: 100 }, 'maxDelayMs'],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, 'maxDelayMs'],
    [{ budgetMs: -5 }, 'budgetMs'],
  ])('rejects %j with a ConfigError naming %s', (input, setting) => {
    expect(() => resolveRetryPolicy(input)).toThrow(ConfigError);
    expect(() => resolveRetryPolicy(input)).toThrow(new RegExp(`retry setting ${setting}:`));
  });
});

describe('fullJitterDelay', () => {
  const policy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 5_000, budgetMs: 60_000 };

  it('stays within [0, min(cap, base * 2^attempt)] for any attempt and any random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true }),
        (attempt, r) => {
          const delay = fullJitterDelay(attempt, policy, () => r);
          return delay >= 0 && delay <= Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
        },
      ),
    );
  });

  it('doubles the window each retry until the cap', () => {
    const almostOne = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((a) => fullJitterDelay(a, policy, almostOne))).toEqual([
      99, 199, 399, 799, 1599, 3199, 4999, 4999,
    ]);
  });

  it('keeps the delay inside the window even when the random source misbehaves', () => {
    expect(fullJitterDelay(0, policy, () => 7)).toBe(100);
    expect(fullJitterDelay(0, policy, () => -1)).toBe(0);
    expect(fullJitterDelay(0, policy, () => Number.NaN)).toBe(0);
  });
});
