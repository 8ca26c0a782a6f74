import { readRange, UNKNOWN } from '../../../functions/shared/records/reader';
import { collect, streamOf, texts, utf8 } from './streams';

const file = utf8('{"a":1}\n{"b":2}\nnope\n{"c":3}\n');
const open = (from: number) => streamOf(file.subarray(from), [3]);

describe('readRange', () => {
  it('reads the records starting in a jsonl range that begins mid-line, with index and line unknown', async () => {
    const items = await collect(readRange(open, { format: 'jsonl', start: 5, end: 20 }));
    expect(items.map((item) => [item.kind, item.index, item.offset, item.line])).toEqual([
      ['record', UNKNOWN, 8, UNKNOWN],
      ['reject', UNKNOWN, 16, UNKNOWN],
    ]);
    expect(texts(items)[1]).toMatch(/^REJECT record at byte 16 \(line unknown\): not valid JSON/);
  });

  it('includes a record that starts exactly at the start of the range', async () => {
    const items = await collect(readRange(open, { format: 'jsonl', start: 8, end: 9 }));
    expect(texts(items)).toEqual(['{"b":2}\n']);
  });

  it('reads a json range from the start of the file and knows index and line', async () => {
    const json = utf8('[\n"a,[",\n"b"\n]');
    const items = await collect(
      readRange((from) => streamOf(json.subarray(from), [1]), { format: 'json', start: 3, end: json.length }),
    );
    expect(items).toEqual([{ kind: 'record', index: 1, offset: 9, line: 3, payload: utf8('"b"\n') }]);
  });
});
