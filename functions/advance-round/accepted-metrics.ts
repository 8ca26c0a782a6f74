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

/** Two datums a minute (records and bytes), so a minute's pair always travels in one request. */
export const MAX_MINUTES_PER_PUT = MAX_DATUMS_PER_PUT / 2;

// PutMetricData refuses the whole request when one timestamp is more than two weeks old (same page):
// a round resumed or redriven that late publishes the minutes it still may, with an hour of margin.
export const MAX_DATUM_AGE_MS = 14 * 24 * 3_600_000 - 3_600_000;

/** The minutes PutMetricData still takes at `now`, and how many are too old to publish. */
export function publishableMinutes(
  minutes: AcceptedByMinute,
  now: Date,
): { minutes: AcceptedByMinute; tooOld: number } {
  const oldest = now.getTime() - MAX_DATUM_AGE_MS;
  const entries = Object.entries(minutes);
  const kept = entries.filter(([minute]) => Date.parse(minute) >= oldest);
  return { minutes: Object.fromEntries(kept), tooOld: entries.length - kept.length };
}

/**
 * What of the round's `accepted` minutes the earlier tries of this step have not `published` yet,
 * figure by figure; and the minutes where they published more (two invocations at once, or outcomes
 * that shrank): PutMetricData cannot take a value back, so those are only reported.
 */
export function unpublished(
  accepted: AcceptedByMinute,
  published: AcceptedByMinute,
): { pending: AcceptedByMinute; overPublished: string[] } {
  const pending: AcceptedByMinute = {};
  const overPublished: string[] = [];
  for (const minute of new Set([...Object.keys(accepted), ...Object.keys(published)])) {
    const [records, bytes] = accepted[minute] ?? [0, 0];
    const [doneRecords, doneBytes] = published[minute] ?? [0, 0];
    if (doneRecords > records || doneBytes > bytes) overPublished.push(minute);
    const left: [number, number] = [Math.max(0, records - doneRecords), Math.max(0, bytes - doneBytes)];
    if (left[0] > 0 || left[1] > 0) pending[minute] = left;
  }
  return { pending, overPublished: overPublished.sort() };
}

/** The minutes in time order, in groups of at most `size`: one PutMetricData request each. */
export function minuteGroups(minutes: AcceptedByMinute, size = MAX_MINUTES_PER_PUT): AcceptedByMinute[] {
  const sorted = Object.entries(minutes).sort(([a], [b]) => a.localeCompare(b));
  const groups: AcceptedByMinute[] = [];
  for (let start = 0; start < sorted.length; start += size) {
    groups.push(Object.fromEntries(sorted.slice(start, start + size)));
  }
  return groups;
}

/** AcceptedRecords and AcceptedBytes for each minute the round's chunks were accepted in, stamped with it. */
export function acceptedDatums(outcomes: readonly ChunkOutcome[], streamName: string): MetricDatum[] {
  return minuteDatums(sumAccepted(outcomes.map((outcome) => outcome.acceptedByMinute)), streamName);
}

/** The datums of `minutes` in time order; a zero figure is left out (it would add nothing to the Sum). */
export function minuteDatums(minutes: AcceptedByMinute, streamName: string): MetricDatum[] {
  const dimensions = [{ Name: 'DeliveryStreamName', Value: streamName }];
  const datum = (name: string, value: number, unit: StandardUnit, timestamp: Date): MetricDatum[] =>
    value > 0
      ? [{ MetricName: name, Value: value, Unit: unit, Timestamp: timestamp, Dimensions: dimensions }]
      : [];
  return Object.entries(minutes)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([minute, [records, bytes]]) => {
      const timestamp = new Date(minute);
      return [
        ...datum(ACCEPTED_METRICS.records, records, StandardUnit.Count, timestamp),
        ...datum(ACCEPTED_METRICS.bytes, bytes, StandardUnit.Bytes, timestamp),
      ];
    });
}

/**
 * Sends the datums in requests of at most MAX_DATUMS_PER_PUT. Not best effort: CheckMetrics reads
 * them back, and a minute missing would turn this job's own records into a false mismatch, so a
 * failure is thrown. Not idempotent either: PutMetricData adds, so datums sent twice count twice and
 * the job's figure passes the stream's (CheckMetrics ends `lagging`). AdvanceRound therefore calls it
 * only through publishAcceptedOnce (published-ledger.ts), one request at a time, each recorded in S3.
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
