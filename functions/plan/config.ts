import { InputFormat } from '../shared/chunk';
import {
  booleanSetting,
  type ConfigPart,
  type Env,
  type Environment,
  environmentOf,
  integerSetting,
  optionalString,
  RESOURCE_VARIABLES,
  requireString,
} from '../shared/env';
import { ConfigError } from '../shared/errors';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_DISTRIBUTED_MAP_CONCURRENCY } from '../shared/limits';
import { type StreamQuota, statedQuotaEnvironment, statedQuotaFrom } from '../shared/quota/quota';

/** The most re-queue rounds a run may ask for: each round waits longer, more would only add delay. */
export const MAX_REQUEUE_ROUNDS = 10;

/** The ranges of a run's settings: the deployment's defaults, the execution input and the CLI keep to them. */
export const RUN_SETTING_RANGES = {
  maxConcurrency: { min: 1, max: MAX_DISTRIBUTED_MAP_CONCURRENCY },
  requeueRounds: { min: 0, max: MAX_REQUEUE_ROUNDS },
} as const;

// The deployment's default of individual records stays below this; an execution input may ask for more.
const MAX_DEFAULT_INDIVIDUAL_RECORDS = 1_000_000;

export const INPUT_FORMATS: readonly InputFormat[] = Object.values(InputFormat);

/** What a run gets for each setting its execution input leaves out: the deployment's value, else PLAN_FALLBACKS. */
export interface ExecutionDefaults {
  sourceKey: string;
  format: InputFormat;
  individualRecords: number;
  pack: boolean;
  maxConcurrency: number;
  requeueRounds: number;
}

/** What a run gets when neither its input nor the deployment says otherwise. */
export const PLAN_FALLBACKS = {
  sourceKey: 'samples/sample_records.json',
  format: InputFormat.auto,
  individualRecords: 0,
  pack: false,
  maxConcurrency: 40,
  requeueRounds: 3,
} as const satisfies ExecutionDefaults;

export interface PlanConfig {
  sourceBucket: string;
  artifactBucket: string;
  defaults: ExecutionDefaults;
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

/** The variables Plan reads, by the config field each sets (and STATED_QUOTA_VARIABLES for `quota.stated`). */
export const PLAN_VARIABLES = {
  sourceBucket: RESOURCE_VARIABLES.sourceBucket,
  artifactBucket: RESOURCE_VARIABLES.artifactBucket,
  sourceKey: 'DEFAULT_SOURCE_KEY',
  format: 'DEFAULT_FORMAT',
  individualRecords: 'DEFAULT_INDIVIDUAL_RECORDS',
  pack: 'DEFAULT_PACK',
  maxConcurrency: 'DEFAULT_MAX_CONCURRENCY',
  requeueRounds: 'DEFAULT_REQUEUE_ROUNDS',
  maxBatchRecords: 'MAX_BATCH_RECORDS',
  maxBatchBytes: 'MAX_BATCH_BYTES',
  streamName: RESOURCE_VARIABLES.streamName,
  // Lambda sets it for every function ("Defined runtime environment variables": reserved, a function
  // may not set it itself), so toEnvironment never writes it; the local runner sets it as Lambda would.
  region: 'AWS_REGION',
} as const;

const VARIABLES = PLAN_VARIABLES;

export function load(env: Env = process.env): PlanConfig {
  const defaults = loadDefaults(env);
  return {
    sourceBucket: requireString(env, VARIABLES.sourceBucket),
    artifactBucket: requireString(env, VARIABLES.artifactBucket),
    defaults,
    maxBatchRecords: integerSetting(env, VARIABLES.maxBatchRecords, {
      min: 1,
      max: MAX_BATCH_RECORDS,
      fallback: MAX_BATCH_RECORDS,
    }),
    maxBatchBytes: integerSetting(env, VARIABLES.maxBatchBytes, {
      min: 1,
      max: MAX_BATCH_BYTES,
      fallback: MAX_BATCH_BYTES,
    }),
    quota: {
      streamName: env[VARIABLES.streamName]?.trim() || undefined,
      region: env[VARIABLES.region]?.trim() || undefined,
      stated: statedQuotaFrom(env),
    },
  };
}

function loadDefaults(env: Env): ExecutionDefaults {
  const format = optionalString(env, VARIABLES.format, PLAN_FALLBACKS.format);
  if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(
      `environment variable ${VARIABLES.format} must be one of ${INPUT_FORMATS.join(', ')}, got "${format}"`,
    );
  }
  return {
    sourceKey: optionalString(env, VARIABLES.sourceKey, PLAN_FALLBACKS.sourceKey),
    format: format as InputFormat,
    individualRecords: integerSetting(env, VARIABLES.individualRecords, {
      min: 0,
      max: MAX_DEFAULT_INDIVIDUAL_RECORDS,
      fallback: PLAN_FALLBACKS.individualRecords,
    }),
    pack: booleanSetting(env, VARIABLES.pack, PLAN_FALLBACKS.pack),
    maxConcurrency: integerSetting(env, VARIABLES.maxConcurrency, {
      ...RUN_SETTING_RANGES.maxConcurrency,
      fallback: PLAN_FALLBACKS.maxConcurrency,
    }),
    requeueRounds: integerSetting(env, VARIABLES.requeueRounds, {
      ...RUN_SETTING_RANGES.requeueRounds,
      fallback: PLAN_FALLBACKS.requeueRounds,
    }),
  };
}

/**
 * The environment `load` reads `config` back from; a field left out is left to load's fallback, and
 * a stated quota, once given, is written whole (0 for a field to be found). `quota.region` is not
 * written: it is Lambda's own AWS_REGION.
 */
export function toEnvironment(config: ConfigPart<PlanConfig>): Environment {
  const { defaults, quota } = config;
  return {
    ...environmentOf(VARIABLES, {
      sourceBucket: config.sourceBucket,
      artifactBucket: config.artifactBucket,
      ...defaults,
      maxBatchRecords: config.maxBatchRecords,
      maxBatchBytes: config.maxBatchBytes,
      streamName: quota?.streamName,
    }),
    ...(quota?.stated ? statedQuotaEnvironment(quota.stated) : {}),
  };
}
