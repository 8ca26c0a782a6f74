import type { PlannedChunk } from '../../../functions/shared/plan/planner';
import type { GoodRecord } from '../../../functions/shared/records/reader';

/** Good records with the given payload sizes (each ending in `\n`), back to back as jsonl lines would be. */
export function recordsOfSizes(sizes: readonly number[]): GoodRecord[] {
  let offset = 0;
  return sizes.map((size, index) => {
    const record: GoodRecord = {
      kind: 'record',
      index,
      offset,
      line: index + 1,
      payload: Buffer.alloc(size, 0x61),
    };
    offset += size;
    return record;
  });
}

export const endOf = (records: readonly GoodRecord[]): number => {
  const last = records.at(-1);
  return last ? last.offset + last.payload.length : 0;
};

/** The fewest contiguous groups (exhaustive DP), a lone record over maxBytes being its own group. */
export function optimalCalls(sizes: readonly number[], maxRecords: number, maxBytes: number): number {
  const best = [0];
  for (let i = 1; i <= sizes.length; i++) {
    best[i] = Number.POSITIVE_INFINITY;
    let bytes = 0;
    for (let j = i - 1; j >= 0 && i - j <= maxRecords; j--) {
      bytes += sizes[j];
      if (bytes > maxBytes && i - j > 1) break;
      best[i] = Math.min(best[i], best[j] + 1);
    }
  }
  return best[sizes.length];
}

export const sumOf = (chunks: readonly PlannedChunk[], key: keyof PlannedChunk): number =>
  chunks.reduce((sum, chunk) => sum + Number(chunk[key]), 0);
