import fc from 'fast-check';
import { splitCompactLines } from '../../../functions/shared/records/compact-lines';
import { readRecords } from '../../../functions/shared/records/reader';
import { anyFile } from './files';
import { collect, streamOf, texts, utf8 } from './streams';

describe('splitCompactLines', () => {
  it('returns each line with its newline as one payload', () => {
    const payloads = splitCompactLines(utf8('{"a":1}\n{"b":"x y"}\n7\n'));
    expect(payloads?.map((p) => p.toString())).toEqual(['{"a":1}\n', '{"b":"x y"}\n', '7\n']);
  });

  it('returns nothing for an empty range and undefined when the last line has no newline', () => {
    expect(splitCompactLines(Buffer.alloc(0))).toEqual([]);
    expect(splitCompactLines(utf8('{"a":1}\n{"b":2}'))).toBeUndefined();
  });

  it('gives exactly what the scanner gives whenever a file without rejects has as many bytes as payload bytes', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(anyFile, async (file) => {
        fc.pre(file.format !== 'json' && file.expected.every((e) => e.kind === 'record'));
        const scanned = await collect(readRecords(streamOf(file.bytes), { format: file.format }));
        const payloadBytes = scanned.reduce(
          (sum, item) => sum + (item.kind === 'record' ? item.payload.length : 0),
          0,
        );
        const split = splitCompactLines(Buffer.from(file.bytes));
        if (payloadBytes !== file.bytes.length || split === undefined) return;
        compared++;
        expect(split.map((p) => p.toString('utf8'))).toEqual(texts(scanned));
      }),
      { numRuns: 500 },
    );
    // The property must have compared something, not only skipped.
    expect(compared).toBeGreaterThan(20);
  });
});
