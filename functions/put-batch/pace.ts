import type { ChunkDescriptor } from '../shared/chunk';
import type { LoggerLike } from '../shared/logger';
import { QUOTA_FIELDS, QuotaSource, type RunQuota, type StreamQuota } from '../shared/quota/quota';
import { chunkCalls, chunkCostMs } from '../shared/quota/schedule';
import { AimdPace, DEFAULT_AIMD } from './aimd';
import type { RateBoard } from './rate-board';
import { SharedRate } from './shared-rate';

// The wait comes out of the retry budget, so the invocation still ends inside its timeout; past this,
// sending early (and retrying what is throttled) beats holding a Lambda for longer.
export const MAX_PACING_WAIT_MS = 15_000;
// What the send itself keeps of the retry budget, however long the wait was.
export const MIN_SEND_BUDGET_MS = 5_000;
// How much quota a late environment may send at once to catch up: a twentieth of the one-second burst
// Firehose allows.
export const BURST_MS = 50;
// With a quota that is only the region's default, the rate may climb to this many times it: AWS
// raises quotas on request, and additive increase finds the real one.
export const MAX_RATE_OVER_DEFAULT_QUOTA = 4;
// The schedule's zero is this long after the Map state is entered: the first children need that long
// to start, claim and read their chunks. Without it every environment starts behind by its own
// start-up time and keeps that lag (claimTurn), so their sends overlap and big chunks get clipped.
export const MAP_START_ALLOWANCE_MS = 1_000;
// A waiting item re-reads the shared schedule at least this often: a rate raised while it waits (the
// climb back after a cut) brings its turn forward. Sleeping the whole wait computed at a low rate kept
// the job far below the rate the AIMD had already climbed back to.
export const WAIT_SLICE_MS = 250;
// Reads of one pace board by all of a Map run's environments together stay under this: S3 serves at
// least 5,500 GET/HEAD requests per second per prefix (S3 user guide, "Best practices design patterns:
// optimizing Amazon S3 performance"), and the run's claims and outcomes share that prefix.
export const MAX_BOARD_READS_PER_SECOND = 1_000;

/**
 * How often one environment reads the board: every wait slice, or less often when the Map runs so many
 * environments at once that their reads together would pass MAX_BOARD_READS_PER_SECOND.
 */
export function boardReadEveryMs(maxConcurrency: number | undefined): number {
  const environments = Math.max(1, maxConcurrency ?? 1);
  return Math.max(WAIT_SLICE_MS, (environments * 1_000) / MAX_BOARD_READS_PER_SECOND);
}

// A call refused as a sliver of a clean window (AimdPace.lastThrottleWasJitter) is retried after this,
// not at the next one-second window: one by one (PutRecord), that wait held up every later record of
// its chunk, and each such stall was a lag the schedule could not win back.
export const JITTER_RETRY_MS = 50;

/**
 * The wait before retrying a call whose failures were all throttling: JITTER_RETRY_MS for a first
 * attempt the pacing took for jitter; otherwise undefined (the sender's wait for the next window). A
 * retry refused again means the stream really is full.
 */
export function pacedRetryDelay(pace: AimdPace, call: { attempt: number }): number | undefined {
  if (call.attempt === 1 && pace.lastThrottleWasJitter) return JITTER_RETRY_MS;
  return undefined;
}

/** What a PutBatch item knows about pacing: the run's quota, its Map run, the rate to start from. */
export interface PaceContext {
  quota: StreamQuota & Partial<Pick<RunQuota, 'sources'>>;
  /** The Map state's EnteredTime (ISO 8601): the schedule's zero. */
  mapStartedAt: string;
  /** Fraction of the quota the round starts at (the rate that worked in the round before). */
  initialRate: number;
  /** Keys the shared rate: one per run, round and Map run. */
  mapRunKey: string;
  /** The Map's MaxConcurrency: how many environments may read the shared board at once. */
  maxConcurrency?: number;
}

/** A quota stated in the deployment overrides the run's, field by field. */
export function effectiveQuota(
  runQuota: (StreamQuota & Partial<Pick<RunQuota, 'sources'>>) | undefined,
  stated: Partial<StreamQuota>,
): (StreamQuota & Partial<Pick<RunQuota, 'sources'>>) | undefined {
  if (!runQuota) {
    const complete = QUOTA_FIELDS.every((field) => (stated[field] ?? 0) > 0);
    return complete ? (stated as StreamQuota) : undefined;
  }
  const quota = { ...runQuota };
  for (const field of QUOTA_FIELDS) {
    const value = stated[field];
    if (value && value > 0) quota[field] = value;
  }
  return quota;
}

