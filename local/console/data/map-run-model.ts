import type { ChunkDescriptor, ChunkOutcome, StoredChunk } from './contract';
import type { ChunkTimes } from './log-lines';

/**
 * Every chunk of every round of a run as one row, from what the run left: each round's manifest, the
 * outcome key of each chunk (its outcome, or the claim of an attempt that wrote none), the dead-letter
 * manifest and the chunks' times. Pure: the readers (map-run.ts) gather the inputs.
 */

export const ChunkStatus = {
  /** Every record accepted. */
  delivered: 'delivered',
  /** An outcome, and some entries handed to the next round. */
  requeued: 'requeued',
  /** What was left of it went to the dead-letter file. */
  deadLettered: 'deadLettered',
  /** The round ended without an outcome: the whole chunk went to the next round. */
  failed: 'failed',
  /** An attempt holds its claim and the round is still going. */
  running: 'running',
  /** Nothing written for it yet. */
  pending: 'pending',
} as const;
export type ChunkStatus = (typeof ChunkStatus)[keyof typeof ChunkStatus];

export interface ChunkRow {
  round: number;
  /** Position in the round's manifest: the route /chunks/:round/:index. */
  index: number;
  chunkId: string;
  status: ChunkStatus;
  records: number;
  /** Planned payload bytes of the chunk. */
  bytes: number;
  mode: ChunkDescriptor['mode'];
  /** From the outcome; null when the chunk has none (attempts and entries: from its claim's carried counts). */
  delivered: number | null;
  requeued: number | null;
  attempts: number | null;
  /** FailedPutCount: entries Firehose refused, retries included. */
  failedEntries: number | null;
  throttledEntries: number | null;
  /** Claims of earlier attempts taken over (a sign of a crashed or timed-out attempt). */
  takenOverClaims: number | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
}

export interface RoundView {
  round: number;
  chunks: number;
  records: number;
  /** Chunks per status. */
  statuses: Record<ChunkStatus, number>;
  /** The round is over: a later round, the dead letters or the run's end exist. */
  ended: boolean;
}

export interface MapRunView {
  runId: string;
  rounds: RoundView[];
  /** Round by round, in manifest order. */
  chunks: ChunkRow[];
}

export interface MapRunInputs {
  runId: string;
  /** Each round's manifest, round 0 first. */
  rounds: readonly (readonly ChunkDescriptor[])[];
  /** What each chunk's outcome key holds, by chunk id (chunk ids are unique across rounds). */
  stored: ReadonlyMap<string, StoredChunk>;
  /** Chunk ids the dead-letter manifest names. */
  deadLettered: ReadonlySet<string>;
  times: ReadonlyMap<string, ChunkTimes>;
  /** The run has ended (its summary exists, or the execution stopped). */
  finished: boolean;
}

const emptyStatuses = (): Record<ChunkStatus, number> => ({
  delivered: 0,
  requeued: 0,
  deadLettered: 0,
  failed: 0,
  running: 0,
  pending: 0,
});

export function statusOf(
  stored: StoredChunk | undefined,
  ended: boolean,
  deadLettered: boolean,
): ChunkStatus {
  if (deadLettered) return ChunkStatus.deadLettered;
  if (stored?.kind === 'outcome')
    return stored.outcome.requeued > 0 ? ChunkStatus.requeued : ChunkStatus.delivered;
  // AdvanceRound marks a claim left at the round's end (requeuedAt): its chunk went on whole.
  if (ended || (stored?.kind === 'claim' && stored.claim.requeuedAt)) return ChunkStatus.failed;
  return stored?.kind === 'claim' ? ChunkStatus.running : ChunkStatus.pending;
}

function rowOf(
  chunk: ChunkDescriptor,
  place: { round: number; index: number; ended: boolean },
  inputs: MapRunInputs,
): ChunkRow {
  const stored = inputs.stored.get(chunk.chunkId);
  const outcome: ChunkOutcome | undefined = stored?.kind === 'outcome' ? stored.outcome : undefined;
  const times = inputs.times.get(chunk.chunkId);
  const duration = times ? Date.parse(times.endedAt) - Date.parse(times.startedAt) : Number.NaN;
  const claim = stored?.kind === 'claim' ? stored.claim : undefined;
  return {
    round: place.round,
    index: place.index,
    chunkId: chunk.chunkId,
    status: statusOf(stored, place.ended, inputs.deadLettered.has(chunk.chunkId)),
    records: chunk.records,
    bytes: chunk.payloadBytes,
    mode: chunk.mode,
    delivered: outcome?.delivered ?? null,
    requeued: outcome?.requeued ?? null,
    // A chunk without an outcome shows what its attempts that got nothing accepted counted (the claim
    // carries it, and the run's summary adds it), so the rows add up to the summary.
    attempts: outcome?.attempts ?? claim?.earlierCounts?.attempts ?? null,
    failedEntries: outcome?.failedPutCount ?? claim?.earlierCounts?.failedPutCount ?? null,
    throttledEntries: outcome?.throttledEntries ?? claim?.earlierCounts?.throttledEntries ?? null,
    takenOverClaims: outcome?.takenOverClaims ?? claim?.takenOverClaims ?? null,
    startedAt: times?.startedAt ?? null,
    endedAt: times?.endedAt ?? null,
    durationMs: Number.isFinite(duration) ? duration : null,
  };
}

export function buildMapRun(inputs: MapRunInputs): MapRunView {
  const rounds: RoundView[] = [];
  const chunks: ChunkRow[] = [];
  inputs.rounds.forEach((manifest, round) => {
    // The run has moved past a round once a later one (or the end) exists.
    const ended = inputs.finished || round < inputs.rounds.length - 1 || inputs.deadLettered.size > 0;
    const view: RoundView = { round, chunks: manifest.length, records: 0, statuses: emptyStatuses(), ended };
    manifest.forEach((chunk, index) => {
      const row = rowOf(chunk, { round, index, ended }, inputs);
      view.records += chunk.records;
      view.statuses[row.status] += 1;
      chunks.push(row);
    });
    rounds.push(view);
  });
  return { runId: inputs.runId, rounds, chunks };
}
