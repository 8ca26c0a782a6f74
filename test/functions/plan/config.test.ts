import { load as loadAdvanceRoundConfig } from '../../../functions/advance-round/config';
import { load as loadCheckMetricsConfig } from '../../../functions/check-metrics/config';
import { load as loadPlanConfig } from '../../../functions/plan/config';
import { load as loadPutBatchConfig } from '../../../functions/put-batch/config';
import type { Env } from '../../../functions/shared/env';
import { ConfigError } from '../../../functions/shared/errors';
import { DEFAULT_RETRY_POLICY } from '../../../functions/shared/firehose';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from '../../../functions/shared/limits';
import { DEFAULT_METRICS_NAMESPACE } from '../../../functions/shared/metrics-namespace';

/** The ConfigError message a loader throws for `env`; fails the test when it throws nothing or something else. */
function configError(load: (env: Env) => unknown, env: Env): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe('ConfigError');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const without = (env: Env, name: string): Env =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));

describe('loadPlanConfig', () => {
  const required = { SOURCE_BUCKET: 'source-bucket', ARTIFACT_BUCKET: 'artifact-bucket' };

  it('fills every default when only the buckets are set', () => {
    expect(loadPlanConfig(required)).toEqual({
      sourceBucket: 'source-bucket',
      artifactBucket: 'artifact-bucket',
      defaults: {
        sourceKey: 'samples/sample_records.json',
        format: 'auto',
        individualRecords: 0,
        pack: false,
        maxConcurrency: 40,
        requeueRounds: 3,
      },
      maxBatchRecords: MAX_BATCH_RECORDS,
      maxBatchBytes: MAX_BATCH_BYTES,
      quota: { streamName: undefined, region: undefined, stated: {} },
    });
  });

  it('reads the stream name, the region and a stated quota for finding the stream quota', () => {
    const config = loadPlanConfig({
      ...required,
      DELIVERY_STREAM_NAME: ' orders ',
      AWS_REGION: 'eu-central-1',
      STREAM_BYTES_PER_SECOND: '2097152',
    });
    expect(config.quota).toEqual({
      streamName: 'orders',
      region: 'eu-central-1',
      stated: { bytesPerSecond: 2_097_152 },
    });
  });

  it.each(['SOURCE_BUCKET', 'ARTIFACT_BUCKET'])('refuses a missing or blank %s, naming it', (name) => {
    expect(configError(loadPlanConfig, without(required, name))).toBe(
      `environment variable ${name} is required but not set`,
    );
    expect(configError(loadPlanConfig, { ...required, [name]: '   ' })).toBe(
      `environment variable ${name} is required but not set`,
    );
  });

  it('trims the values it reads', () => {
    const config = loadPlanConfig({
      SOURCE_BUCKET: ' source-bucket ',
      ARTIFACT_BUCKET: 'a',
      DEFAULT_MAX_CONCURRENCY: ' 7 ',
    });
    expect(config.sourceBucket).toBe('source-bucket');
    expect(config.defaults.maxConcurrency).toBe(7);
  });

  it('refuses an unknown DEFAULT_FORMAT, naming the variable and the choices', () => {
    expect(configError(loadPlanConfig, { ...required, DEFAULT_FORMAT: 'csv' })).toBe(
      'environment variable DEFAULT_FORMAT must be one of auto, json, jsonl, lines, got "csv"',
    );
  });

  it.each([
    ['DEFAULT_INDIVIDUAL_RECORDS', '-1', 0, 1_000_000],
    ['DEFAULT_INDIVIDUAL_RECORDS', '1000001', 0, 1_000_000],
    ['DEFAULT_MAX_CONCURRENCY', '0', 1, 10_000],
    ['DEFAULT_MAX_CONCURRENCY', '10001', 1, 10_000],
    ['DEFAULT_MAX_CONCURRENCY', 'forty', 1, 10_000],
    ['DEFAULT_REQUEUE_ROUNDS', '11', 0, 10],
    ['DEFAULT_REQUEUE_ROUNDS', '1.5', 0, 10],
    ['MAX_BATCH_RECORDS', '501', 1, MAX_BATCH_RECORDS],
    ['MAX_BATCH_RECORDS', '0', 1, MAX_BATCH_RECORDS],
    ['MAX_BATCH_BYTES', String(MAX_BATCH_BYTES + 1), 1, MAX_BATCH_BYTES],
  ])('refuses %s=%s, naming the variable and the range %d to %d', (name, value, min, max) => {
    expect(configError(loadPlanConfig, { ...required, [name]: value })).toBe(
      `environment variable ${name} must be a whole number from ${min} to ${max}, got "${value}"`,
    );
  });

  it('reads DEFAULT_PACK as true/false or 1/0 in any case, and refuses anything else naming the variable', () => {
    expect(loadPlanConfig({ ...required, DEFAULT_PACK: 'TRUE' }).defaults.pack).toBe(true);
    expect(loadPlanConfig({ ...required, DEFAULT_PACK: '1' }).defaults.pack).toBe(true);
    expect(loadPlanConfig({ ...required, DEFAULT_PACK: 'False' }).defaults.pack).toBe(false);
    expect(loadPlanConfig({ ...required, DEFAULT_PACK: '0' }).defaults.pack).toBe(false);
    expect(configError(loadPlanConfig, { ...required, DEFAULT_PACK: 'yes' })).toBe(
      'environment variable DEFAULT_PACK must be true or false, got "yes"',
    );
  });
});

