import type { RunSummary } from './local-runs';

/** What a summary.json said: the summary, or why it cannot be shown. */
export type SummaryRead = { summary: RunSummary } | { problem: string };

const STATUSES: readonly string[] = ['SUCCEEDED', 'FAILED', 'INTERRUPTED'];
const RECORD_COUNTS = ['input', 'delivered', 'deadLettered', 'rejected', 'pending'] as const;
// The parts of a summary the runs list and the run page read (web/run-view.ts: summaryTable).
const SECTIONS = ['firehose', 'plan', 'metrics'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a summary.json's text. A torn write (a full disk, a kill while writing) or a file another
 * tool or version wrote is named by its first problem, so the console shows it instead of failing.
 */
export function readSummaryText(text: string): SummaryRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `summary.json is not JSON (${(error as Error).message.split('\n')[0]})` };
  }
  if (!isObject(value)) return { problem: 'summary.json is not a JSON object' };
  if (typeof value.status !== 'string' || !STATUSES.includes(value.status))
    return { problem: `summary.json has no run status (got ${JSON.stringify(value.status) ?? 'nothing'})` };
  const records = value.records;
  if (!isObject(records)) return { problem: 'summary.json has no records field' };
  const missing = RECORD_COUNTS.find((key) => typeof records[key] !== 'number');
  if (missing) return { problem: `summary.json has no number at records.${missing}` };
  const section = SECTIONS.find((key) => !isObject(value[key]));
  if (section) return { problem: `summary.json has no ${section} field` };
  if (typeof value.durationMs !== 'number') return { problem: 'summary.json has no durationMs' };
  return { summary: value as unknown as RunSummary };
}
