/**
 * What Firehose told a chunk's calls it accepted, by the minute of the answer: `{ "2024-05-01T12:03Z":
 * [records, bytes] }`. A chunk's calls span one or two minutes, so the map stays tiny. AdvanceRound
 * publishes the sums as AcceptedRecords/AcceptedBytes at each minute's timestamp, and CheckMetrics
 * compares them with the stream's IncomingRecords/IncomingBytes in the same minutes: the only way to
 * tell this job's other runs (a rerun a minute later, concurrent executions) from another writer.
 */
export type AcceptedByMinute = Record<string, [records: number, bytes: number]>;

/** The job's metrics of it (its namespace, dimension DeliveryStreamName), beside the stream's IncomingRecords. */
export const ACCEPTED_METRICS = { records: 'AcceptedRecords', bytes: 'AcceptedBytes' } as const;

const MINUTE_MS = 60_000;

/** The minute `atMs` falls in, as CloudWatch's 60-second periods start: `YYYY-MM-DDTHH:mmZ`. */
export function minuteOf(atMs: number): string {
  const start = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
  return `${new Date(start).toISOString().slice(0, 16)}Z`;
}

/** Adds one call's accepted records and bytes to `map`, at the minute of `atMs`. */
export function addAccepted(map: AcceptedByMinute, atMs: number, records: number, bytes: number): void {
  if (records === 0 && bytes === 0) return;
  const minute = minuteOf(atMs);
  const [r, b] = map[minute] ?? [0, 0];
  map[minute] = [r + records, b + bytes];
}

/** The minute-by-minute sum of several maps (absent ones skipped: outcomes written before the field). */
export function sumAccepted(maps: readonly (AcceptedByMinute | undefined)[]): AcceptedByMinute {
  const sum: AcceptedByMinute = {};
  for (const map of maps) {
    for (const [minute, [records, bytes]] of Object.entries(map ?? {})) {
      const [r, b] = sum[minute] ?? [0, 0];
      sum[minute] = [r + records, b + bytes];
    }
  }
  return sum;
}

/** True for a map as PutBatch writes it; anything else in a Map result is not trusted. */
export function isAcceptedByMinute(value: unknown): value is AcceptedByMinute {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(
    ([minute, pair]) =>
      !Number.isNaN(Date.parse(minute)) &&
      Array.isArray(pair) &&
      pair.length === 2 &&
      pair.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0),
  );
}
