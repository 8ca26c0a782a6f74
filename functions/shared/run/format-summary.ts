import { dirname, resolve } from 'node:path';
import type { LoadSummary } from './combine-summary';
import { DEAD_LETTERED } from './names';
import type { RunSummary } from './summary';

/** Where `run` keeps local services and runs unless told otherwise (`--data-dir`). */
export const DEFAULT_DATA_DIR = '.local';

/** The command that resumes this run, as typed in the clone (with --data-dir when not the default). */
export function resumeCommandLine(summary: Pick<RunSummary, 'runId' | 'runDir'>): string {
  const dataDir = dirname(dirname(summary.runDir));
  const custom = dataDir === resolve(DEFAULT_DATA_DIR) ? '' : ` --data-dir ${dataDir}`;
  return `npx firehose-loader resume ${summary.runId}${custom}`;
}

const n = (value: number | null) => (value === null ? '-' : value.toLocaleString('en-US'));
const plural = (count: number, noun: string) => `${n(count)} ${noun}${count === 1 ? '' : 's'}`;

/** After rerun-failed: each execution's own numbers, under the totals of the whole load (two rows each). */
function executionRows(summary: RunSummary): [string, string][] {
  const parts = (summary as LoadSummary).executions ?? [];
  return parts.flatMap((part, index): [string, string][] => [
    [index === 0 ? 'executions' : '', `${part.runId} (${part.role === 'run' ? 'the run' : 'rerun-failed'})`],
    [
      '',
      `  ${n(part.records.delivered)} delivered, ${n(part.records.deadLettered)} dead-lettered, ` +
        `${plural(part.firehose.putRecordCalls + part.firehose.putRecordBatchCalls, 'call')}, ` +
        `${(part.durationMs / 1000).toFixed(1)} s`,
    ],
  ]);
}

/**
 * The people-facing table printed after a run (stdout without --json). `deadLetterLineFollows`: the
 * caller prints the dead-letter line itself (a local run, run.ts), so the table leaves the message out.
 */
export function formatSummary(
  summary: RunSummary,
  options: { deadLetterLineFollows?: boolean } = {},
): string {
  const r = summary.records;
  const f = summary.firehose;
  const saving = f.billedBytesUnpacked ? (1 - f.billedBytesPacked / f.billedBytesUnpacked) * 100 : 0;
  const rows: [string, string][] = [
    ['run', `${summary.runId}  ${summary.status}`],
    [
      'records',
      `${n(r.input)} in = ${n(r.delivered)} delivered + ${n(r.deadLettered)} dead-lettered + ${n(r.rejected)} rejected` +
        (r.pending ? ` + ${n(r.pending)} pending` : ''),
    ],
    ['re-queued entries', n(r.requeued)],
    ['possible duplicates', possibleDuplicatesText(r.possibleDuplicates)],
    ['PutRecord calls', n(f.putRecordCalls)],
    ['PutRecordBatch calls', `${n(f.putRecordBatchCalls)} (minimum ${n(f.minimumPutRecordBatchCalls)})`],
    ['FailedPutCount', n(f.failedPutCount)],
    ['throttled entries', n(f.throttledEntries)],
    ['refused calls', n(f.refusedRequests ?? 0)],
    ['payload bytes', n(f.payloadBytes)],
    [
      'billed bytes',
      `${n(f.billedBytes)} (unpacked ${n(f.billedBytesUnpacked)}, packed ${n(f.billedBytesPacked)}: packing saves ${saving.toFixed(1)}%)`,
    ],
    [
      'CloudWatch',
      `${n(summary.metrics.incomingRecords)} records, ${n(summary.metrics.incomingBytes)} bytes: ${summary.metrics.verdict}` +
        (summary.metrics.otherRunsRecords
          ? ` (besides ${n(summary.metrics.otherRunsRecords)} of this job's other runs in the same minutes)`
          : ''),
    ],
    ['output', `${plural(summary.output.files.length, 'file')}, ${n(summary.output.bytes)} bytes`],
    ['run folder', summary.runDir],
    ['duration', `${(summary.durationMs / 1000).toFixed(1)} s`],
  ];
  if (summary.deadLetter.files.length) {
    rows.push([
      'dead letters',
      `${plural(r.deadLettered, 'record')} in ${summary.deadLetter.files.join(', ')}`,
    ]);
  }
  if (summary.rejects.file && r.rejected) rows.push(['rejects', summary.rejects.file]);
  if (summary.parts?.length) {
    const parts = summary.parts.map(
      (p) => `${p.status}${p.durationMs === null ? '' : ` after ${(p.durationMs / 1000).toFixed(1)} s`}`,
    );
    rows.push(['resumed after', parts.join(', ')]);
  }
  if (r.pending) rows.push(['to finish', resumeCommandLine(summary)]);
  // Dead letters have their row above and, locally, the failure line after the table: said once.
  if (summary.error && !(options.deadLetterLineFollows && summary.error.name === DEAD_LETTERED)) {
    rows.push(['error', `${summary.error.name}: ${summary.error.message}`]);
  }
  rows.push(...executionRows(summary));
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** Why a record may be in the output twice, so a person knows what to deduplicate on. */
function possibleDuplicatesText(records: number): string {
  if (records === 0) return '0';
  return (
    `${n(records)} records may be delivered twice (Firehose may have taken them from an attempt that ` +
    'stopped before recording it, or from a call that got no answer, and they are sent again by a retry, ' +
    'a later round or a rerun of the dead letters); compare CloudWatch below'
  );
}
