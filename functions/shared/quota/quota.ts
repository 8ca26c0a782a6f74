import { type Env, type Environment, integerSetting } from '../env';

/** A delivery stream's Direct PUT quota: the three per-second budgets Firehose throttles against. */
export interface StreamQuota {
  bytesPerSecond: number;
  recordsPerSecond: number;
  requestsPerSecond: number;
}

export const QUOTA_FIELDS = ['bytesPerSecond', 'recordsPerSecond', 'requestsPerSecond'] as const;
export type QuotaField = (typeof QUOTA_FIELDS)[number];

/** Where a run's quota came from, per field: stated in the deployment, found in CloudWatch, or assumed. */
export const QuotaSource = { stated: 'stated', metrics: 'metrics', regionDefault: 'regionDefault' } as const;
export type QuotaSource = (typeof QuotaSource)[keyof typeof QuotaSource];

/** The quota a run paces to, as it travels in the execution's state (Plan finds it once per run). */
export interface RunQuota extends StreamQuota {
  sources: Record<QuotaField, QuotaSource>;
}

// Firehose quotas page: Direct PUT, per stream, in US East (N. Virginia), US West (Oregon) and
// Europe (Ireland): 500,000 records/s, 2,000 requests/s, 5 MiB/s.
export const LARGE_REGION_QUOTA: StreamQuota = Object.freeze({
  bytesPerSecond: 5 * 1024 * 1024,
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
});
// Firehose quotas page: every other region: 100,000 records/s, 1,000 requests/s, 1 MiB/s.
export const SMALL_REGION_QUOTA: StreamQuota = Object.freeze({
  bytesPerSecond: 1024 * 1024,
  recordsPerSecond: 100_000,
  requestsPerSecond: 1_000,
});
export const LARGE_QUOTA_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1'];

/** The quota a stream has until AWS raises it: safe to assume when CloudWatch has no datapoint yet. */
export function regionDefaultQuota(region: string | undefined): StreamQuota {
  return region && LARGE_QUOTA_REGIONS.includes(region) ? LARGE_REGION_QUOTA : SMALL_REGION_QUOTA;
}

/** The variables that state a quota (Plan and PutBatch read them), by field. */
export const STATED_QUOTA_VARIABLES = {
  bytesPerSecond: 'STREAM_BYTES_PER_SECOND',
  recordsPerSecond: 'STREAM_RECORDS_PER_SECOND',
  requestsPerSecond: 'STREAM_REQUESTS_PER_SECOND',
} as const satisfies Record<QuotaField, string>;

/** The quota a deployment states (STREAM_*_PER_SECOND); 0 or unset leaves a field to be found. */
export function statedQuotaFrom(env: Env): Partial<StreamQuota> {
  const stated: Partial<StreamQuota> = {};
  for (const field of QUOTA_FIELDS) {
    const value = integerSetting(env, STATED_QUOTA_VARIABLES[field], {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fallback: 0,
    });
    if (value > 0) stated[field] = value;
  }
  return stated;
}

/** STREAM_*_PER_SECOND for a stated quota, every field: 0 for one not stated (to be found). */
export function statedQuotaEnvironment(stated: Partial<StreamQuota>): Environment {
  return Object.fromEntries(
    QUOTA_FIELDS.map((field) => [STATED_QUOTA_VARIABLES[field], String(stated[field] ?? 0)]),
  );
}

export const isCompleteQuota = (quota: Partial<StreamQuota>): quota is StreamQuota =>
  QUOTA_FIELDS.every((field) => (quota[field] ?? 0) > 0);

/** Per field: a stated value wins over everything, then what CloudWatch says, then the region default. */
export function resolveRunQuota(
  stated: Partial<StreamQuota>,
  found: Partial<StreamQuota>,
  fallback: StreamQuota,
): RunQuota {
  const quota = { ...fallback, sources: {} as Record<QuotaField, QuotaSource> };
  for (const field of QUOTA_FIELDS) {
    const statedValue = stated[field];
    const foundValue = found[field];
    if (statedValue && statedValue > 0) {
      quota[field] = statedValue;
      quota.sources[field] = QuotaSource.stated;
    } else if (foundValue && foundValue > 0) {
      quota[field] = foundValue;
      quota.sources[field] = QuotaSource.metrics;
    } else {
      quota[field] = fallback[field];
      quota.sources[field] = QuotaSource.regionDefault;
    }
  }
  return quota;
}
