import {
  booleanSetting,
  type ConfigPart,
  type Env,
  type Environment,
  environmentOf,
  integerSetting,
  RESOURCE_VARIABLES,
  requireString,
} from '../shared/env';
import { ConfigError } from '../shared/errors';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, resolveRetryPolicy } from '../shared/firehose/retry-policy';
import { type StreamQuota, statedQuotaEnvironment, statedQuotaFrom } from '../shared/quota/quota';

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

// The retry budget is the invocation's one deadline for every wait (claim polls, pacing, retries);
// beyond it a PutBatch invocation makes one last Firehose call (10 s at most) and writes its outcome;
// the CDK stack sets the Lambda timeout to budget + this headroom.
export const PUT_BATCH_TIMEOUT_HEADROOM_MS = 20_000;
// Of that headroom, retries of the outcome writes (retry-write.ts) sleep no later than this past the
// budget: the last call's 10 s and the writes themselves still fit in what is left.
export const OUTCOME_WRITE_GRACE_MS = 5_000;
// A claim is taken over only once its owner is surely dead: past the owner's Lambda timeout, plus time
// for a request it sent just before being stopped to reach Firehose, and for clock differences.
export const CLAIM_TAKEOVER_MARGIN_MS = 15_000;

/** The PutBatch Lambda timeout for a retry budget; the CDK stack and the default takeover limit share it. */
export const putBatchTimeoutMs = (budgetMs: number): number => budgetMs + PUT_BATCH_TIMEOUT_HEADROOM_MS;
export const defaultClaimTakeoverAfterMs = (timeoutMs: number): number =>
  timeoutMs + CLAIM_TAKEOVER_MARGIN_MS;

// The Lambda's own retry budget must end well inside its timeout; 15 minutes is Lambda's maximum.
const MAX_BUDGET_MS = 15 * 60 * 1000;

/** The variables PutBatch reads, by the config field each sets (`retry.*` flat; STATED_QUOTA_VARIABLES for `quota`). */
export const PUT_BATCH_VARIABLES = {
  streamName: RESOURCE_VARIABLES.streamName,
  sourceBucket: RESOURCE_VARIABLES.sourceBucket,
  artifactBucket: RESOURCE_VARIABLES.artifactBucket,
  maxAttempts: 'RETRY_MAX_ATTEMPTS',
  baseDelayMs: 'RETRY_BASE_DELAY_MS',
  maxDelayMs: 'RETRY_MAX_DELAY_MS',
  budgetMs: 'RETRY_BUDGET_MS',
  throttleWindowMs: 'RETRY_THROTTLE_WINDOW_MS',
  pacing: 'PACE_TO_QUOTA',
  claimTakeoverAfterMs: 'CLAIM_TAKEOVER_AFTER_MS',
} as const;

const VARIABLES = PUT_BATCH_VARIABLES;

export function load(env: Env = process.env): PutBatchConfig {
  const maxAttempts = integerSetting(env, VARIABLES.maxAttempts, {
    min: 1,
    max: 100,
    fallback: DEFAULT_RETRY_POLICY.maxAttempts,
  });
  const baseDelayMs = integerSetting(env, VARIABLES.baseDelayMs, {
    min: 0,
    max: 60_000,
    fallback: DEFAULT_RETRY_POLICY.baseDelayMs,
  });
  const maxDelayMs = integerSetting(env, VARIABLES.maxDelayMs, {
    min: 0,
    max: 300_000,
    fallback: DEFAULT_RETRY_POLICY.maxDelayMs,
  });
  const budgetMs = integerSetting(env, VARIABLES.budgetMs, {
    min: 0,
    max: MAX_BUDGET_MS,
    fallback: DEFAULT_RETRY_POLICY.budgetMs,
  });
  const throttleWindowMs = integerSetting(env, VARIABLES.throttleWindowMs, {
    min: 0,
    max: 60_000,
    fallback: DEFAULT_RETRY_POLICY.throttleWindowMs ?? 0,
  });
  // Checked here, not only in resolveRetryPolicy, so the message names the variables a person set.
  if (maxDelayMs < baseDelayMs) {
    throw new ConfigError(
      `environment variable ${VARIABLES.maxDelayMs} (${maxDelayMs}) must be at least ${VARIABLES.baseDelayMs} (${baseDelayMs})`,
    );
  }
  // 0 is for a run resumed on one machine whose data-folder lock proves the old owner dead.
  const claimTakeoverAfterMs = integerSetting(env, VARIABLES.claimTakeoverAfterMs, {
    min: 0,
    max: 2 * MAX_BUDGET_MS,
    fallback: defaultClaimTakeoverAfterMs(putBatchTimeoutMs(budgetMs)),
  });
  return {
    streamName: requireString(env, VARIABLES.streamName),
    sourceBucket: requireString(env, VARIABLES.sourceBucket),
    artifactBucket: requireString(env, VARIABLES.artifactBucket),
    retry: resolveRetryPolicy({ maxAttempts, baseDelayMs, maxDelayMs, budgetMs, throttleWindowMs }),
    quota: statedQuotaFrom(env),
    pacing: booleanSetting(env, VARIABLES.pacing, true),
    claimTakeoverAfterMs,
  };
}

/**
 * The environment `load` reads `config` back from; a field left out is left to load's fallback (or to
 * a variable already in the process environment, locally), and a stated quota, once given, is written
 * whole (0 for a field to be found).
 */
export function toEnvironment(config: ConfigPart<PutBatchConfig>): Environment {
  const { retry, quota } = config;
  return {
    ...environmentOf(VARIABLES, {
      streamName: config.streamName,
      sourceBucket: config.sourceBucket,
      artifactBucket: config.artifactBucket,
      ...retry,
      pacing: config.pacing,
      claimTakeoverAfterMs: config.claimTakeoverAfterMs,
    }),
    ...(quota ? statedQuotaEnvironment(quota) : {}),
  };
}
