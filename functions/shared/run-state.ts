import type { AcceptedByMinute } from './accepted-minutes';
import type { ChunkDescriptor, InputFormat, RecordFormat } from './chunk';
import type { RunQuota } from './quota/quota';
import { emptySendCounts, type SendCounts } from './run/send-counts';

/**
 * The state that travels between the state machine's steps. It stays small whatever the file size:
 * counts and S3 keys only, never records or chunk lists.
 */

/** What a person may put in the execution input; every field is optional. */
export interface ExecutionInput {
  source?: { bucket?: string; key?: string };
  format?: InputFormat;
  individualRecords?: number;
  pack?: boolean;
  maxConcurrency?: number;
  requeueRounds?: number;
}

export interface RunSettings {
  source: { bucket: string; key: string };
  format: RecordFormat;
  individualRecords: number;
  pack: boolean;
  maxConcurrency: number;
  requeueRounds: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
}

export interface PlanSummary {
  sourceBytes: number;
  etag: string;
  records: number;
  rejected: number;
  chunks: number;
  batchChunks: number;
  individualChunks: number;
  firehoseRecords: number;
  payloadBytes: number;
  billedBytes: number;
  billedBytesUnpacked: number;
  billedBytesPacked: number;
  minimumBatchCalls: number;
  manifestKey: string;
  rejectsKey: string;
}

export const RoundNext = { requeue: 'requeue', done: 'done' } as const;
export type RoundNext = (typeof RoundNext)[keyof typeof RoundNext];

export interface RoundState {
  number: number;
  manifestKey: string;
  chunks: number;
  records: number;
  next: RoundNext;
  waitSeconds: number;
}

export type { SendCounts } from './run/send-counts';

/** Sums over every round; `delivered` and `deadLettered` count input records, never Firehose records. */
export interface RunTotals extends SendCounts {
  deadLettered: number;
  failedChunks: number;
  /**
   * Input records that may have reached Firehose twice: sent by an attempt that stopped before its
   * outcome was written (its chunk was resent by a takeover or a re-queue), or in a request that got no
   * answer and was resent. Counted, not proven: CloudWatch's IncomingRecords shows what really arrived.
   */
  possibleDuplicateRecords: number;
}

export const emptyTotals = (): RunTotals => ({
  ...emptySendCounts(),
  deadLettered: 0,
  failedChunks: 0,
  possibleDuplicateRecords: 0,
});

/** Where the records no round could deliver are, and how many: read by the CLI, the runner, the console. */
export interface DeadLetterSummary {
  records: number;
  /** The artifact bucket that holds both files. */
  bucket: string;
  recordsKey: string;
  manifestKey: string;
  /** The Fail state's cause, a sentence for people; programs read the fields above, never this. */
  message: string;
}

export const MetricsVerdict = { confirmed: 'confirmed', lagging: 'lagging', mismatch: 'mismatch' } as const;
export type MetricsVerdict = (typeof MetricsVerdict)[keyof typeof MetricsVerdict];

export interface MetricsReport {
  verdict: MetricsVerdict;
  incomingRecords?: number;
  incomingBytes?: number;
  throttledRecords?: number;
  failedPutCount?: number;
  /** What this run's calls were told was accepted. */
  expectedRecords?: number;
  expectedBytes?: number;
  /** What all runs of this job published as accepted in the same window (AcceptedRecords/AcceptedBytes). */
  jobAcceptedRecords?: number;
  jobAcceptedBytes?: number;
  /** The job's other runs' part of that (the job's figure less this run's): the window's share of others. */
  otherRunsRecords?: number;
  otherRunsBytes?: number;
  /** The stream's counts beyond the job's, on a mismatch: another writer, or a batch accepted and resent. */
  unexplainedRecords?: number;
  unexplainedBytes?: number;
}

export interface RunState {
  runId: string;
  startedAt: string;
  settings: RunSettings;
  plan: PlanSummary;
  round: RoundState;
  totals: RunTotals;
  /** The stream's quota, found by Plan (CloudWatch, a stated one, or the region's default). */
  quota?: RunQuota;
  /** The rate (fraction of the quota) the next round starts at: the one that worked so far. */
  pace?: PaceState;
  deadLetter?: DeadLetterSummary;
  metrics?: MetricsReport;
  /**
   * The Distributed Map's result (a MapRunOutput when it has a ResultWriter). AdvanceRound reads the
   * round's outcomes from its files; unknown because the state machine, not a function, writes it.
   */
  mapRun?: unknown;
}

export interface PaceState {
  rate: number;
}

/** Where a Distributed Map's ResultWriter put the manifest.json of its files. */
export interface ResultWriterDetails {
  Bucket: string;
  Key: string;
}

/** What a Distributed Map with a ResultWriter returns at its ResultPath (`$.mapRun`). */
export interface MapRunOutput {
  MapRunArn?: string;
  ResultWriterDetails?: ResultWriterDetails;
}

/** What PutBatch records for one chunk in one round, as an S3 object the round's totals are built from. */
export interface ChunkOutcome extends SendCounts {
  chunkId: string;
  round: number;
  records: number;
  /** The failed entries, written to a re-queue object and described like any chunk. */
  requeue?: ChunkDescriptor;
  /** Claims of earlier attempts at this chunk taken over while they might have sent (chunk-claim.ts). */
  takenOverClaims?: number;
  /** Input records earlier attempts may have had accepted before this one sent them again. */
  possibleDuplicateRecords: number;
  /** The paced rate (fraction of the quota) this chunk's environment had after sending it. */
  paceRate?: number;
  /** Firehose records and bytes accepted, by the minute of the answer (absent when none, or written before). */
  acceptedByMinute?: AcceptedByMinute;
}

/** The input of one PutBatch invocation (one Distributed Map item). */
export interface PutBatchInput {
  runId: string;
  round: number;
  chunk: ChunkDescriptor;
  /** Rejects Plan found in the whole source (`plan.rejected`); 0 lets PutBatch skip re-validating. */
  sourceRejects?: number;
  /** The item's index in the Map run and the Map's MaxConcurrency, for pacing under a stream quota. */
  item?: number;
  maxConcurrency?: number;
  /** The run's quota, the rate the round starts at and the Map's EnteredTime: the shared schedule's inputs. */
  quota?: RunQuota;
  paceRate?: number;
  mapStartedAt?: string;
}
