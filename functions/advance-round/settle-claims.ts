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
    const found = await readStored(s3, entry.ref);
    if (!found) return undefined; // Deleted: the chunk simply has no outcome.
    if (found.stored.kind === 'outcome') return { kind: 'outcome', outcome: found.stored.outcome };
    ({ claim, etag } = { claim: found.stored.claim, etag: found.etag });
  }
  throw new Error(`the claim at ${entry.ref.key} kept changing while the round was being totalled`);
}