/** Children of one Map run in this execution environment share one rate (a Lambda container is reused). */
const paces = new Map<string, { pace: AimdPace; shared?: SharedRate }>();
const KEPT_PACES = 8;

export function paceFor(context: PaceContext): AimdPace {
  return entryFor(context).pace;
}

/**
 * The Map run's rate as every environment shares it (shared-rate.ts), kept next to this environment's
 * pace: the board and logger of the first child that asks serve the Map run's later children here too,
 * so the logger must carry no key of that child's own (its chunkId would name the wrong chunk later).
 */
export function sharedRateFor(
  context: PaceContext,
  board: () => { board: RateBoard; logKeys: Record<string, unknown> },
  logger: LoggerLike,
  now?: () => number,
): SharedRate {
  const entry = entryFor(context);
  if (!entry.shared) {
    const made = board();
    entry.shared = new SharedRate(made.board, entry.pace, logger, {
      readEveryMs: boardReadEveryMs(context.maxConcurrency),
      logKeys: made.logKeys,
      ...(now ? { now } : {}),
    });
  }
  return entry.shared;
}

function entryFor(context: PaceContext): { pace: AimdPace; shared?: SharedRate } {
  let entry = paces.get(context.mapRunKey);
  if (!entry) {
    const assumed = Object.values(context.quota.sources ?? {}).includes(QuotaSource.regionDefault);
    const pace = new AimdPace(Date.parse(context.mapStartedAt) + MAP_START_ALLOWANCE_MS, {
      ...DEFAULT_AIMD,
      initialRate: context.initialRate,
      maxRate: assumed ? MAX_RATE_OVER_DEFAULT_QUOTA : 1,
    });
    entry = { pace };
    paces.set(context.mapRunKey, entry);
    // Oldest first in insertion order: keep only the latest few Map runs.
    for (const key of paces.keys()) {
      if (paces.size <= KEPT_PACES) break;
      paces.delete(key);
    }
  }
  return entry;
}

/** Forgets every shared rate, and the boards they read (tests). */
export function resetPaces(): void {
  paces.clear();
}

/**
 * Offset and cost of each call of a chunk: one for a PutRecordBatch; for PutRecord one by one, spread
 * evenly over the chunk's cost, so 500 records of an individual chunk do not go out in one burst.
 */
export function callSchedule(
  chunk: ChunkDescriptor,
  quota: StreamQuota,
): { offsetMs(call: number): number; costMs: number } {
  const start = chunk.paceOffsetMs ?? 0;
  const costMs = chunkCostMs(chunk, quota) / Math.max(1, chunkCalls(chunk));
  return { offsetMs: (call) => start + call * costMs, costMs };
}

/**
 * Sleeps until the shared schedule says `offsetMs` is due (re-read at least every WAIT_SLICE_MS: a
 * cut in the rate while this item waits stretches its wait too, a raise shortens it), then until this
 * environment's own turn (AimdPace.claimTurn). At most `maxWaitMs` in all. Returns the milliseconds
 * waited. With `shared`, each slice starts a read of the board (SharedRate.sync, at most once per its
 * readEveryMs) without waiting for it: a cut it finds is adopted when it answers and counts from the
 * next slice, so a slow or stalled S3 never makes a slice longer, nor the wait pass its deadline.
 */
export async function waitForTurn(
  pace: AimdPace,
  call: { offsetMs: number; costMs: number },
  clock: { now(): number; sleep(ms: number): Promise<void> },
  maxWaitMs: number,
  shared?: Pick<SharedRate, 'sync'>,
): Promise<number> {
  const started = clock.now();
  const deadline = started + maxWaitMs;
  for (;;) {
    void shared?.sync(clock.now());
    // The rate climbs with the clock: an item whose environment sends nothing else meanwhile still
    // sees the climb (an environment with every item waiting never raised it).
    pace.advance(clock.now());
    const left = Math.min(pace.sendAt(call.offsetMs), deadline) - clock.now();
    if (left <= 0.5) break;
    await clock.sleep(Math.min(Math.ceil(left), WAIT_SLICE_MS));
  }
  const turn = Math.min(pace.claimTurn(call.offsetMs, clock.now(), BURST_MS), deadline);
  const left = turn - clock.now();
  if (left > 0.5) await clock.sleep(Math.ceil(left));
  return clock.now() - started;
}
