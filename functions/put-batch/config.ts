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
  /** A chunk's claim older than this is taken over (claim.ts); 0: any unfinished claim, at once. */
  claimTakeoverAfterMs: number;
}

// Beyond the retry budget, a PutBatch invocation reads its range, makes one last Firehose call (10 s at
// most) and writes its outcome; the CDK stack sets the Lambda timeout to budget + this headroom.
export const PUT_BATCH_TIMEOUT_HEADROOM_MS = 20_000;
// A claim is taken over only once its owner is surely dead: past the owner's Lambda timeout, plus time
// for a request it sent just before being stopped to reach Firehose, and for clock differences.
export const CLAIM_TAKEOVER_MARGIN_MS = 15_000;

/** The PutBatch Lambda timeout for a retry budget; the CDK stack and the default takeover limit share it. */
export const putBatchTimeoutMs = (budgetMs: number): number => budgetMs + PUT_BATCH_TIMEOUT_HEADROOM_MS;
export const defaultClaimTakeoverAfterMs = (timeoutMs: number): number =>
  timeoutMs + CLAIM_TAKEOVER_MARGIN_MS;

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
  // 0 is for a run resumed on one machine whose data-folder lock proves the old owner dead.
  const claimTakeoverAfterMs = integerSetting(env, 'CLAIM_TAKEOVER_AFTER_MS', {
    min: 0,
    max: 2 * MAX_BUDGET_MS,
    fallback: defaultClaimTakeoverAfterMs(putBatchTimeoutMs(budgetMs)),
  });
  return {
    streamName: requireString(env, 'DELIVERY_STREAM_NAME'),
    sourceBucket: requireString(env, 'SOURCE_BUCKET'),
    artifactBucket: requireString(env, 'ARTIFACT_BUCKET'),
    retry: resolveRetryPolicy({ maxAttempts, baseDelayMs, maxDelayMs, budgetMs, throttleWindowMs }),
    quota: statedQuotaFrom(env),
    pacing: booleanSetting(env, 'PACE_TO_QUOTA', true),
    claimTakeoverAfterMs,
  };
}
