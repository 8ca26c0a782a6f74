import type { S3Client } from '@aws-sdk/client-s3';
import type { ChunkClaim, ClaimBody } from '../shared/chunk-claim';
import { putIf, readStored } from '../shared/claim-store';
import { mapWithConcurrency } from '../shared/concurrency';
import type { ChunkOutcome } from '../shared/run-state';
import type { ObjectRef } from '../shared/s3-io';

/** A chunk's outcome key that held a claim when the round's outcomes were read. */
export interface StoredClaim {
  ref: ObjectRef;
  claim: ChunkClaim;
  etag: string;
}

// Claims are few (failed chunks only); a handful of writes in flight is plenty.
const SETTLE_CONCURRENCY = 8;
// Each lost swap means its owner moved on (finished, released, was taken over); it cannot go on for long.
const MAX_SWAPS = 5;
// Unkeyed chunks can be a whole round's (Lambda throttled every child): tiny writes, many in flight.
const MARK_CONCURRENCY = 32;

/**
 * Hands each chunk whose key still holds a claim after its round to the next round (or the dead
 * letters): its claim is swapped (If-Match its ETag) for one marked `requeuedAt`, so a late attempt
 * of this round — Express children start at least once — finds it and sends nothing. A lost swap means
 * the owner wrote meanwhile: the key is read again, and an outcome found then counts as the chunk's.
 */
export async function settleClaims(
  s3: S3Client,
  stored: readonly StoredClaim[],
  now: () => number = Date.now,
): Promise<{ outcomes: ChunkOutcome[]; claims: Map<string, ChunkClaim> }> {
  const settled = await mapWithConcurrency(stored, SETTLE_CONCURRENCY, (entry) => settleOne(s3, entry, now));
  const outcomes: ChunkOutcome[] = [];
  const claims = new Map<string, ChunkClaim>();
  for (const result of settled) {
    if (result?.kind === 'outcome') outcomes.push(result.outcome);
    else if (result?.kind === 'claim') claims.set(result.claim.chunkId, result.claim);
  }
  return { outcomes, claims };
}

/** A manifest chunk whose outcome key did not exist when the round's outcomes were listed. */
export interface UnkeyedChunk {
  ref: ObjectRef;
  chunkId: string;
  round: number;
}

// Written in place of a claim: nobody sent under it (releasedAt), and the chunk went on (requeuedAt).
const HANDED_ON_OWNER = 'advance-round';

/**
 * Hands on each chunk that has no outcome key at all (every attempt was throttled by Lambda, timed
 * out, or failed its claim): a marker claim `requeuedAt` is created with If-None-Match: *, so a late
 * Express child of this round meets it and sends nothing. If the key appeared since the LIST (412, or
 * 409 when two writes race), it is read and settled like any claim left by the round.
 */
export async function handOnUnkeyed(
  s3: S3Client,
  chunks: readonly UnkeyedChunk[],
  now: () => number = Date.now,
): Promise<{ outcomes: ChunkOutcome[]; claims: Map<string, ChunkClaim> }> {
  const raced = await mapWithConcurrency(chunks, MARK_CONCURRENCY, async (chunk) => {
    const at = new Date(now()).toISOString();
    const marker: ChunkClaim = {
      chunkId: chunk.chunkId,
      round: chunk.round,
      owner: HANDED_ON_OWNER,
      claimedAt: at,
      takenOverClaims: 0,
      possibleDuplicateRecords: 0,
      releasedAt: at,
      requeuedAt: at,
    };
    const created = await putIf(s3, chunk.ref, { claim: marker } satisfies ClaimBody, { ifNoneMatch: '*' });
    if (created !== undefined) return undefined;
    // It exists for the conditional write, so a 403 on the GET means it was deleted since (claim-store.ts).
    const found = await readStored(s3, chunk.ref, true);
    return found ? { ref: chunk.ref, found } : undefined;
  });
  const outcomes: ChunkOutcome[] = [];
  const claimed: StoredClaim[] = [];
  for (const entry of raced) {
    if (entry?.found.stored.kind === 'outcome') outcomes.push(entry.found.stored.outcome);
    else if (entry?.found.stored.kind === 'claim')
      claimed.push({ ref: entry.ref, claim: entry.found.stored.claim, etag: entry.found.etag });
  }
  const settled = await settleClaims(s3, claimed, now);
  return { outcomes: [...outcomes, ...settled.outcomes], claims: settled.claims };
}

type Settled = { kind: 'outcome'; outcome: ChunkOutcome } | { kind: 'claim'; claim: ChunkClaim } | undefined;

async function settleOne(s3: S3Client, entry: StoredClaim, now: () => number): Promise<Settled> {
  let { claim, etag } = entry;
  for (let swap = 0; swap < MAX_SWAPS; swap++) {
    if (claim.requeuedAt) return { kind: 'claim', claim }; // Settled by an earlier try of this step.
    const requeued: ChunkClaim = { ...claim, requeuedAt: new Date(now()).toISOString() };
    if (
      (await putIf(s3, entry.ref, { claim: requeued } satisfies ClaimBody, { ifMatch: etag })) !== undefined
    ) {
      return { kind: 'claim', claim: requeued };
    }
    // It existed for the conditional write: a 403 means deleted since, as above.
    const found = await readStored(s3, entry.ref, true);
    if (!found) return undefined; // Deleted: the chunk simply has no outcome.
    if (found.stored.kind === 'outcome') return { kind: 'outcome', outcome: found.stored.outcome };
    ({ claim, etag } = { claim: found.stored.claim, etag: found.etag });
  }
  throw new Error(`the claim at ${entry.ref.key} kept changing while the round was being totalled`);
}
