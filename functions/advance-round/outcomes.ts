import type { S3Client } from '@aws-sdk/client-s3';
import { artifactKeys } from '../shared/artifacts';
import type { ChunkDescriptor } from '../shared/chunk';
import type { ChunkClaim } from '../shared/chunk-claim';
import { readStored } from '../shared/claim-store';
import { mapWithConcurrency } from '../shared/concurrency';
import type { LoggerLike } from '../shared/logger';
import type { ChunkOutcome, RunState } from '../shared/run-state';
import { listKeys } from '../shared/s3-io';
import { resultWriterDetailsOf, succeededOutcomes } from './map-results';
import { handOnUnkeyed, type StoredClaim, settleClaims } from './settle-claims';

// Outcome objects are tiny; this many GETs in flight keeps a 20,000-chunk round to seconds.
const OUTCOME_READ_CONCURRENCY = 32;

export interface OutcomeDeps {
  s3: S3Client;
  artifactBucket: string;
  logger: LoggerLike;
}

export interface RoundOutcomes {
  /** At most one per chunk. */
  outcomes: ChunkOutcome[];
  /** Chunks whose outcome key still holds a claim: no outcome, maybe sent (chunk-claim.ts), by chunk id. */
  claims: Map<string, ChunkClaim>;
  /** Where they came from: the Map's result files, or one outcome object GET each. */
  fromMapResults: number;
  fromObjects: number;
}

/**
 * The outcomes PutBatch recorded for the round's chunks. The succeeded children's Output carries the
 * full outcome, so the Map's result files give most of them in a few GETs. Every chunk they do not
 * cover (its child failed, maybe after writing the outcome, or never ran, or the results are missing)
 * is looked up among the round's outcome objects as before: found, it counts once; absent, the chunk
 * failed. Existence comes from a LIST, not from a GET's 404: S3 answers a GET of a missing key with 403
 * unless the caller may list the bucket, and this role may list only under a prefix condition, which
 * is not worth depending on. Without ResultWriter details (a salvaged local run, say) every
 * outcome object is listed and read, as before.
 */
export async function roundOutcomes(
  state: RunState,
  manifest: readonly ChunkDescriptor[],
  deps: OutcomeDeps,
): Promise<RoundOutcomes> {
  const details = resultWriterDetailsOf(state.mapRun);
  if (!details) {
    const stored = await storedOutcomes(state, deps);
    const { outcomes, claims } = await handOnMissing(state, manifest, stored, deps);
    return { outcomes, claims, fromMapResults: 0, fromObjects: outcomes.length };
  }
  const round = state.round.number;
  const chunkIds = new Set(manifest.map((chunk) => chunk.chunkId));
  // The role may read Map results only in the artifact bucket; elsewhere, read the outcome objects.
  const ours = details.Bucket === deps.artifactBucket;
  if (!ours) deps.logger.warn('Map results are not in the artifact bucket; not read', { ...details });
  const fromMap = ours
    ? await succeededOutcomes(deps.s3, details, { round, chunkIds }, deps.logger)
    : new Map<string, ChunkOutcome>();
  const rest = manifest.filter((chunk) => !fromMap.has(chunk.chunkId));
  const keys = new Set(rest.map((chunk) => artifactKeys.outcome(state.runId, round, chunk.chunkId)));
  const listed =
    keys.size > 0
      ? await storedOutcomes(state, deps, keys)
      : { outcomes: [], claims: new Map<string, ChunkClaim>(), keys: new Set<string>() };
  const stored = await handOnMissing(state, rest, listed, deps);
  return {
    outcomes: [...fromMap.values(), ...stored.outcomes],
    claims: stored.claims,
    fromMapResults: fromMap.size,
    fromObjects: stored.outcomes.length,
  };
}

/**
 * The round's outcome objects that exist (all of them, or those among `only`), read concurrently. A key
 * that still holds a claim is no outcome: its attempt stopped before writing one, maybe after sending.
 * Such a chunk is handed on (settle-claims.ts), so a late attempt of this round cannot send it too.
 */
async function storedOutcomes(
  state: RunState,
  deps: OutcomeDeps,
  only?: ReadonlySet<string>,
): Promise<{ outcomes: ChunkOutcome[]; claims: Map<string, ChunkClaim>; keys: Set<string> }> {
  const keys: string[] = [];
  const prefix = artifactKeys.outcomesPrefix(state.runId, state.round.number);
  for await (const key of listKeys(deps.s3, deps.artifactBucket, prefix)) {
    if (!only || only.has(key)) keys.push(key);
  }
  const read = await mapWithConcurrency(keys, OUTCOME_READ_CONCURRENCY, async (key) => {
    const ref = { bucket: deps.artifactBucket, key };
    return { ref, found: await readStored(deps.s3, ref) };
  });
  const outcomes: ChunkOutcome[] = [];
  const claimed: StoredClaim[] = [];
  for (const { ref, found } of read) {
    if (found?.stored.kind === 'outcome') outcomes.push(found.stored.outcome);
    else if (found?.stored.kind === 'claim')
      claimed.push({ ref, claim: found.stored.claim, etag: found.etag });
  }
  const settled = await settleClaims(deps.s3, claimed);
  return { outcomes: [...outcomes, ...settled.outcomes], claims: settled.claims, keys: new Set(keys) };
}

/**
 * The chunks among `chunks` whose outcome key was not listed get a `requeuedAt` marker (or, if the key
 * appeared meanwhile, are settled as it says): without it a late Express child of this round would
 * claim the chunk with If-None-Match: * and send it while the next round sends it too.
 */
async function handOnMissing(
  state: RunState,
  chunks: readonly ChunkDescriptor[],
  listed: { outcomes: ChunkOutcome[]; claims: Map<string, ChunkClaim>; keys: ReadonlySet<string> },
  deps: OutcomeDeps,
): Promise<{ outcomes: ChunkOutcome[]; claims: Map<string, ChunkClaim> }> {
  const round = state.round.number;
  const unkeyed = chunks
    .map((chunk) => ({ chunk, key: artifactKeys.outcome(state.runId, round, chunk.chunkId) }))
    .filter(({ key }) => !listed.keys.has(key))
    .map(({ chunk, key }) => ({ ref: { bucket: deps.artifactBucket, key }, chunkId: chunk.chunkId, round }));
  if (unkeyed.length === 0) return listed;
  const raced = await handOnUnkeyed(deps.s3, unkeyed);
  return {
    outcomes: [...listed.outcomes, ...raced.outcomes],
    claims: new Map([...listed.claims, ...raced.claims]),
  };
}
