import { booleanSetting, type Env, integerSetting, requireString } from '../shared/env';
import { ConfigError } from '../shared/errors';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, resolveRetryPolicy } from '../shared/firehose/retry-policy';
import { type StreamQuota, statedQuotaFrom } from '../shared/quota/quota';

export interface PutBatchConfig {
  streamName: string;
  sourceBucket: string;
  artifactBucket: string;
  retry: RetryPolicy;
  /** A quota the deployment states (STREAM_*_PER_SECOND): overrides the run's, field by field. */
  quota: Partial<StreamQuota>;
  /** PACE_TO_QUOTA (default true); false leaves throttling to the retries alone (comparison runs). */
  pacing: boolean;
}

// The Lambda's own retry budget must end well inside its timeout; 15 minutes is Lambda's maximum.
const MAX_BUDGET_MS = 15 * 60 * 1000;

export function loadPutBatchConfig(env: Env = process.env): PutBatchConfig {
  const maxAttempts = integerSetting(env, 'RETRY_MAX_ATTEMPTS', {
    min: 1,
    max: 100,
    fallback: DEFAULT_RETRY_POLICY.maxAttempts,
  });
  const baseDelayMs = integerSetting(env, 'RETRY_BASE_DELAY_MS', {
    min: 0,
    max: 60_000,
    fallback: DEFAULT_RETRY_POLICY.baseDelayMs,
  });
  const maxDelayMs = integerSetting(env, 'RETRY_MAX_DELAY_MS', {
    min: 0,
    max: 300_000,
    fallback: DEFAULT_RETRY_POLICY.maxDelayMs,
  });
  const budgetMs = integerSetting(env, 'RETRY_BUDGET_MS', {
    min: 0,
    max: MAX_BUDGET_MS,
    fallback: DEFAULT_RETRY_POLICY.budgetMs,
  });
  const throttleWindowMs = integerSetting(env, 'RETRY_THROTTLE_WINDOW_MS', {
    min: 0,
    max: 60_000,
    fallback: DEFAULT_RETRY_POLICY.throttleWindowMs ?? 0,
  });
  // Checked here, not only in resolveRetryPolicy, so the message names the variables a person set.
  if (maxDelayMs < baseDelayMs) {
    throw new ConfigError(
      `environment variable RETRY_MAX_DELAY_MS (${maxDelayMs}) must be at least RETRY_BASE_DELAY_MS (${baseDelayMs})`,
    );
  }
  return {
    streamName: requireString(env, 'DELIVERY_STREAM_NAME'),
    sourceBucket: requireString(env, 'SOURCE_BUCKET'),
    artifactBucket: requireString(env, 'ARTIFACT_BUCKET'),
    retry: resolveRetryPolicy({ maxAttempts, baseDelayMs, maxDelayMs, budgetMs, throttleWindowMs }),
    quota: statedQuotaFrom(env),
    pacing: booleanSetting(env, 'PACE_TO_QUOTA', true),
  };
}
