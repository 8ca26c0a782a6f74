import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type ChunkClaim,
  ClaimAction,
  type ClaimBody,
  decideOnStored,
  nextClaim,
  type ReleaseCarry,
  releasedClaim,
} from '../shared/chunk-claim';
import { putIf, readStored } from '../shared/claim-store';
import { ChunkInProgressError, ChunkSupersededError, TransientAwsError } from '../shared/errors';
import type { LoggerLike } from '../shared/logger';
import type { ChunkOutcome } from '../shared/run-state';
import type { ObjectRef } from '../shared/s3-io';

/**
 * The S3 side of a chunk's claim (the pure rules are in shared/chunk-claim.ts). Conditional writes:
 * S3 user guide, "How to prevent object overwrites with conditional writes" — 412 PreconditionFailed
 * when the condition fails, 409 ConditionalRequestConflict when two writes race; both mean "someone
 * else wrote it", so the attempt reads the object (it exists: GetObject needs no s3:ListBucket then).
 */
export interface ClaimDeps {
  s3: S3Client;
  logger: LoggerLike;
  /** A claim older than this is taken over; 0 takes any unfinished claim over (its owner is known dead). */
  takeoverAfterMs: number;
  /** How long this attempt waits for another owner before it gives up with ChunkInProgressError. */
  waitBudgetMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  newOwner?: () => string;
}

/** A held claim: its ETag is what the outcome (or a release) must match. */
export interface HeldClaim {
  ref: ObjectRef;
  claim: ChunkClaim;
  etag: string;
  /** Milliseconds this attempt spent waiting for another owner before it got the claim. */
  waitedMs: number;
}

export type Acquired = { kind: 'finished'; outcome: ChunkOutcome } | { kind: 'claimed'; held: HeldClaim };

// Polls of a claim held by a live owner: 250 ms doubling to 2 s; an outcome usually lands within a second.
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 2_000;
// A key that exists for the conditional write but not for the GET was deleted in between, over and over.
const MAX_VANISHED = 3;

/**
 * Claims the chunk, or returns its finished outcome. While another live attempt holds it, polls until
 * its outcome lands or its claim turns stale, at most `waitBudgetMs`, then throws ChunkInProgressError
 * (the state machine retries later). Each write is conditional, so two attempts never both hold it.
 */
export async function acquireChunk(
  chunk: { chunkId: string; round: number; records: number },
  ref: ObjectRef,
  deps: ClaimDeps,
): Promise<Acquired> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const owner = (deps.newOwner ?? randomUUID)();
  const started = now();
  let vanished = 0;
  for (let poll = 0; ; ) {
    const fresh = nextClaim(chunk, owner, now());
    const created = await putIf(deps.s3, ref, { claim: fresh } satisfies ClaimBody, { ifNoneMatch: '*' });
    if (created !== undefined) return claimed(ref, fresh, created, now() - started);
    const found = await readStored(deps.s3, ref);
    if (!found) {
      // Deleted between the two calls: back off before writing again, and in the end hand the
      // chunk back to the state machine's retry (a named error the ASL retries), not a plain Error.
      const delay = POLL_FIRST_MS * 2 ** vanished++;
      if (vanished > MAX_VANISHED || now() - started + delay > deps.waitBudgetMs) throw vanishedError(ref);
      await sleep(delay);
      continue;
    }
    // The SDK retried our own claim after S3 had stored it (a timeout, a 5xx): it is ours.
    const own = found.stored.kind === 'claim' ? found.stored.claim : undefined;
    if (own?.owner === owner && !own.releasedAt && !own.requeuedAt) {
      return claimed(ref, own, found.etag, now() - started);
    }
    const decision = decideOnStored(found.stored, now(), deps.takeoverAfterMs);
    if (decision.action === ClaimAction.finished) return { kind: 'finished', outcome: decision.outcome };
    if (decision.action === ClaimAction.superseded) {
      throw new ChunkSupersededError(
        `chunk ${chunk.chunkId} of round ${chunk.round} was already handed to the next round (or the dead ` +
          'letters) after its round ended without an outcome; this late attempt sends nothing',
      );
    }
    if (decision.action === ClaimAction.takeOver) {
      const claim = nextClaim(chunk, owner, now(), decision);
      const etag = await putIf(deps.s3, ref, { claim } satisfies ClaimBody, { ifMatch: found.etag });
      if (etag !== undefined) {
        deps.logger.warn('took over the claim of another attempt', { previous: decision.claim, claim });
        return claimed(ref, claim, etag, now() - started);
      }
      continue; // Someone else changed it first: look again.
    }
    const delay = Math.min(POLL_MAX_MS, POLL_FIRST_MS * 2 ** poll++);
    if (now() - started + delay > deps.waitBudgetMs) {
      throw new ChunkInProgressError(
        `chunk ${chunk.chunkId} of round ${chunk.round} is being sent by attempt ${decision.claim.owner} ` +
          `(claimed ${Math.round(decision.ageMs / 1000)} s ago, taken over after ` +
          `${Math.round(deps.takeoverAfterMs / 1000)} s); nothing was sent, retry later`,
      );
    }
    await sleep(delay);
  }
}

