import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { ACCEPTED_METRICS, type AcceptedByMinute, sumAccepted } from '../shared/accepted-minutes';
import type { ChunkOutcome } from '../shared/run-state';

// "Each request is also limited to no more than 1000 different metrics"; timestamps may be up to two
// weeks in the past (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
export const MAX_DATUMS_PER_PUT = 1000;

// PutMetricData refuses the whole request when one timestamp is more than two weeks old (same page):
// a round resumed or redriven that late publishes the minutes it still may, with an hour of margin.
export const MAX_DATUM_AGE_MS = 14 * 24 * 3_600_000 - 3_600_000;

/** The datums PutMetricData still takes at `now`, and how many are too old to publish. */
export function publishableDatums(
  datums: readonly MetricDatum[],
  now: Date,
): { datums: MetricDatum[]; tooOld: number } {
  const oldest = now.getTime() - MAX_DATUM_AGE_MS;
  const kept = datums.filter((datum) => (datum.Timestamp?.getTime() ?? now.getTime()) >= oldest);
  return { datums: kept, tooOld: datums.length - kept.length };
}

/** AcceptedRecords and AcceptedBytes for each minute the round's chunks were accepted in, stamped with it. */
export function acceptedDatums(outcomes: readonly ChunkOutcome[], streamName: string): MetricDatum[] {
  const byMinute: AcceptedByMinute = sumAccepted(outcomes.map((outcome) => outcome.acceptedByMinute));
  const dimensions = [{ Name: 'DeliveryStreamName', Value: streamName }];
  return Object.entries(byMinute)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([minute, [records, bytes]]) => {
      const timestamp = new Date(minute);
      return [
        {
          MetricName: ACCEPTED_METRICS.records,
          Value: records,
          Unit: StandardUnit.Count,
          Timestamp: timestamp,
          Dimensions: dimensions,
        },
        {
          MetricName: ACCEPTED_METRICS.bytes,
          Value: bytes,
          Unit: StandardUnit.Bytes,
          Timestamp: timestamp,
          Dimensions: dimensions,
        },
      ];
    });
}

/**
 * Publishes the datums in requests of at most MAX_DATUMS_PER_PUT. Not best effort: CheckMetrics reads
 * them back, and a minute missing would turn this job's own records into a false mismatch. A failure
 * is thrown, and the state machine retries the step. A retry after a lost answer publishes twice
 * (PutMetricData adds): the job's figure is then above the stream's, and CheckMetrics ends `lagging`
 * (not `confirmed`) for this run and for a later run whose window reaches those minutes.
 */
export async function publishAccepted(
  cloudWatch: CloudWatchClient,
  namespace: string,
  datums: readonly MetricDatum[],
): Promise<void> {
  for (let start = 0; start < datums.length; start += MAX_DATUMS_PER_PUT) {
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: datums.slice(start, start + MAX_DATUMS_PER_PUT),
      }),
    );
  }
}
