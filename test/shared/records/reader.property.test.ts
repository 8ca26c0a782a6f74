import fc from 'fast-check';
import { type ReadItem, readRange, readRecords } from '../../../functions/shared/records/reader';
import { anyFile, type Expected, type GeneratedFile, pieceSizes } from './files';
import { collect, streamOf } from './streams';

const RUNS = { numRuns: 300 };

function summary(item: ReadItem): Expected {
  const { kind, index, offset, line } = item;
  return item.kind === 'record'
    ? { kind, index, offset, line, payload: item.payload.toString('utf8') }
    : { kind, index, offset, line, payload: undefined };
}

/** What survives a resync: index and line may be unknown, offset and content may not. */
const placed = (item: Expected) => ({ kind: item.kind, offset: item.offset, payload: item.payload });

async function readWhole(file: GeneratedFile, sizes: number[]): Promise<Expected[]> {
  return (await collect(readRecords(streamOf(file.bytes, sizes), { format: file.format }))).map(summary);
}

/** Cut points (per mille of the file) turned into consecutive ranges covering the whole file. */
function ranges(length: number, cuts: number[]): Array<[number, number]> {
  const points = [...new Set(cuts.map((c) => Math.floor((c * length) / 1000)))].sort((a, b) => a - b);
  const bounds = [0, ...points.filter((p) => p > 0 && p < length), length];
  return bounds.slice(1).map((end, k) => [bounds[k], end]);
}

describe('readRecords on generated files', () => {
  it('reports every record and reject in order with its index, offset, line and payload, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(anyFile, pieceSizes, async (file, sizes) => {
        expect(await readWhole(file, sizes)).toEqual(file.expected);
      }),
      RUNS,
    );
  });

  it('never emits a payload that does not end in exactly one newline or that exceeds the limit', async () => {
    await fc.assert(
      fc.asyncProperty(anyFile, fc.integer({ min: 2, max: 40 }), async (file, maxRecordBytes) => {
        const items = await collect(
          readRecords(streamOf(file.bytes, [7]), { format: file.format, maxRecordBytes }),
        );
        expect(items.map((item) => item.offset)).toEqual(file.expected.map((e) => e.offset));
        for (const item of items) {
          if (item.kind === 'reject') continue;
          expect(item.payload.length).toBeLessThanOrEqual(maxRecordBytes);
          expect(item.payload.indexOf(0x0a)).toBe(item.payload.length - 1);
        }
      }),
      RUNS,
    );
  });
});

describe('readRange', () => {
  it('yields every record and reject exactly once for any split of a file into consecutive ranges', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyFile,
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 8 }),
        pieceSizes,
        async (file, cuts, sizes) => {
          const got: Expected[] = [];
          for (const [start, end] of ranges(file.bytes.length, cuts)) {
            const open = (from: number) => streamOf(file.bytes.subarray(from), sizes);
            const items = await collect(readRange(open, { format: file.format, start, end }));
            for (const item of items) expect(item.offset >= start && item.offset < end).toBe(true);
            got.push(...items.map(summary));
          }
          if (file.format === 'json') expect(got).toEqual(file.expected);
          else expect(got.map(placed)).toEqual(file.expected.map(placed));
        },
      ),
      RUNS,
    );
  });
});
