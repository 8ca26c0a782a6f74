import type { ChunkDescriptor } from '../shared/chunk';
import { type ChunkClaim, possiblyDeliveredOnFailure } from '../shared/chunk-claim';
import { addCounts, addSendCounts, FIREHOSE_COUNT_FIELDS } from '../shared/run/send-counts';
import { type ChunkOutcome, RoundNext, type RunTotals } from '../shared/run-state';

/** First wait before a re-queue round, doubling each round up to the cap: a throttled stream recovers. */
export const REQUEUE_WAIT_BASE_SECONDS = 5;
export const REQUEUE_WAIT_MAX_SECONDS = 300;

export function requeueWaitSeconds(nextRound: number): number {
  return Math.min(REQUEUE_WAIT_MAX_SECONDS, REQUEUE_WAIT_BASE_SECONDS * 2 ** Math.max(0, nextRound - 1));
}

/** After round `round`, with `leftover` chunks to send: another round, or the end (dead letters if any). */
export function decideNext(round: number, requeueRounds: number, leftover: number): RoundNext {
  return leftover > 0 && round < requeueRounds ? RoundNext.requeue : RoundNext.done;
}

/** Adds one chunk outcome to the run totals; pure so the arithmetic is tested without S3. */
export function addOutcome(totals: RunTotals, outcome: ChunkOutcome): RunTotals {
  return {
    ...addSendCounts(totals, outcome),
    possibleDuplicateRecords: totals.possibleDuplicateRecords + outcome.possibleDuplicateRecords,
  };
}

/**
 * What the next round must send: the re-queued entries of chunks that reported an outcome, and whole
 * chunks that reported none (their child execution failed, and PutBatch only gives up on a chunk when
 * Firehose accepted nothing of it, so resending it whole duplicates nothing).
 */
export function leftoverChunks(
  manifest: readonly ChunkDescriptor[],
  outcomes: ReadonlyMap<string, ChunkOutcome>,
): { chunks: ChunkDescriptor[]; failedChunks: number } {
  const chunks: ChunkDescriptor[] = [];
  let failedChunks = 0;
  for (const chunk of manifest) {
    const outcome = outcomes.get(chunk.chunkId);
    if (!outcome) {
      failedChunks += 1;
      chunks.push(chunk);
    } else if (outcome.requeue) {
      chunks.push(outcome.requeue);
    }
  }
  return { chunks, failedChunks };
}

/**
 * Input records of this round's failed chunks (no outcome) that an attempt may have had accepted: a
 * chunk whose key still holds an unreleased claim was being sent when its attempt stopped.
 */
export function possibleDuplicatesOfFailed(
  manifest: readonly ChunkDescriptor[],
  outcomes: ReadonlyMap<string, ChunkOutcome>,
  claims: ReadonlyMap<string, ChunkClaim>,
): number {
  let records = 0;
  for (const chunk of manifest) {
    const claim = claims.get(chunk.chunkId);
    if (!outcomes.has(chunk.chunkId) && claim) records += possiblyDeliveredOnFailure(claim, chunk.records);
  }
  return records;
}

/**
 * The totals with the Firehose counts that this round's failed chunks' claims carry: the calls of
 * attempts that gave the chunk up without an outcome (chunk-claim.ts). No outcome counted them; a
 * chunk that has one is left out, as its outcome took them over.
 */
export function addCountsOfFailed(
  totals: RunTotals,
  manifest: readonly ChunkDescriptor[],
  outcomes: ReadonlyMap<string, ChunkOutcome>,
  claims: ReadonlyMap<string, ChunkClaim>,
): RunTotals {
  let sum = totals;
  for (const chunk of manifest) {
    const carried = claims.get(chunk.chunkId)?.earlierCounts;
    if (!outcomes.has(chunk.chunkId) && carried) sum = addCounts(sum, carried, FIREHOSE_COUNT_FIELDS);
  }
  return sum;
}

/** The next round starts from the rates of this share of the chunks, the last in plan order (at least NEXT_RATE_TAIL_MIN). */
export const NEXT_RATE_TAIL_SHARE = 0.1;
const NEXT_RATE_TAIL_MIN = 5;

/**
 * The rate (fraction of the quota) the next round starts at: the median of the rates the chunks last in
 * plan order reported (the lower middle one of an even count), the round's own rate if none reported.
 * A chunk reports the rate when it finished, and the schedule sends chunks in plan order (chunk ids sort
 * in it, in a re-queue round too), so the last tenth tells the rate at the round's end: with a cut late
 * in the round, the median of all chunks was the rate from before it, and the next round started
 * overloaded. A median, not the lowest: the children share one rate (shared-rate.ts), so the lowest is
 * only the dip right after a cut, and a round climbs from where it starts by 1% of the quota a second.
 */
export function nextPaceRate(
  outcomes: readonly Pick<ChunkOutcome, 'chunkId' | 'paceRate'>[],
  current: number,
): number {
  const reported = outcomes
    .filter(({ paceRate }) => typeof paceRate === 'number' && Number.isFinite(paceRate) && paceRate > 0)
    .sort((a, b) => comparePlanOrder(a.chunkId, b.chunkId));
  // At least NEXT_RATE_TAIL_MIN chunks: a small re-queue round's one last chunk may be in a dip.
  const tailLength = Math.max(NEXT_RATE_TAIL_MIN, Math.ceil(reported.length * NEXT_RATE_TAIL_SHARE));
  const tail = reported.slice(-tailLength);
  const rates = tail.map((outcome) => outcome.paceRate as number).sort((a, b) => a - b);
  return rates.length > 0 ? (rates[Math.floor((rates.length - 1) / 2)] as number) : current;
}

/** Chunk ids of one round in plan order: `r0-c000123` (a longer number, past 999,999, comes later). */
function comparePlanOrder(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
