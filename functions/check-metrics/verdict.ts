import { type MetricsVerdict, MetricsVerdict as Verdict } from '../shared/run-state';

export interface MetricTotals {
  records: number;
  bytes: number;
}

/**
 * CloudWatch's IncomingRecords/IncomingBytes against what this run's calls were told was accepted.
 * Fewer: CloudWatch has not caught up yet (it publishes 1-3 minutes late), so ask again later.
 * Equal: confirmed. More: someone else wrote to the stream in the window, or a crashed invocation's
 * batch was accepted and then resent: reported as a mismatch, never hidden.
 */
export function judgeMetrics(expected: MetricTotals, observed: MetricTotals): MetricsVerdict | 'behind' {
  if (observed.records < expected.records || observed.bytes < expected.bytes) return 'behind';
  if (observed.records === expected.records && observed.bytes === expected.bytes) return Verdict.confirmed;
  return Verdict.mismatch;
}

/** The run's window in whole minutes (CloudWatch's 60-second periods), with one period of slack each side. */
export function metricWindow(startedAt: string, now: Date): { start: Date; end: Date } {
  const minute = 60_000;
  const start = Math.floor(new Date(startedAt).getTime() / minute) * minute - minute;
  const end = Math.ceil(now.getTime() / minute) * minute + minute;
  return { start: new Date(start), end: new Date(end) };
}
