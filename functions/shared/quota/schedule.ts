import { type ChunkDescriptor, ChunkMode } from '../chunk';
import type { StreamQuota } from './quota';

/** What one chunk spends of the stream's quota: its Firehose records, its bytes and its calls. */
export function chunkCalls(chunk: Pick<ChunkDescriptor, 'mode' | 'firehoseRecords'>): number {
  return chunk.mode === ChunkMode.individual ? chunk.firehoseRecords : 1;
}

/**
 * Milliseconds of quota one chunk uses up at the full quota: its records, bytes or calls, whichever
 * binds. A chunk of 4 MiB costs 800 ms at 5 MiB/s; one of 500 tiny records 1 ms at 500,000 records/s.
 */
export function chunkCostMs(
  chunk: Pick<ChunkDescriptor, 'mode' | 'firehoseRecords' | 'payloadBytes'>,
  quota: StreamQuota,
): number {
  const share = (amount: number, perSecond: number) => (perSecond > 0 ? (amount / perSecond) * 1000 : 0);
  return Math.max(
    share(chunk.firehoseRecords, quota.recordsPerSecond),
    share(chunk.payloadBytes, quota.bytesPerSecond),
    share(chunkCalls(chunk), quota.requestsPerSecond),
  );
}

/**
 * Gives each chunk of a round, in manifest order, the moment it may be sent: milliseconds after the
 * Map starts, at the full quota, the sum of the costs of the chunks before it. Children of the Map
 * need nothing else to share the quota without talking to each other, whatever their sizes.
 */
export class PaceSchedule {
  private elapsedMs = 0;

  constructor(private readonly quota: StreamQuota) {}

  /** The chunk with its `paceOffsetMs` set; the next chunk starts after this one's cost. */
  place<T extends ChunkDescriptor>(chunk: T): T {
    const offset = this.elapsedMs;
    this.elapsedMs += chunkCostMs(chunk, this.quota);
    return { ...chunk, paceOffsetMs: Math.round(offset * 100) / 100 };
  }

  /** The whole round's length at the full quota: its quota-bound time. */
  get totalMs(): number {
    return this.elapsedMs;
  }
}
