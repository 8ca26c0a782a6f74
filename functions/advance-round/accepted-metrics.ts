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
 * is thrown, and the state machine retries the step (a retry after a lost answer may publish twice:
 * the job's figure is then above the stream's, CheckMetrics waits and ends `lagging`, never wrong).
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