describe('loadPutBatchConfig', () => {
  const required = {
    DELIVERY_STREAM_NAME: 'stream',
    SOURCE_BUCKET: 'source-bucket',
    ARTIFACT_BUCKET: 'artifact-bucket',
  };

  it('uses the default retry policy when no retry variable is set', () => {
    expect(loadPutBatchConfig(required)).toEqual({
      streamName: 'stream',
      sourceBucket: 'source-bucket',
      artifactBucket: 'artifact-bucket',
      retry: DEFAULT_RETRY_POLICY,
      // No stream quota stated: PutBatch paces to the one Plan found.
      quota: {},
      pacing: true,
      // The Lambda timeout (budget + 20 s headroom) plus a 15 s margin: 20 + 20 + 15 s.
      claimTakeoverAfterMs: 55_000,
    });
  });

  it('takes CLAIM_TAKEOVER_AFTER_MS as set, 0 included (a resumed run whose old owner is known dead)', () => {
    expect(loadPutBatchConfig({ ...required, CLAIM_TAKEOVER_AFTER_MS: '0' }).claimTakeoverAfterMs).toBe(0);
    expect(loadPutBatchConfig({ ...required, CLAIM_TAKEOVER_AFTER_MS: '90000' }).claimTakeoverAfterMs).toBe(
      90_000,
    );
    expect(configError(loadPutBatchConfig, { ...required, CLAIM_TAKEOVER_AFTER_MS: '-1' })).toContain(
      'CLAIM_TAKEOVER_AFTER_MS',
    );
  });

  it('derives the default takeover limit from RETRY_BUDGET_MS, as the Lambda timeout is', () => {
    expect(loadPutBatchConfig({ ...required, RETRY_BUDGET_MS: '5000' }).claimTakeoverAfterMs).toBe(40_000);
  });

  it('reads every retry variable', () => {
    expect(
      loadPutBatchConfig({
        ...required,
        RETRY_MAX_ATTEMPTS: '3',
        RETRY_BASE_DELAY_MS: '50',
        RETRY_MAX_DELAY_MS: '400',
        RETRY_BUDGET_MS: '10000',
        RETRY_THROTTLE_WINDOW_MS: '500',
      }).retry,
    ).toEqual({ maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 400, budgetMs: 10_000, throttleWindowMs: 500 });
  });

  it.each(['DELIVERY_STREAM_NAME', 'SOURCE_BUCKET', 'ARTIFACT_BUCKET'])(
    'refuses a missing %s, naming it',
    (name) => {
      expect(configError(loadPutBatchConfig, without(required, name))).toBe(
        `environment variable ${name} is required but not set`,
      );
    },
  );

  it.each([
    ['RETRY_MAX_ATTEMPTS', '0', 1, 100],
    ['RETRY_MAX_ATTEMPTS', '101', 1, 100],
    ['RETRY_BASE_DELAY_MS', '-1', 0, 60_000],
    ['RETRY_MAX_DELAY_MS', '300001', 0, 300_000],
    ['RETRY_BUDGET_MS', '900001', 0, 900_000],
    ['RETRY_BUDGET_MS', '1e3x', 0, 900_000],
  ])('refuses %s=%s, naming the variable and the range %d to %d', (name, value, min, max) => {
    expect(configError(loadPutBatchConfig, { ...required, [name]: value })).toBe(
      `environment variable ${name} must be a whole number from ${min} to ${max}, got "${value}"`,
    );
  });

  it('refuses a base delay above the max delay, naming RETRY_BASE_DELAY_MS and RETRY_MAX_DELAY_MS', () => {
    const message = configError(loadPutBatchConfig, {
      ...required,
      RETRY_BASE_DELAY_MS: '1000',
      RETRY_MAX_DELAY_MS: '500',
    });
    expect(message).toContain('RETRY_BASE_DELAY_MS');
    expect(message).toContain('RETRY_MAX_DELAY_MS');
  });
});

describe('loadAdvanceRoundConfig', () => {
  const required = { ARTIFACT_BUCKET: 'artifact-bucket', DELIVERY_STREAM_NAME: 'stream' };

  it('defaults the metrics namespace', () => {
    expect(loadAdvanceRoundConfig(required)).toEqual({
      artifactBucket: 'artifact-bucket',
      streamName: 'stream',
      metricsNamespace: DEFAULT_METRICS_NAMESPACE,
    });
    expect(loadAdvanceRoundConfig({ ...required, METRICS_NAMESPACE: 'Mine' }).metricsNamespace).toBe('Mine');
  });

  it.each(['ARTIFACT_BUCKET', 'DELIVERY_STREAM_NAME'])('refuses a missing %s, naming it', (name) => {
    expect(configError(loadAdvanceRoundConfig, without(required, name))).toBe(
      `environment variable ${name} is required but not set`,
    );
  });
});

describe('loadCheckMetricsConfig', () => {
  it('defaults the metrics namespace and refuses a missing DELIVERY_STREAM_NAME, naming it', () => {
    expect(loadCheckMetricsConfig({ DELIVERY_STREAM_NAME: 'stream' })).toEqual({
      streamName: 'stream',
      metricsNamespace: DEFAULT_METRICS_NAMESPACE,
    });
    expect(
      loadCheckMetricsConfig({ DELIVERY_STREAM_NAME: 'stream', METRICS_NAMESPACE: ' ' }).metricsNamespace,
    ).toBe(DEFAULT_METRICS_NAMESPACE);
    expect(configError(loadCheckMetricsConfig, {})).toBe(
      'environment variable DELIVERY_STREAM_NAME is required but not set',
    );
  });
});
