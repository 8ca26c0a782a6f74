import type { ChunkDescriptor } from '../../../functions/shared/chunk';
import { chunkCostMs, PaceSchedule } from '../../../functions/shared/quota/schedule';
import { descriptor } from '../../functions/fixtures';

const quota = { bytesPerSecond: 1_000_000, recordsPerSecond: 10_000, requestsPerSecond: 100 };
const chunk = (over: Partial<ChunkDescriptor> = {}): ChunkDescriptor =>
  descriptor({ records: 10, firehoseRecords: 10, payloadBytes: 1_000, ...over });

describe('what a chunk costs of the stream quota', () => {
  it('charges whichever of bytes, records and requests binds', () => {
    // bytes: 500 ms; records: 50 ms; one request: 10 ms.
    expect(chunkCostMs(chunk({ payloadBytes: 500_000, firehoseRecords: 500 }), quota)).toBe(500);
    // records: 50 ms beat 1 ms of bytes and 10 ms of the one request.
    expect(chunkCostMs(chunk({ payloadBytes: 1_000, firehoseRecords: 500 }), quota)).toBe(50);
    // one request: 10 ms.
    expect(chunkCostMs(chunk(), quota)).toBe(10);
  });

  it('charges an individual chunk one request per record', () => {
    expect(chunkCostMs(chunk({ mode: 'individual', firehoseRecords: 20 }), quota)).toBe(200);
  });
});

describe('the pacing schedule of a round', () => {
  it('starts each chunk when the chunks before it have used up their quota, whatever their sizes', () => {
    const schedule = new PaceSchedule(quota);
    const sizes = [100_000, 100_000, 4_000_000, 100_000];
    const offsets = sizes.map((payloadBytes) => schedule.place(chunk({ payloadBytes })).paceOffsetMs);
    expect(offsets).toEqual([0, 100, 200, 4_200]);
    expect(schedule.totalMs).toBe(4_300);
  });

  it('leaves the rest of the descriptor unchanged', () => {
    const placed = new PaceSchedule(quota).place(chunk({ chunkId: 'r1-c000007' }));
    expect(placed).toEqual({ ...chunk({ chunkId: 'r1-c000007' }), paceOffsetMs: 0 });
  });
});
