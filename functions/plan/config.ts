import type { InputFormat } from '../shared/chunk';
import { booleanSetting, type Env, integerSetting, optionalString, requireString } from '../shared/env';
import { ConfigError } from '../shared/errors';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_DISTRIBUTED_MAP_CONCURRENCY } from '../shared/limits';
import { type StreamQuota, statedQuotaFrom } from '../shared/quota/quota';

/** The most re-queue rounds a run may ask for: each round waits longer, more would only add delay. */
export const MAX_REQUEUE_ROUNDS = 10;

export const INPUT_FORMATS = ['auto', 'json', 'jsonl', 'lines'] as const satisfies readonly InputFormat[];

export interface PlanDefaults {
  sourceKey: string;
  format: InputFormat;
  individualRecords: number;
  pack: boolean;
  maxConcurrency: number;
  requeueRounds: number;
}

export interface PlanConfig {
  sourceBucket: string;
  artifactBucket: string;
  defaults: PlanDefaults;
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** What Plan needs to find the stream's quota (quota/find-quota.ts). */
  quota: PlanQuotaConfig;
}

export interface PlanQuotaConfig {
  /** DELIVERY_STREAM_NAME; without it the quota cannot be looked up, only stated or assumed. */
  streamName: string | undefined;
  /** The region decides the default quota when CloudWatch has no datapoint (AWS_REGION, set by Lambda). */
  region: string | undefined;
  /** STREAM_*_PER_SECOND: a stated quota overrides what CloudWatch says, field by field. */
  stated: Partial<StreamQuota>;
}

export function loadPlanConfig(env: Env = process.env): PlanConfig {
  const format = optionalString(env, 'DEFAULT_FORMAT', 'auto');
  if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(
      `environment variable DEFAULT_FORMAT must be one of ${INPUT_FORMATS.join(', ')}, got "${format}"`,
    );
  }
  return {
    sourceBucket: requireString(env, 'SOURCE_BUCKET'),
    artifactBucket: requireString(env, 'ARTIFACT_BUCKET'),
    defaults: {
      sourceKey: optionalString(env, 'DEFAULT_SOURCE_KEY', 'samples/sample_records.json'),
      format: format as InputFormat,
      individualRecords: integerSetting(env, 'DEFAULT_INDIVIDUAL_RECORDS', {
        min: 0,
        max: 1_000_000,
        fallback: 0,
      }),
      pack: booleanSetting(env, 'DEFAULT_PACK', false),
      maxConcurrency: integerSetting(env, 'DEFAULT_MAX_CONCURRENCY', {
        min: 1,
        max: MAX_DISTRIBUTED_MAP_CONCURRENCY,
        fallback: 40,
      }),
      requeueRounds: integerSetting(env, 'DEFAULT_REQUEUE_ROUNDS', {
        min: 0,
        max: MAX_REQUEUE_ROUNDS,
        fallback: 3,
      }),
    },
    maxBatchRecords: integerSetting(env, 'MAX_BATCH_RECORDS', {
      min: 1,
      max: MAX_BATCH_RECORDS,
      fallback: MAX_BATCH_RECORDS,
    }),
    maxBatchBytes: integerSetting(env, 'MAX_BATCH_BYTES', {
      min: 1,
      max: MAX_BATCH_BYTES,
      fallback: MAX_BATCH_BYTES,
    }),
    quota: {
      streamName: env.DELIVERY_STREAM_NAME?.trim() || undefined,
      region: env.AWS_REGION?.trim() || undefined,
      stated: statedQuotaFrom(env),
    },
  };
}
