import { addCounts, FIREHOSE_COUNT_FIELDS, zeroCounts } from './send-counts';
import type { RunSummary } from './summary';

/**
 * One summary for a whole load: the first run plus every `rerun-failed` of its dead letters. Each line
 * is true for the whole load (counts summed over the parts, the plan and the source's bytes from the
 * first run, which planned the whole file), and `executions` keeps each execution's own numbers beside it (not `parts`, which are the stopped
 * and resumed pieces of one execution).
 */

/** One execution of a load, as the combined summary lists it. */
export interface SummaryPart {
  runId: string;
  role: 'run' | 'rerun';
  status: RunSummary['status'];
  records: RunSummary['records'];
  firehose: RunSummary['firehose'];
  rounds: number;
  metrics: RunSummary['metrics'];
  durationMs: number;
}

export type LoadSummary = RunSummary & { executions?: SummaryPart[]; reruns?: string[] };

export function partOf(summary: RunSummary, role: SummaryPart['role']): SummaryPart {
  return {
    runId: summary.runId,
    role,
    status: summary.status,
    records: summary.records,
    firehose: summary.firehose,
    rounds: summary.plan.rounds,
    metrics: summary.metrics,
    durationMs: summary.durationMs,
  };
}

const sum = (parts: SummaryPart[], pick: (part: SummaryPart) => number | undefined) =>
  parts.reduce((total, part) => total + (pick(part) ?? 0), 0);

/** CloudWatch for the whole load: every part confirmed is confirmed; a mismatch or a lag anywhere shows. */
function metricsOf(parts: SummaryPart[]): RunSummary['metrics'] {
  const verdicts = new Set(parts.map((part) => part.metrics.verdict));
  const verdict = ['mismatch', 'lagging', 'not checked'].find((v) => verdicts.has(v)) ?? 'confirmed';
  const total = (pick: (m: RunSummary['metrics']) => number | null) =>
    parts.some((part) => pick(part.metrics) === null) ? null : sum(parts, (part) => pick(part.metrics) ?? 0);
  return {
    incomingRecords: total((m) => m.incomingRecords),
    incomingBytes: total((m) => m.incomingBytes),
    verdict,
  };
}

/**
 * The load after `rerun`: `loaded` is the summary so far (the first run's, or an earlier combination),
 * `rerun` the summary of the new execution over its dead letters.
 */
export function combineRerun(loaded: LoadSummary, rerun: RunSummary): LoadSummary {
  const parts = [...(loaded.executions ?? [partOf(loaded, 'run')]), partOf(rerun, 'rerun')];
  const first = loaded;
  const last = rerun;
  const status = last.records.deadLettered === 0 && last.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
  const { error: _previousError, ...rest } = first;
  return {
    ...rest,
    status,
    ...(status === 'FAILED' && last.error ? { error: last.error } : {}),
    salvaged: first.salvaged || last.salvaged,
    records: {
      input: first.records.input,
      delivered: sum(parts, (p) => p.records.delivered),
      deadLettered: last.records.deadLettered,
      rejected: sum(parts, (p) => p.records.rejected),
      // A rerun is refused while the run has records pending; what the latest rerun left unsent is pending.
      pending: last.records.pending ?? 0,
      requeued: sum(parts, (p) => p.records.requeued),
      possibleDuplicates: sum(parts, (p) => p.records.possibleDuplicates),
    },
    // The send counts summed over the executions; the stream and the planned figures are the first run's.
    firehose: parts.reduce((total, part) => addCounts(total, part.firehose, FIREHOSE_COUNT_FIELDS), {
      ...first.firehose,
      ...zeroCounts(FIREHOSE_COUNT_FIELDS),
    }),
    plan: {
      ...first.plan,
      rounds: sum(parts, (p) => p.rounds),
      failedChunks: first.plan.failedChunks + rerun.plan.failedChunks,
    },
    metrics: metricsOf(parts),
    output: {
      files: [...first.output.files, ...rerun.output.files],
      bytes: first.output.bytes + rerun.output.bytes,
    },
    deadLetter: rerun.deadLetter,
    durationMs: sum(parts, (p) => p.durationMs),
    executions: parts,
    reruns: [...(first.reruns ?? []), rerun.runId],
  };
}
