import {
  chunkQuotaMs,
  MAX_PACING_WAIT_MS,
  pacingDelayMs,
  streamQuotaFrom,
} from '../../../functions/put-batch/pace';
import type { ChunkDescriptor } from '../../../functions/shared/chunk';

const chunk = (over: Partial<ChunkDescriptor> = {}): ChunkDescriptor => ({
  chunkId: 'c',
  bucket: 'b',
  key: 'k',
  format: 'jsonl',
  start: 0,
  end: 1,
  records: 500,
  firehoseRecords: 500,
  payloadBytes: 150_000,
  mode: 'batch',
  pack: false,
  firstRecord: 0,
  firstLine: 1,
  ...over,
});

describe('pacing PutBatch under a stated stream quota', () => {
  it('charges a chunk the quota time of whichever of records, bytes and calls binds', () => {
    expect(chunkQuotaMs(chunk(), { recordsPerSecond: 5_000 })).toBe(100);
    expect(chunkQuotaMs(chunk(), { recordsPerSecond: 5_000, bytesPerSecond: 500_000 })).toBe(300);
    expect(
      chunkQuotaMs(chunk({ mode: 'individual', firehoseRecords: 100 }), { requestsPerSecond: 1_000 }),
    ).toBe(100);
    expect(chunkQuotaMs(chunk(), {})).toBe(0);
  });

  it('spaces the first wave one chunk-time apart and later items a whole Map of chunk-times', () => {
    const quota = { recordsPerSecond: 5_000 };
    const wait = (item: number) => pacingDelayMs(chunk(), { item, maxConcurrency: 40 }, quota);
    expect([0, 1, 39, 40, 41, 1_000].map(wait)).toEqual([0, 100, 3_900, 4_000, 4_000, 4_000]);
  });

  it('never waits longer than MAX_PACING_WAIT_MS, and not at all without a quota', () => {
    const slow = { recordsPerSecond: 10 };
    expect(pacingDelayMs(chunk(), { item: 3, maxConcurrency: 0 }, slow)).toBe(MAX_PACING_WAIT_MS);
    expect(pacingDelayMs(chunk(), { item: 3, maxConcurrency: 40 }, {})).toBe(0);
  });

  it('reads the quota from the environment, leaving unset or zero fields out', () => {
    expect(streamQuotaFrom({ STREAM_RECORDS_PER_SECOND: '5000', STREAM_BYTES_PER_SECOND: '0' })).toEqual({
      recordsPerSecond: 5_000,
      bytesPerSecond: undefined,
      requestsPerSecond: undefined,
    });
  });
});
