import { type MetricsVerdict, MetricsVerdict as Verdict } from '../shared/run-state';

export interface MetricTotals {
  records: number;
  bytes: number;
}

/** The three figures CheckMetrics compares, each over the same window. */
export interface MetricFigures {
  /** What this run's calls were told was accepted (its totals). */
  run: MetricTotals;
  /** The stream's AWS/Firehose IncomingRecords/IncomingBytes. */
  stream: MetricTotals;
  /** What every run of this job published as accepted (AcceptedRecords/AcceptedBytes), this one included. */
  job: MetricTotals;
}

const shortOf = (a: MetricTotals, b: MetricTotals) => a.records < b.records || a.bytes < b.bytes;

/**
 * The stream's counts against what this job's runs were told was accepted in the same minutes: an
 * earlier run of the job (`npm start` twice, a rerun a minute later) shows in both, so it is no
 * mismatch. A run still sending publishes its minutes only when its round ends, so while a concurrent
 * execution is mid-round its records count as another writer's here: a known limit (README).
 * Behind (ask again later): the stream or the job's figure lacks this run's counts (CloudWatch publishes
 * Firehose's metrics 1-3 minutes late), or the stream lacks another run's. Equal: confirmed. More in the
 * stream than the job's runs accepted: another writer, or a crashed invocation's batch was accepted and
 * then resent: reported as a mismatch, never hidden.
 */
export function judgeMetrics({ run, stream, job }: MetricFigures): MetricsVerdict | 'behind' {
  if (shortOf(stream, run) || shortOf(job, run) || shortOf(stream, job)) return 'behind';
  if (stream.records === job.records && stream.bytes === job.bytes) return Verdict.confirmed;
  return Verdict.mismatch;
}

/** What `a` shows beyond `b` (0 where it shows no more): the stream beyond the job, the job beyond the run. */
export function unexplained(stream: MetricTotals, job: MetricTotals): MetricTotals {
  return { records: Math.max(0, stream.records - job.records), bytes: Math.max(0, stream.bytes - job.bytes) };
}

/** The run's window in whole minutes (CloudWatch's 60-second periods), with one period of slack each side. */
export function metricWindow(startedAt: string, now: Date): { start: Date; end: Date } {
  const minute = 60_000;
  const start = Math.floor(new Date(startedAt).getTime() / minute) * minute - minute;
  const end = Math.ceil(now.getTime() / minute) * minute + minute;
  return { start: new Date(start), end: new Date(end) };
}

/** How far back the window's start may move to find a quiet minute before it. */
export const MAX_EXTRA_MINUTES = 10;

/**
 * Where to start comparing the stream with the job's figure: the window's start, moved back over busy
 * minutes until the minute before it is quiet in both (at most MAX_EXTRA_MINUTES). A call of another
 * run answered just after a minute boundary is dated by the job in the later minute, and by Firehose
 * perhaps in the earlier one; at the window's start that would put its records in one figure only. A
 * quiet minute before the start means no record sits on the boundary. With none found, the window's
 * own start is kept.
 */
export function comparisonStart(start: Date, busyMinutes: ReadonlySet<number>): Date {
  const minute = 60_000;
  for (let extra = 0; extra <= MAX_EXTRA_MINUTES; extra++) {
    const candidate = start.getTime() - extra * minute;
    if (!busyMinutes.has(candidate - minute)) return new Date(candidate);
  }
  return start;
}
