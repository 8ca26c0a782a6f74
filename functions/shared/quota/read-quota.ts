import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataResult,
  ScanBy,
} from '@aws-sdk/client-cloudwatch';
import type { QuotaField, StreamQuota } from './quota';

/**
 * Firehose publishes each stream's current quota in AWS/Firehose as BytesPerSecondLimit,
 * RecordsPerSecondLimit and PutRequestsPerSecondLimit, dimension DeliveryStreamName (Firehose developer
 * guide, "Implement best practices with CloudWatch Alarms"). A stream that has taken no data yet may
 * have no datapoint: the caller then falls back to the region's default.
 */
export const QUOTA_METRICS: Record<QuotaField, string> = {
  bytesPerSecond: 'BytesPerSecondLimit',
  recordsPerSecond: 'RecordsPerSecondLimit',
  requestsPerSecond: 'PutRequestsPerSecondLimit',
};

/** How far back a datapoint still counts: a stream used within the last day has one. */
export const QUOTA_LOOKBACK_MS = 24 * 60 * 60 * 1000;
// AWS/Firehose metrics are per minute; a day of them is 1,440 datapoints per limit, well inside
// GetMetricData's 100,800 per call.
const PERIOD_SECONDS = 60;
// Within the minute the quota changed both values show; the lower one never throttles.
const STAT = 'Minimum';

const queryId = (field: QuotaField) => field.toLowerCase();

/** The newest datapoint of each limit (results listed newest first); a field without one is left out. */
export function quotaFromMetricResults(results: readonly MetricDataResult[]): Partial<StreamQuota> {
  const found: Partial<StreamQuota> = {};
  for (const field of Object.keys(QUOTA_METRICS) as QuotaField[]) {
    const result = results.find((r) => r.Id === queryId(field));
    const newest = result?.Values?.find((value) => Number.isFinite(value) && value > 0);
    if (newest !== undefined) found[field] = newest;
  }
  return found;
}

/** One GetMetricData call for the three limits of `streamName` over the look-back window. */
export async function readQuotaMetrics(
  cloudWatch: CloudWatchClient,
  streamName: string,
  now: Date = new Date(),
): Promise<Partial<StreamQuota>> {
  const dimensions = [{ Name: 'DeliveryStreamName', Value: streamName }];
  const response = await cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - QUOTA_LOOKBACK_MS),
      EndTime: now,
      ScanBy: ScanBy.TIMESTAMP_DESCENDING,
      MetricDataQueries: (Object.entries(QUOTA_METRICS) as [QuotaField, string][]).map(
        ([field, metricName]) => ({
          Id: queryId(field),
          MetricStat: {
            Metric: { Namespace: 'AWS/Firehose', MetricName: metricName, Dimensions: dimensions },
            Period: PERIOD_SECONDS,
            Stat: STAT,
          },
        }),
      ),
    }),
  );
  return quotaFromMetricResults(response.MetricDataResults ?? []);
}
