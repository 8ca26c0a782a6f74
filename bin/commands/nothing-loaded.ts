import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RunSummary } from '../../functions/shared/run';

// Plan's reason for a record that does not parse (functions/shared/records): "… not valid JSON (…)".
const NOT_JSON = 'not valid JSON';

/**
 * One line on why a run that succeeded loaded nothing, or undefined when it loaded something: the file
 * had no records, or every record was rejected, and when each was rejected as not JSON (a CSV file, a
 * text log), that `--format lines` sends each line as it is.
 */
export async function explainNothingLoaded(summary: RunSummary, input: string | undefined) {
  const r = summary.records;
  if (summary.status !== 'SUCCEEDED' || r.delivered > 0 || r.deadLettered > 0) return undefined;
  const file = input ?? 'the input';
  if (r.input === 0) return `nothing was sent: ${file} holds no records (it is empty)`;
  if (r.rejected !== r.input) return undefined;
  const rejects = summary.rejects.file;
  const first = rejects ? await firstAndAllNotJson(rejects) : undefined;
  const all = r.input === 1 ? 'its only record was' : `all ${r.input.toLocaleString('en-US')} records were`;
  if (first?.allNotJson) {
    return (
      `nothing was sent: ${all} rejected as not JSON (line ${first.line}: ${first.excerpt}); ` +
      'if each line is a record as it is (CSV, plain text), run again with --format lines'
    );
  }
  return `nothing was sent: ${all} rejected${rejects ? `; the reasons are in ${rejects}` : ''}`;
}

interface Reject {
  line?: number;
  excerpt?: string;
  reason?: string;
}

/** The first reject, and whether every reject's reason is "not valid JSON" (read line by line). */
async function firstAndAllNotJson(file: string) {
  let first: Reject | undefined;
  let allNotJson = true;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (!line) continue;
      if (!line.includes(NOT_JSON)) allNotJson = false;
      first ??= JSON.parse(line) as Reject;
      if (!allNotJson) break;
    }
  } catch {
    return undefined;
  } finally {
    lines.close();
  }
  if (!first) return undefined;
  const excerpt = JSON.stringify((first.excerpt ?? '').slice(0, 40));
  return { allNotJson, line: first.line ?? 1, excerpt };
}