const vanishedError = (ref: ObjectRef) =>
  new TransientAwsError(
    `the outcome key ${ref.key} exists for a conditional write but not for GetObject: ` +
      'it keeps being deleted, or the role may not read runs/* (s3:GetObject); nothing was sent',
  );

function claimed(ref: ObjectRef, claim: ChunkClaim, etag: string, waitedMs: number): Acquired {
  return { kind: 'claimed', held: { ref, claim, etag, waitedMs } };
}

// A 409 ConditionalRequestConflict says another write raced ours, not that it won: look, then retry.
const FINISH_TRIES = 3;
const FINISH_RETRY_MS = 100;

/**
 * Replaces the claim with the outcome, by compare-and-swap. False when the claim is no longer ours
 * (another attempt took it over after our time limit): its outcome then stands, not ours.
 */
export async function finishClaim(
  s3: S3Client,
  held: HeldClaim,
  outcome: ChunkOutcome,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<boolean> {
  for (let tries = 1; ; tries++) {
    if ((await putIf(s3, held.ref, outcome, { ifMatch: held.etag })) !== undefined) return true;
    // The SDK may have retried our write after S3 had stored it: then the key holds exactly our outcome.
    const found = await readStored(s3, held.ref);
    if (found?.stored.kind === 'outcome') {
      return JSON.stringify(found.stored.outcome) === JSON.stringify(outcome);
    }
    // Still our claim, unchanged: the write lost a race (409) that changed nothing, so the claim holds.
    const stillOurs = found?.stored.kind === 'claim' && found.etag === held.etag;
    if (!stillOurs || tries >= FINISH_TRIES) return false;
    await sleep(FINISH_RETRY_MS * tries);
  }
}

/**
 * Gives the claim up when this attempt knows what Firehose took (nothing, or only records it counts
 * as possible duplicates), so a retry takes it over at once instead of waiting out the takeover limit;
 * the claim carries this attempt's calls on, so they are counted (chunk-claim.ts). Best effort: if the
 * release fails, the claim stays (those calls uncounted) and a later attempt takes it over when stale.
 */
export async function releaseClaim(
  deps: ClaimDeps,
  held: HeldClaim,
  reason: string,
  carry: ReleaseCarry = {},
): Promise<void> {
  const claim = releasedClaim(held.claim, (deps.now ?? Date.now)(), carry);
  try {
    await putIf(deps.s3, held.ref, { claim } satisfies ClaimBody, { ifMatch: held.etag });
  } catch (error) {
    deps.logger.warn('claim not released; a later attempt takes it over when stale', {
      reason,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}
