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

/**
 * The rate (fraction of the quota) the next round starts at: the median of the rates the chunks were
 * sent at (the lower middle one of an even count), the round's own rate if none reported. The children
 * share one rate (shared-rate.ts), so the lowest is only the dip right after a cut, below the rate that
 * worked; a new round climbs from where it starts by 1% of the quota a second, so starting in a dip
 * cost up to half a minute.
 */
export function nextPaceRate(outcomes: readonly Pick<ChunkOutcome, 'paceRate'>[], current: number): number {
  const rates = outcomes
    .map((outcome) => outcome.paceRate)
    .filter((rate): rate is number => typeof rate === 'number' && Number.isFinite(rate) && rate > 0)
    .sort((a, b) => a - b);
  return rates.length > 0 ? (rates[Math.floor((rates.length - 1) / 2)] as number) : current;
}
