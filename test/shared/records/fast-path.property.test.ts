import fc from 'fast-check';
import {
  type ReadItem,
  type ReadOptions,
  readRange,
  readRecordBatches,
  readRecords,
} from '../../../functions/shared/records/reader';
import { fastPathFile, fastPathPieces, ownMemory, type RawFile } from './fast-path-files';
import { streamOf } from './streams';

const RUNS = { numRuns: 400 };

interface Outcome {
  items: ReadItem[];
  error?: string;
}

async function outcome(items: AsyncIterable<ReadItem>): Promise<Outcome> {
  const got: ReadItem[] = [];
  try {
    for await (const item of items) got.push(item);
    return { items: got };
  } catch (error) {
    return { items: got, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Counts over all runs, so each test can show it compared what it claims to compare. */
const seen = { records: 0, rejects: 0, views: 0, errors: 0 };

function count(result: Outcome, bytes: Uint8Array): void {
  for (const item of result.items) {
    if (item.kind === 'reject') seen.rejects++;
    else {
      seen.records++;
      // Only the fast path hands out views of the stream's memory; the scan copies.
      if (item.payload.buffer === bytes.buffer) seen.views++;
    }
  }
  if (result.error) seen.errors++;
}

describe('the compact fast path', () => {
  beforeEach(() => {
    seen.records = seen.rejects = seen.views = seen.errors = 0;
  });

  it('reads every file exactly as the byte-by-byte scan does: items, payload bytes, reasons, excerpts, errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fastPathFile,
        fastPathPieces,
        fc.constantFrom(undefined, 8, 40, 300),
        fc.boolean(),
        async (file: RawFile, sizes, maxRecordBytes, validate) => {
          const bytes = ownMemory(file.bytes);
          const options: ReadOptions = { format: file.format, maxRecordBytes, validate };
          const fast = await outcome(readRecords(streamOf(bytes, sizes), options));
          const slow = await outcome(
            readRecords(streamOf(bytes, sizes), { ...options, compactFastPath: false }),
          );
          expect(fast).toEqual(slow);
          count(fast, bytes);
        },
      ),
      RUNS,
    );
    expect(seen.records).toBeGreaterThan(2000);
    expect(seen.views).toBeGreaterThan(500);
    expect(seen.rejects).toBeGreaterThan(500);
    expect(seen.errors).toBeGreaterThan(10);
  });

  it('reads any range as the byte-by-byte scan does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fastPathFile,
        fastPathPieces,
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        async (file: RawFile, sizes, a, b) => {
          const bytes = ownMemory(file.bytes);
          const [start, end] = [a, b].map((c) => Math.floor((c * bytes.length) / 1000)).sort((x, y) => x - y);
          const open = (from: number) => streamOf(bytes.subarray(from), sizes);
          const options = { format: file.format, start, end: Math.max(end, start + 1) };
          const fast = await outcome(readRange(open, options));
          const slow = await outcome(readRange(open, { ...options, compactFastPath: false }));
          expect(fast).toEqual(slow);
          count(fast, bytes);
        },
      ),
      RUNS,
    );
    expect(seen.records).toBeGreaterThan(500);
    expect(seen.views).toBeGreaterThan(100);
  });

  it('comes in non-empty batches that add up to what readRecords yields', async () => {
    let batches = 0;
    await fc.assert(
      fc.asyncProperty(fastPathFile, fastPathPieces, async (file: RawFile, sizes) => {
        const options: ReadOptions = { format: file.format };
        const batched = readRecordBatches(streamOf(file.bytes, sizes), options);
        const got = await outcome(
          (async function* () {
            for await (const batch of batched) {
              expect(batch.length).toBeGreaterThan(0);
              batches++;
              yield* batch;
            }
          })(),
        );
        expect(got).toEqual(await outcome(readRecords(streamOf(file.bytes, sizes), options)));
      }),
      RUNS,
    );
    expect(batches).toBeGreaterThan(500);
  });
});
