import type { MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { QuotaField, StreamQuota } from './contract';

/**
 * What the metrics charts draw, shaped from GetMetricData results; pure. The AWS/Firehose metrics
 * publish per minute (their finest period), and GetMetricStatistics refuses more than 1,440
 * datapoints (CloudWatch API reference); the console keeps every series within that too, widening the
 * period in whole minutes for a long run.
 */

export const MINUTE_SECONDS = 60;
export const MAX_DATAPOINTS = 1440;
// CloudWatch publishes AWS/Firehose metrics 1-3 minutes late: the window runs past the run's end.
export const METRICS_LAG_MS = 5 * 60_000;

export const CHARTED_METRICS = {
  incomingRecords: { metricName: 'IncomingRecords', own: false, unit: 'records', quota: 'recordsPerSecond' },
  incomingBytes: { metricName: 'IncomingBytes', own: false, unit: 'bytes', quota: 'bytesPerSecond' },
  incomingPutRequests: {
    metricName: 'IncomingPutRequests',
    own: false,
    unit: 'requests',
    quota: 'requestsPerSecond',
  },
  throttledRecords: { metricName: 'ThrottledRecords', own: false, unit: 'records', quota: null },
  // Published by AdvanceRound in the job's own namespace: not an AWS/Firehose metric.
  failedPutCount: { metricName: 'FailedPutCount', own: true, unit: 'entries', quota: null },
} as const satisfies Record<
  string,
  { metricName: string; own: boolean; unit: string; quota: QuotaField | null }
>;
export type ChartedMetric = keyof typeof CHARTED_METRICS;

export const QUOTA_METRIC_NAMES: Record<QuotaField, string> = {
  bytesPerSecond: 'BytesPerSecondLimit',
  recordsPerSecond: 'RecordsPerSecondLimit',
  requestsPerSecond: 'PutRequestsPerSecondLimit',
};

export interface MetricWindow {
  start: Date;
  end: Date;
  periodSeconds: number;
}

/** Whole minutes around the run, ending at most at `now`, in at most 1,440 periods. */
export function metricWindow(startedMs: number, endedMs: number | undefined, nowMs: number): MetricWindow {
  const minute = MINUTE_SECONDS * 1000;
  const start = Math.floor(startedMs / minute) * minute - minute;
  const wanted = (endedMs ?? nowMs) + METRICS_LAG_MS;
  const end = Math.max(start + minute, Math.ceil(Math.min(wanted, nowMs) / minute) * minute);
  const minutes = Math.round((end - start) / minute);
  const periodSeconds = MINUTE_SECONDS * Math.max(1, Math.ceil(minutes / MAX_DATAPOINTS));
  return { start: new Date(start), end: new Date(end), periodSeconds };
}

export interface ChartSeries {
  id: ChartedMetric;
  metricName: string;
  namespace: string;
  unit: string;
  /** Sum per period, aligned with `timestamps`; null where CloudWatch has no datapoint (yet). */
  values: (number | null)[];
  /** The stream's quota for this metric per period (limit × period), aligned; null without one. */
  quota: (number | null)[] | null;
  /** The newest quota per second, for the legend. */
  quotaPerSecond: number | null;
}

export interface MetricsView {
  streamName: string;
  start: string;
  end: string;
  periodSeconds: number;
  /** Epoch seconds of each period's start, oldest first: uPlot's x values. */
  timestamps: number[];
  series: ChartSeries[];
}

/** Each period's value of one result by its start time (results list newest first by default). */
export function valuesByTime(result: MetricDataResult | undefined): Map<number, number> {
  const byTime = new Map<number, number>();
  (result?.Timestamps ?? []).forEach((time, i) => {
    const value = result?.Values?.[i];
    if (typeof value === 'number' && Number.isFinite(value))
      byTime.set(Math.floor(time.getTime() / 1000), value);
  });
  return byTime;
}

export const quotaQueryId = (field: QuotaField) => `limit${field}`;

export function buildMetricsView(
  window: MetricWindow,
  results: readonly MetricDataResult[],
  context: { streamName: string; namespace: string; fallbackQuota?: Partial<StreamQuota> },
): MetricsView {
  const startS = window.start.getTime() / 1000;
  const endS = window.end.getTime() / 1000;
  const timestamps: number[] = [];
  for (let t = startS; t < endS; t += window.periodSeconds) timestamps.push(t);
  const byId = new Map(results.map((result) => [result.Id ?? '', result]));
  const aligned = (id: string) => {
    const values = valuesByTime(byId.get(id));
    return timestamps.map((t) => values.get(t) ?? null);
  };
  const series = (
    Object.entries(CHARTED_METRICS) as [ChartedMetric, (typeof CHARTED_METRICS)[ChartedMetric]][]
  ).map(([id, metric]): ChartSeries => {
    const limits = metric.quota ? aligned(quotaQueryId(metric.quota)) : null;
    const found = limits?.filter((value): value is number => value !== null) ?? [];
    const fallback = metric.quota ? (context.fallbackQuota?.[metric.quota] ?? null) : null;
    const perSecond = found.length > 0 ? (found[found.length - 1] ?? null) : fallback;
    // Without a limit datapoint in the window, the quota found earlier is drawn flat.
    const perPeriod = (limit: number | null) => (limit === null ? null : limit * window.periodSeconds);
    const quota = limits
      ? found.length > 0
        ? limits.map(perPeriod)
        : timestamps.map(() => perPeriod(fallback))
      : null;
    return {
      id,
      metricName: metric.metricName,
      namespace: metric.own ? context.namespace : 'AWS/Firehose',
      unit: metric.unit,
      values: aligned(id),
      quota,
      quotaPerSecond: perSecond,
    };
  });
  return {
    streamName: context.streamName,
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    periodSeconds: window.periodSeconds,
    timestamps,
    series,
  };
}
