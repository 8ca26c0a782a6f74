import fc from 'fast-check';
import { RecordPacker } from '../../../functions/shared/plan/packing';
import { ChunkPlanner, type PlannedChunk } from '../../../functions/shared/plan/planner';
import type { PlanSettings } from '../../../functions/shared/plan/settings';
import { type GoodRecord, type ReadItem, readRecords } from '../../../functions/shared/records/reader';
import { anyFile } from '../records/files';
import { collect, streamOf } from '../records/streams';
import { endOf, optimalCalls, recordsOfSizes, sumOf } from './records';

const RUNS = { numRuns: 300 };

// Small limits so that every rule (record limit, byte limit, oversized records, packing) is hit often.
const settings: fc.Arbitrary<PlanSettings & { packLimit: number }> = fc.record({
  maxBatchRecords: fc.integer({ min: 1, max: 4 }),
  maxBatchBytes: fc.integer({ min: 1, max: 40 }),
  individualRecords: fc.integer({ min: 0, max: 4 }),
  pack: fc.boolean(),
  packLimit: fc.integer({ min: 1, max: 30 }),
});

function planAll(records: readonly GoodRecord[], s: PlanSettings & { packLimit: number }, endOffset: number) {
  const planner = new ChunkPlanner(s, s.packLimit);
  const chunks: PlannedChunk[] = records.flatMap((record) => planner.add(record));
  chunks.push(...planner.finish(endOffset));
  return { chunks, totals: planner.totals() };
}

/** The Firehose records PutBatch would send for a chunk, rebuilt from its payloads alone. */
function firehoseRecordsOf(
  chunk: PlannedChunk,
  payloads: Buffer[],
  s: PlanSettings & { packLimit: number },
): Buffer[] {
  if (!s.pack || chunk.mode === 'individual') return payloads;
  const packer = new RecordPacker(s.packLimit);
  return [...payloads.flatMap((p) => packer.add(p)), ...packer.finish()];
}

describe('ChunkPlanner properties', () => {
  it('makes as few chunks as an exhaustive search for the optimum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 10 }),
        (sizes, maxBatchRecords, maxBatchBytes) => {
          const records = recordsOfSizes(sizes);
          const { chunks } = planAll(
            records,
            { maxBatchRecords, maxBatchBytes, individualRecords: 0, pack: false, packLimit: 1 },
            endOf(records) + 1,
          );
          expect(chunks.length).toBe(optimalCalls(sizes, maxBatchRecords, maxBatchBytes));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('holds the limits, keeps order, loses and duplicates nothing, and tiles the ranges', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 25 }), { maxLength: 30 }), settings, (sizes, s) => {
        const records = recordsOfSizes(sizes);
        const endOffset = endOf(records) + 3;
        const { chunks, totals } = planAll(records, s, endOffset);
        let next = 0;
        chunks.forEach((chunk, k) => {
          const own = records.slice(next, next + chunk.records);
          next += chunk.records;
          expect(chunk).toMatchObject({
            start: own[0].offset,
            firstRecord: own[0].index,
            firstLine: own[0].line,
          });
          expect(chunk.end).toBe(k + 1 < chunks.length ? chunks[k + 1].start : endOffset);
          expect(chunk.firehoseRecords).toBeLessThanOrEqual(s.maxBatchRecords);
          if (chunk.firehoseRecords > 1) expect(chunk.payloadBytes).toBeLessThanOrEqual(s.maxBatchBytes);
          expect(chunk.payloadBytes).toBe(own.reduce((sum, r) => sum + r.payload.length, 0));
          expect(chunk.mode).toBe(own[0].index < s.individualRecords ? 'individual' : 'batch');
          const firehose = firehoseRecordsOf(
            chunk,
            own.map((r) => r.payload),
            s,
          );
          expect(firehose.length).toBe(chunk.firehoseRecords);
          // Packed records stay within the pack limit unless one payload alone is larger; nothing is lost.
          for (const f of firehose) {
            if (f.length > s.packLimit) expect(f.subarray(0, -1).includes(0x0a)).toBe(false);
          }
          expect(Buffer.concat(firehose)).toEqual(Buffer.concat(own.map((r) => r.payload)));
        });
        expect(next).toBe(records.length);
        expect(totals).toMatchObject({
          records: records.length,
          chunks: chunks.length,
          firehoseRecords: sumOf(chunks, 'firehoseRecords'),
          payloadBytes: sumOf(chunks, 'payloadBytes'),
          billedBytes: sumOf(chunks, 'billedBytes'),
          batchChunks: chunks.filter((c) => c.mode === 'batch').length,
        });
        expect(totals.billedBytes).toBe(s.pack ? totals.billedBytesPacked : totals.billedBytesUnpacked);
        expect(totals.billedBytesPacked).toBeLessThanOrEqual(totals.billedBytesUnpacked);
      }),
      RUNS,
    );
  });

  it('plans chunks whose ranges, read back with readRecords, give exactly their records', async () => {
    await fc.assert(
      fc.asyncProperty(anyFile, settings, async (file, s) => {
        const items = await collect(readRecords(streamOf(file.bytes), { format: file.format }));
        const good = items.filter((item): item is GoodRecord => item.kind === 'record');
        const { chunks } = planAll(good, s, file.bytes.length);
        let next = 0;
        const reread: ReadItem[] = [];
        for (const chunk of chunks) {
          const range = file.bytes.subarray(chunk.start, chunk.end);
          const options = {
            format: file.format,
            start: chunk.start,
            end: chunk.end,
            firstIndex: chunk.firstRecord,
            firstLine: chunk.firstLine,
          };
          const back = await collect(readRecords(streamOf(range, [5]), options));
          expect(back.filter((item) => item.kind === 'record')).toEqual(
            good.slice(next, next + chunk.records),
          );
          next += chunk.records;
          reread.push(...back);
        }
        expect(next).toBe(good.length);
        // Rejects inside the ranges come back too, with the same index, line and reason.
        const first = chunks[0]?.start ?? Number.POSITIVE_INFINITY;
        expect(reread).toEqual(items.filter((item) => item.offset >= first));
      }),
      RUNS,
    );
  });
});
