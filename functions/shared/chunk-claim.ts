import { addCounts, FIREHOSE_COUNT_FIELDS, type FirehoseCounts } from './run/send-counts';
import type { ChunkOutcome } from './run-state';

/**
 * A chunk's outcome key holds first its claim, then its outcome. PutBatch creates the claim with
 * `If-None-Match: *` before it sends and replaces it with the outcome by `If-Match: <claim ETag>`
 * (compare-and-swap), so of several attempts at one chunk only the one holding the claim sends.
 * AdvanceRound reads a claim still there after the round as "no outcome". Shared by both; pure.
 */
export interface ChunkClaim {
  chunkId: string;
  round: number;
  /** One id per attempt; a takeover writes its own. */
  owner: string;
  /** ISO 8601, written by the owner just before it claimed (its clock). */
  claimedAt: string;
  /** Claims of earlier attempts this chain replaced while they might have sent. */
  takenOverClaims: number;
  /** Input records an earlier attempt may have had accepted: resending them may duplicate them. */
  possibleDuplicateRecords: number;
  /**
   * Firehose counts (calls, refused requests, ...) of earlier attempts of this round that gave the claim
   * up without an outcome. They pass from claim to claim by compare-and-swap and end in the one outcome
   * that replaces the claim, or, if the round ends without one, in AdvanceRound's totals: once either way.
   */
  earlierCounts?: Partial<FirehoseCounts>;
  /** Set when the owner gave the claim up knowing what Firehose took: the next attempt needs no wait. */
  releasedAt?: string;
  /**
   * Set by AdvanceRound when the round ended without an outcome and the chunk went to the next round
   * (or the dead letters): a late attempt of this round must not send it too.
   */
  requeuedAt?: string;
}

export interface ClaimBody {
  claim: ChunkClaim;
}

/** What the outcome key holds. */
export type StoredChunk = { kind: 'outcome'; outcome: ChunkOutcome } | { kind: 'claim'; claim: ChunkClaim };

export function parseStoredChunk(text: string): StoredChunk {
  const value = JSON.parse(text) as Partial<ClaimBody> & Partial<ChunkOutcome>;
  if (value.claim && typeof value.claim.owner === 'string') return { kind: 'claim', claim: value.claim };
  if (typeof value.chunkId === 'string' && typeof value.delivered === 'number') {
    return { kind: 'outcome', outcome: value as ChunkOutcome };
  }
  throw new Error(`not a chunk outcome or claim: ${text.slice(0, 200)}`);
}

export const ClaimAction = {
  finished: 'finished',
  superseded: 'superseded',
  wait: 'wait',
  takeOver: 'takeOver',
} as const;
export type ClaimAction = (typeof ClaimAction)[keyof typeof ClaimAction];

export type ClaimDecision =
  | { action: typeof ClaimAction.finished; outcome: ChunkOutcome }
  | { action: typeof ClaimAction.superseded; claim: ChunkClaim }
  | { action: typeof ClaimAction.wait; ageMs: number; claim: ChunkClaim }
  | { action: typeof ClaimAction.takeOver; claim: ChunkClaim; stale: boolean };

/**
 * What an attempt does when the key is already there: return a finished outcome; stop if the chunk
 * went to the next round; take over a released
 * claim at once, or one older than the takeover limit (its owner is dead: the limit exceeds the
 * attempt's time limit); otherwise wait for the owner.
 */
export function decideOnStored(stored: StoredChunk, nowMs: number, takeoverAfterMs: number): ClaimDecision {
  if (stored.kind === 'outcome') return { action: ClaimAction.finished, outcome: stored.outcome };
  const { claim } = stored;
  if (claim.requeuedAt) return { action: ClaimAction.superseded, claim };
  if (claim.releasedAt) return { action: ClaimAction.takeOver, claim, stale: false };
  const ageMs = nowMs - Date.parse(claim.claimedAt);
  // An unreadable date cannot prove the owner dead; only the limit 0 (owner known dead) takes it over.
  if (takeoverAfterMs === 0 || ageMs >= takeoverAfterMs)
    return { action: ClaimAction.takeOver, claim, stale: true };
  return { action: ClaimAction.wait, ageMs, claim };
}

/** A first claim, or the one replacing `previous`: a stale claim's owner may have sent every record. */
export function nextClaim(
  chunk: { chunkId: string; round: number; records: number },
  owner: string,
  nowMs: number,
  previous?: { claim: ChunkClaim; stale: boolean },
): ChunkClaim {
  const before = previous?.claim;
  const stale = previous?.stale === true;
  return {
    chunkId: chunk.chunkId,
    round: chunk.round,
    owner,
    claimedAt: new Date(nowMs).toISOString(),
    takenOverClaims: (before?.takenOverClaims ?? 0) + (stale ? 1 : 0),
    possibleDuplicateRecords: (before?.possibleDuplicateRecords ?? 0) + (stale ? chunk.records : 0),
    // A stale owner's own calls are unknown (it never gave the claim up); those it was handed go on.
    ...(before?.earlierCounts ? { earlierCounts: before.earlierCounts } : {}),
  };
}

/** What an owner that gives its claim up without an outcome hands on to the next attempt. */
export interface ReleaseCarry {
  /** Input records in its calls that got no answer: Firehose may have taken them. */
  possibleDuplicateRecords?: number;
  /** Its own Firehose counts: the calls it made are counted once, by whoever ends the chain. */
  counts?: Partial<FirehoseCounts>;
}

/** The claim given up at `nowMs`: the next attempt takes it over at once and carries `carry` on. */
export function releasedClaim(claim: ChunkClaim, nowMs: number, carry: ReleaseCarry = {}): ChunkClaim {
  const earlierCounts = carry.counts
    ? addCounts(claim.earlierCounts ?? {}, carry.counts, FIREHOSE_COUNT_FIELDS)
    : claim.earlierCounts;
  return {
    ...claim,
    possibleDuplicateRecords: claim.possibleDuplicateRecords + (carry.possibleDuplicateRecords ?? 0),
    ...(earlierCounts ? { earlierCounts } : {}),
    releasedAt: new Date(nowMs).toISOString(),
  };
}

/** The Firehose counts of an attempt, with those its claim carries from earlier attempts added. */
export function withEarlierCounts(counts: FirehoseCounts, claim: ChunkClaim): FirehoseCounts {
  return addCounts(counts, claim.earlierCounts ?? {}, FIREHOSE_COUNT_FIELDS);
}

/**
 * Input records a failed chunk may have delivered already, which its re-queue resends: all of them if
 * its claim was never released (the owner may have died after Firehose accepted), plus what the claim
 * carries from earlier attempts.
 */
export function possiblyDeliveredOnFailure(claim: ChunkClaim, chunkRecords: number): number {
  return claim.possibleDuplicateRecords + (claim.releasedAt ? 0 : chunkRecords);
}
