/**
 * CloudWatch's metric retention (Amazon CloudWatch concepts, "Metrics retention"): datapoints with a
 * period below 60 s are kept 3 hours, 1-minute data 15 days, 5-minute data 63 days, 1-hour data 455
 * days; shorter periods are aggregated together as they age. Local CloudWatch applies it twice: on
 * read (the period and StartTime rules below, as GetMetricData and GetMetricStatistics apply them) and
 * when the stored datapoints are compacted (rolled up to the resolution their age still has).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Oldest first: datapoints younger than `maxAgeMs` are still kept at `resolutionSeconds`. */
const TIERS = [
  { maxAgeMs: 3 * HOUR_MS, resolutionSeconds: 1 },
  { maxAgeMs: 15 * DAY_MS, resolutionSeconds: 60 },
  { maxAgeMs: 63 * DAY_MS, resolutionSeconds: 300 },
  { maxAgeMs: 455 * DAY_MS, resolutionSeconds: 3600 },
] as const;

export const RETENTION_MS = TIERS[TIERS.length - 1].maxAgeMs;

/** The resolution a datapoint of this age is kept at; undefined once CloudWatch has dropped it. */
export function resolutionAt(ageMs: number): number | undefined {
  return TIERS.find((tier) => ageMs < tier.maxAgeMs)?.resolutionSeconds;
}

/**
 * A StartTime more than 3 hours ago needs a period that is a multiple of 60 (up to 15 days ago), 300
 * (up to 63 days) or 3600 (older), "or no data points in that time range is returned" (CloudWatch API
 * reference, MetricStat Period).
 */
export function periodReadable(startMs: number, periodSeconds: number, nowMs: number): boolean {
  const needed = resolutionAt(nowMs - startMs) ?? TIERS[TIERS.length - 1].resolutionSeconds;
  return periodSeconds % needed === 0;
}

/**
 * CloudWatch rounds StartTime down: to the period's division of a minute for periods below 60 s, else
 * to the minute (less than 15 days ago), 5 minutes (15 to 63 days) or hour (older); data older than
 * the retention is gone (CloudWatch API reference, GetMetricData StartTime).
 */
export function effectiveStartMs(startMs: number, periodSeconds: number, nowMs: number): number {
  const ageMs = nowMs - startMs;
  const stepSeconds =
    periodSeconds < 60 ? periodSeconds : ageMs < 15 * DAY_MS ? 60 : ageMs < 63 * DAY_MS ? 300 : 3600;
  const rounded = Math.floor(startMs / (stepSeconds * 1000)) * stepSeconds * 1000;
  return Math.max(rounded, nowMs - RETENTION_MS);
}
