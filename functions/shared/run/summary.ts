import { dirname, resolve } from 'node:path';
import type { RunState } from '../run-state';
import type { LoadSummary } from './combine-summary';
import { DEAD_LETTERED } from './names';

/** INTERRUPTED: stopped by Ctrl-C (or an I/O error stopped it: FAILED with `error`); `resume` goes on. */
/** Where `run` keeps local services and runs unless told otherwise (`--data-dir`). */
export const DEFAULT_DATA_DIR = '.local';

export type RunStatus = 'SUCCEEDED' | 'FAILED' | 'INTERRUPTED';

/**
 * The run summary printed by `run --json`. Its field names are a contract that external checks read;
 * `records.input = delivered + deadLettered + rejected + pending` always holds for a run that got past
 * planning, and `pending` is 0 for a run that finished (it counts what a stopped run has yet to deliver).
 */
export interface RunSummary {
  runId: string;
  status: RunStatus;
  error?: { name: string; message: string };
  /** The run stopped mid-round and the runner totalled that round itself (see local/runner/salvage.ts). */
  salvaged: boolean;
  records: {
    input: number;
    delivered: number;
    deadLettered: number;
    rejected: number;
    /** Neither delivered nor dead-lettered yet: the rest of a stopped run, which `resume` sends. */
    pending: number;
    requeued: number;
    /** Records that may have reached Firehose twice (run-state.ts RunTotals); not part of the sum. */
    possibleDuplicates: number;
  };
  /** The earlier parts of a resumed run (each stopped by Ctrl-C, an error or a kill), oldest first. */
  parts?: RunPart[];
  firehose: {
    streamName: string;
    putRecordCalls: number;
    putRecordBatchCalls: number;
    minimumPutRecordBatchCalls: number;
    failedPutCount: number;
    /** Entry results with ServiceUnavailableException ("Slow down.") in PutRecordBatch responses. */
    throttledEntries: number;
    /** Whole calls refused ("Slow down." for the call, 500, a reset) before any entry got a result. */
    refusedRequests: number;
    attempts: number;
    acceptedFirehoseRecords: number;
    acceptedBytes: number;
    /** Measured by the sender: payload bytes put on the wire, retries included. */
    bytesSent: number;
    /** Planned: the source's record payload bytes (each record once). */
    payloadBytes: number;
    billedBytes: number;
    billedBytesUnpacked: number;
    billedBytesPacked: number;
  };
  plan: {
    chunks: number;
    batchChunks: number;
    individualChunks: number;
    rounds: number;
    failedChunks: number;
  };
  metrics: { incomingRecords: number | null; incomingBytes: number | null; verdict: string };
  output: { files: string[]; bytes: number };
  deadLetter: { files: string[]; manifest: string | null };
  rejects: { file: string | null };
  runDir: string;
  durationMs: number;
}

export interface RunPart {
  status: RunStatus | 'KILLED';
  /** Null for a killed part: nothing recorded when it ended. */
  durationMs: number | null;
}

export interface SummaryInputs {
  runId: string;
  status: RunStatus;
  error?: { name: string; message: string };
  state?: RunState;
  salvaged?: boolean;
  streamName: string;
  outputFiles: string[];
  outputBytes: number;
  deadLetterFiles: string[];
  deadLetterManifest: string | null;
  rejectsFile: string | null;
  runDir: string;
  durationMs: number;
  /** Records Firehose accepted that are not in the destination on disk (its delivery failed). */
  notOnDisk?: number;
  parts?: RunPart[];
}

/** Builds the summary from the run's last state; pure, so the arithmetic is tested without a run. */
export function buildSummary(inputs: SummaryInputs): RunSummary {
  const state = inputs.state;
  const plan = state?.plan;
  const totals = state?.totals;
  const rejected = plan?.rejected ?? 0;
  const notOnDisk = inputs.notOnDisk ?? 0;
  const delivered = (totals?.delivered ?? 0) - notOnDisk;
  const deadLettered = totals?.deadLettered ?? 0;
  return {
    runId: inputs.runId,
    status: inputs.status,
    ...(inputs.error ? { error: inputs.error } : {}),
    salvaged: inputs.salvaged ?? false,
    records: {
      input: (plan?.records ?? 0) + rejected,
      delivered,
      deadLettered,
      rejected,
      pending: Math.max(0, (plan?.records ?? 0) - delivered - deadLettered),
      requeued: totals?.requeued ?? 0,
      possibleDuplicates: totals?.possibleDuplicateRecords ?? 0,
    },
    ...(inputs.parts?.length ? { parts: inputs.parts } : {}),
    firehose: {
      streamName: inputs.streamName,
      putRecordCalls: totals?.putRecordCalls ?? 0,
      putRecordBatchCalls: totals?.putRecordBatchCalls ?? 0,
      minimumPutRecordBatchCalls: plan?.minimumBatchCalls ?? 0,
      failedPutCount: totals?.failedPutCount ?? 0,
      throttledEntries: totals?.throttledEntries ?? 0,
      refusedRequests: totals?.refusedRequests ?? 0,
      attempts: totals?.attempts ?? 0,
      acceptedFirehoseRecords: totals?.acceptedFirehoseRecords ?? 0,
      acceptedBytes: totals?.acceptedBytes ?? 0,
      bytesSent: totals?.bytesSent ?? 0,
      payloadBytes: plan?.payloadBytes ?? 0,
      billedBytes: plan?.billedBytes ?? 0,
      billedBytesUnpacked: plan?.billedBytesUnpacked ?? 0,
      billedBytesPacked: plan?.billedBytesPacked ?? 0,
    },
    plan: {
      chunks: plan?.chunks ?? 0,
      batchChunks: plan?.batchChunks ?? 0,
      individualChunks: plan?.individualChunks ?? 0,
      rounds: state ? state.round.number + 1 : 0,
      failedChunks: totals?.failedChunks ?? 0,
    },
    metrics: {
      incomingRecords: state?.metrics?.incomingRecords ?? null,
      incomingBytes: state?.metrics?.incomingBytes ?? null,
      verdict: state?.metrics?.verdict ?? 'not checked',
    },
    output: { files: inputs.outputFiles, bytes: inputs.outputBytes },
    deadLetter: { files: inputs.deadLetterFiles, manifest: inputs.deadLetterManifest },
    rejects: { file: inputs.rejectsFile },
    runDir: inputs.runDir,
    durationMs: inputs.durationMs,
  };
}

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
      `${n(summary.metrics.incomingRecords)} records, ${n(summary.metrics.incomingBytes)} bytes: ${summary.metrics.verdict}`,
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
