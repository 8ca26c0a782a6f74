import { ConfigError } from '../../../functions/shared/errors';
import {
  BILLING_INCREMENT_BYTES,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_RECORD_BYTES,
} from '../../../functions/shared/limits';
import { billedBytesOf } from '../../../functions/shared/plan/billing';
import { RecordPacker } from '../../../functions/shared/plan/packing';
import { ChunkPlanner, type PlannedChunk } from '../../../functions/shared/plan/planner';
import { type PlanSettings, resolvePlanSettings } from '../../../functions/shared/plan/settings';
import { endOf, recordsOfSizes } from './records';

const defaults = resolvePlanSettings({});

function plan(sizes: number[], settings: Partial<PlanSettings> = {}) {
  const planner = new ChunkPlanner({ ...defaults, ...settings });
  const records = recordsOfSizes(sizes);
  const chunks: PlannedChunk[] = records.flatMap((record) => planner.add(record));
  chunks.push(...planner.finish(endOf(records)));
  return { chunks, totals: planner.totals() };
}

describe('resolvePlanSettings', () => {
  it('defaults to the AWS maxima, no individual records and no packing', () => {
    expect(defaults).toEqual({
      maxBatchRecords: MAX_BATCH_RECORDS,
      maxBatchBytes: MAX_BATCH_BYTES,
      individualRecords: 0,
      pack: false,
    });
  });

  it('refuses values above the maxima, below 1 or not integers, naming the setting and its range', () => {
    expect(() => resolvePlanSettings({ maxBatchRecords: 501 })).toThrow(
      new ConfigError('maxBatchRecords must be an integer from 1 to 500, got 501'),
    );
    expect(() => resolvePlanSettings({ maxBatchRecords: 0 })).toThrow(
      /maxBatchRecords must be an integer from 1 to 500/,
    );
    expect(() => resolvePlanSettings({ maxBatchBytes: 2.5 })).toThrow(
      /maxBatchBytes must be an integer from 1 to 4194304, got 2.5/,
    );
    expect(() => resolvePlanSettings({ maxBatchBytes: MAX_BATCH_BYTES + 1 })).toThrow(ConfigError);
    expect(() => resolvePlanSettings({ individualRecords: -1 })).toThrow(
      /individualRecords must be an integer from 0/,
    );
    expect(() => resolvePlanSettings({ maxBatchRecords: Number.NaN })).toThrow(ConfigError);
  });

  it('refuses packing with a batch size that could not hold one packed record', () => {
    expect(() => resolvePlanSettings({ pack: true, maxBatchBytes: MAX_RECORD_BYTES - 1 })).toThrow(
      /maxBatchBytes must be from 1024000 to 4194304 when pack is on/,
    );
    expect(resolvePlanSettings({ pack: true, maxBatchBytes: MAX_RECORD_BYTES }).pack).toBe(true);
  });
});

describe('billedBytesOf', () => {
  it('rounds each record up to the 5 KB increment, with at least one increment', () => {
    expect([0, 1, 80, 5_120, 5_121, MAX_RECORD_BYTES].map(billedBytesOf)).toEqual([
      5_120,
      5_120,
      5_120,
      5_120,
      10_240,
      MAX_RECORD_BYTES,
    ]);
  });
});

describe('ChunkPlanner', () => {
  it('fills chunks up to the record limit and tiles the ranges', () => {
    const { chunks, totals } = plan(Array(1_200).fill(100));
    expect(chunks.map((c) => [c.start, c.end, c.records, c.firstRecord, c.firstLine])).toEqual([
      [0, 50_000, 500, 0, 1],
      [50_000, 100_000, 500, 500, 501],
      [100_000, 120_000, 200, 1_000, 1_001],
    ]);
    expect(totals).toMatchObject({
      records: 1_200,
      chunks: 3,
      batchChunks: 3,
      minimumBatchCalls: 3,
      payloadBytes: 120_000,
    });
  });

  it('closes a chunk before it would pass the byte limit', () => {
    const { chunks } = plan(Array(5).fill(MAX_RECORD_BYTES));
    expect(chunks.map((c) => c.records)).toEqual([4, 1]);
    expect(chunks[0].payloadBytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });

  it('puts a record larger than a lowered maxBatchBytes in a chunk of its own', () => {
    const { chunks } = plan([3, 12, 3], { maxBatchBytes: 10 });
    expect(chunks.map((c) => [c.records, c.payloadBytes])).toEqual([
      [1, 3],
      [1, 12],
      [1, 3],
    ]);
  });

  it('sends the first individualRecords records in individual chunks of at most maxBatchRecords', () => {
    const { chunks, totals } = plan(Array(7).fill(10), { individualRecords: 5, maxBatchRecords: 2 });
    expect(chunks.map((c) => [c.mode, c.records, c.firstRecord])).toEqual([
      ['individual', 2, 0],
      ['individual', 2, 2],
      ['individual', 1, 4],
      ['batch', 2, 5],
    ]);
    expect(totals).toMatchObject({ individualChunks: 3, batchChunks: 1, minimumBatchCalls: 1 });
  });

  it('packs 2,550 records of 80 bytes into one Firehose record and reports what that saves', () => {
    const unpacked = plan(Array(2_550).fill(80)).totals;
    const packed = plan(Array(2_550).fill(80), { pack: true });
    expect(unpacked).toMatchObject({
      firehoseRecords: 2_550,
      chunks: 6,
      billedBytes: 2_550 * BILLING_INCREMENT_BYTES,
    });
    expect(unpacked.billedBytesPacked).toBe(
      Math.ceil((2_550 * 80) / BILLING_INCREMENT_BYTES) * BILLING_INCREMENT_BYTES,
    );
    expect(packed.chunks).toEqual([
      expect.objectContaining({ records: 2_550, firehoseRecords: 1, payloadBytes: 204_000 }),
    ]);
    expect(packed.totals).toMatchObject({
      billedBytes: unpacked.billedBytesPacked,
      billedBytesPacked: unpacked.billedBytesPacked,
      billedBytesUnpacked: unpacked.billedBytesUnpacked,
      minimumBatchCalls: 1,
    });
  });

  it('never packs individual records', () => {
    const { chunks } = plan(Array(4).fill(10), { individualRecords: 2, pack: true });
    expect(chunks.map((c) => [c.mode, c.records, c.firehoseRecords])).toEqual([
      ['individual', 2, 2],
      ['batch', 2, 1],
    ]);
  });

  it('plans nothing for no records and refuses records out of order', () => {
    expect(plan([]).chunks).toEqual([]);
    const planner = new ChunkPlanner(defaults);
    const [first, second] = recordsOfSizes([5, 5]);
    planner.add(second);
    expect(() => planner.add(first)).toThrow(/file order/);
  });
});

describe('RecordPacker', () => {
  it('joins payloads into Firehose records of at most the limit, each payload keeping its newline', () => {
    const packer = new RecordPacker(10);
    const payloads = ['aaa\n', 'bbb\n', 'cc\n', 'dddddddddddd\n', 'e\n'].map((t) => Buffer.from(t));
    const packed = [...payloads.flatMap((p) => packer.add(p)), ...packer.finish()].map(String);
    expect(packed).toEqual(['aaa\nbbb\n', 'cc\n', 'dddddddddddd\n', 'e\n']);
  });
});
