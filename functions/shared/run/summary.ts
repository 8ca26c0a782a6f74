import { emptyTotals, type MetricsReport, type RunState } from '../run-state';

/** INTERRUPTED: stopped by Ctrl-C (or an I/O error stopped it: FAILED with `error`); `resume` goes on. */
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
  /**
   * The stream's IncomingRecords/IncomingBytes in the run's window less what the job's other runs had
   * accepted there (a rerun a minute later shares minutes): this run's share, so executions add up.
   */
  metrics: {
    incomingRecords: number | null;
    incomingBytes: number | null;
    verdict: string;
    /** Records the job's other runs had accepted in the window, when there were any. */
    otherRunsRecords?: number;
  };
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
  // A run stopped before planning has no state: its counts are all 0.
  const totals = state?.totals ?? emptyTotals();
  const rejected = plan?.rejected ?? 0;
  const notOnDisk = inputs.notOnDisk ?? 0;
  const delivered = totals.delivered - notOnDisk;
  const deadLettered = totals.deadLettered;
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
      requeued: totals.requeued,
      possibleDuplicates: totals.possibleDuplicateRecords,
    },
    ...(inputs.parts?.length ? { parts: inputs.parts } : {}),
    firehose: {
      streamName: inputs.streamName,
      putRecordCalls: totals.putRecordCalls,
      putRecordBatchCalls: totals.putRecordBatchCalls,
      minimumPutRecordBatchCalls: plan?.minimumBatchCalls ?? 0,
      failedPutCount: totals.failedPutCount,
      throttledEntries: totals.throttledEntries,
      refusedRequests: totals.refusedRequests,
      attempts: totals.attempts,
      acceptedFirehoseRecords: totals.acceptedFirehoseRecords,
      acceptedBytes: totals.acceptedBytes,
      bytesSent: totals.bytesSent,
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
      failedChunks: totals.failedChunks,
    },
    metrics: {
      ...runShareOf(state?.metrics),
      verdict: state?.metrics?.verdict ?? 'not checked',
    },
    output: { files: inputs.outputFiles, bytes: inputs.outputBytes },
    deadLetter: { files: inputs.deadLetterFiles, manifest: inputs.deadLetterManifest },
    rejects: { file: inputs.rejectsFile },
    runDir: inputs.runDir,
    durationMs: inputs.durationMs,
  };
}

/** The stream's counts in the window less the job's other runs' (null when CloudWatch gave none). */
function runShareOf(
  metrics: MetricsReport | undefined,
): Pick<RunSummary['metrics'], 'incomingRecords' | 'incomingBytes' | 'otherRunsRecords'> {
  const share = (incoming: number | undefined, others: number | undefined) =>
    incoming === undefined ? null : incoming - (others ?? 0);
  return {
    incomingRecords: share(metrics?.incomingRecords, metrics?.otherRunsRecords),
    incomingBytes: share(metrics?.incomingBytes, metrics?.otherRunsBytes),
    ...(metrics?.otherRunsRecords ? { otherRunsRecords: metrics.otherRunsRecords } : {}),
  };
}
