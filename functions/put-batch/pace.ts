import type { ChunkDescriptor } from '../shared/chunk';
import { ChunkMode } from '../shared/chunk';
import { type Env, integerSetting } from '../shared/env';

/** The delivery stream's Direct PUT quota as the deployment states it; unset fields do not pace. */
export interface StreamQuota {
  recordsPerSecond?: number;
  bytesPerSecond?: number;
  requestsPerSecond?: number;
}

/** Where a PutBatch item sits in its Map run: its index and the Map's MaxConcurrency (0: no limit). */
export interface MapPosition {
  item: number;
  maxConcurrency: number;
}

// The wait is taken out of the retry budget, so the invocation still ends inside its timeout; past
// this, sending early (and retrying what is throttled) beats holding a Lambda for longer.
export const MAX_PACING_WAIT_MS = 10_000;

const LIMIT = Number.MAX_SAFE_INTEGER;
const setting = (env: Env, name: string) => {
  const value = integerSetting(env, name, { min: 0, max: LIMIT, fallback: 0 });
  return value > 0 ? value : undefined;
};

export function streamQuotaFrom(env: Env): StreamQuota {
  return {
    recordsPerSecond: setting(env, 'STREAM_RECORDS_PER_SECOND'),
    bytesPerSecond: setting(env, 'STREAM_BYTES_PER_SECOND'),
    requestsPerSecond: setting(env, 'STREAM_REQUESTS_PER_SECOND'),
  };
}

/** Milliseconds of quota one chunk uses up: its records, bytes or calls, whichever binds. */
export function chunkQuotaMs(chunk: ChunkDescriptor, quota: StreamQuota): number {
  const calls = chunk.mode === ChunkMode.individual ? chunk.firehoseRecords : 1;
  const share = (amount: number, perSecond: number | undefined) =>
    perSecond ? (amount / perSecond) * 1000 : 0;
  return Math.max(
    share(chunk.firehoseRecords, quota.recordsPerSecond),
    share(chunk.payloadBytes, quota.bytesPerSecond),
    share(calls, quota.requestsPerSecond),
  );
}

/**
 * How long this item waits before sending so that the Map, with no shared state, sends at the
 * stream's quota instead of in bursts that are throttled and retried. Items start in index order,
 * at most `maxConcurrency` at a time: the first wave starts together, so item k waits k chunk-times;
 * every later item starts as the one `maxConcurrency` places before it finishes (right after that one
 * sent), so it waits `maxConcurrency` chunk-times. Either way each sends one chunk-time after the item
 * before it. Chunks of a round are about the same size, so this chunk's size stands for theirs.
 */
export function pacingDelayMs(chunk: ChunkDescriptor, position: MapPosition, quota: StreamQuota): number {
  const { item, maxConcurrency } = position;
  const slots = maxConcurrency > 0 ? Math.min(item, maxConcurrency) : item;
  const wait = slots * chunkQuotaMs(chunk, quota);
  return Number.isFinite(wait) ? Math.min(MAX_PACING_WAIT_MS, Math.max(0, Math.round(wait))) : 0;
}
