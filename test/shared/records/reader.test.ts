import type { RecordFormat } from '../../../functions/shared/chunk';
import { MalformedSourceError } from '../../../functions/shared/errors';
import { MAX_RECORD_BYTES } from '../../../functions/shared/limits';
import {
  detectFormat,
  type ReadItem,
  type ReadOptions,
  readRecords,
} from '../../../functions/shared/records/reader';
import { collect, streamOf, texts, utf8 } from './streams';

const read = (bytes: Uint8Array, options: ReadOptions, sizes?: number[]): Promise<ReadItem[]> =>
  collect(readRecords(streamOf(bytes, sizes), options));

const readText = (text: string, format: RecordFormat, sizes?: number[]) =>
  read(utf8(text), { format }, sizes);

describe('readRecords with format json', () => {
  it('turns a pretty-printed array into one compact line per record', async () => {
    const value = [{ a: 1, b: [1, 2, { c: 'x y' }] }, { d: null }];
    const pretty = `${JSON.stringify(value, null, 2)}\n`;
    const items = await readText(pretty, 'json');
    expect(texts(items)).toEqual(['{"a":1,"b":[1,2,{"c":"x y"}]}\n', '{"d":null}\n']);
    const second = pretty.lastIndexOf('{');
    expect(pretty.slice(second - 3, second + 1)).toBe('\n  {');
    expect(items.map((item) => [item.index, item.offset, item.line])).toEqual([
      [0, 4, 2],
      [1, second, 12],
    ]);
  });

  it('accepts non-object values and nested arrays as records', async () => {
    const items = await readText('[1, "two", true, null, [3, [4]], -0.5e3, {}, []]', 'json');
    expect(texts(items)).toEqual(
      ['1', '"two"', 'true', 'null', '[3,[4]]', '-0.5e3', '{}', '[]'].map((t) => `${t}\n`),
    );
  });

  it('keeps commas, brackets and escaped quotes inside strings as content', async () => {
    const items = await readText(String.raw`["a,]b", "q\"],[", "\\", {"k": "}{"}]`, 'json');
    expect(texts(items)).toEqual(
      ['"a,]b"', String.raw`"q\"],["`, String.raw`"\\"`, '{"k":"}{"}'].map((t) => `${t}\n`),
    );
  });

  it('keeps numbers and escapes exactly as written instead of re-serialising them', async () => {
    const items = await readText('[ {"id": 12345678901234567890, "e": "\\u00e9", "n": 1.50} ]', 'json');
    expect(texts(items)).toEqual(['{"id":12345678901234567890,"e":"\\u00e9","n":1.50}\n']);
  });

  it('rejects a bad element and keeps the good ones around it', async () => {
    const items = await readText('[1,\n {"a": tru},\n 3]', 'json');
    expect(items.map((item) => item.kind)).toEqual(['record', 'reject', 'record']);
    expect(items[1]).toMatchObject({ index: 1, offset: 5, line: 2, excerpt: '{"a":tru}' });
    expect(items[1].kind === 'reject' && items[1].reason).toMatch(
      /^record 1 at byte 5 \(line 2\): not valid JSON/,
    );
  });

  it('does not glue two values separated only by whitespace into one', async () => {
    const items = await readText('[1 2, tru e]', 'json');
    expect(items.map((item) => item.kind)).toEqual(['reject', 'reject']);
  });

  it('reports empty elements and a trailing comma as rejects with their positions', async () => {
    const items = await readText('[1,,2,]', 'json');
    expect(items.map((item) => [item.kind, item.index, item.offset])).toEqual([
      ['record', 0, 1],
      ['reject', 1, 3],
      ['record', 2, 4],
      ['reject', 3, 6],
    ]);
  });

  it('yields nothing for an empty array, an empty file or a file of only whitespace and a BOM', async () => {
    for (const text of ['[]', ' [ \n ] \n', '', ' \n\t', '\uFEFF', '\uFEFF \n']) {
      expect(await readText(text, 'json')).toEqual([]);
    }
  });

  it('throws MalformedSourceError naming offset and line for a truncated array', async () => {
    await expect(readText('[1,\n2', 'json')).rejects.toThrow(
      new MalformedSourceError(
        'the JSON array is truncated: the input ends at byte 5 inside the value that starts at byte 4 (line 2)',
      ),
    );
    await expect(readText('[1,\n', 'json')).rejects.toThrow(
      /ends at byte 4 \(line 2\) before its closing '\]'/,
    );
    await expect(readText('[{"a": "x', 'json')).rejects.toThrow(MalformedSourceError);
  });

  it('throws MalformedSourceError for garbage after the closing bracket', async () => {
    await expect(readText('[1]\n\n x', 'json')).rejects.toThrow(
      new MalformedSourceError("unexpected 'x' at byte 6 (line 3) after the closing ']' of the JSON array"),
    );
  });

  it('throws MalformedSourceError with a hint when the file is not an array', async () => {
    await expect(readText('{"a": 1}', 'json')).rejects.toThrow(
      /must hold one JSON array.*'\{' at byte 0 \(line 1\).*jsonl/,
    );
  });

  it('reads an aligned range that starts at a value inside the array', async () => {
    const file = utf8('[\n  {"a": 1},\n  {"b": 2},\n  {"c": 3}\n]\n');
    const start = file.indexOf('{"b"');
    const end = file.indexOf('{"c"');
    const items = await read(file.subarray(start, end), {
      format: 'json',
      start,
      end,
      firstIndex: 1,
      firstLine: 3,
    });
    expect(items).toEqual([{ kind: 'record', index: 1, offset: start, line: 3, payload: utf8('{"b":2}\n') }]);
    const last = await read(file.subarray(end), {
      format: 'json',
      start: end,
      end: file.length,
      firstIndex: 2,
    });
    expect(texts(last)).toEqual(['{"c":3}\n']);
  });

  it('stops at the first record that starts at or after end', async () => {
    const items = await readText('[1, 2, 3]', 'json');
    const cut = await read(utf8('[1, 2, 3]'), { format: 'json', end: items[1].offset + 1 });
    expect(texts(cut)).toEqual(['1\n', '2\n']);
  });
});

describe('readRecords with format jsonl', () => {
  it('skips blank lines, normalises CRLF and compacts each line', async () => {
    const items = await readText('{"a": 1}\r\n\r\n   \n[1, 2]\r\n"x"', 'jsonl');
    expect(texts(items)).toEqual(['{"a":1}\n', '[1,2]\n', '"x"\n']);
    expect(items.map((item) => [item.index, item.offset, item.line])).toEqual([
      [0, 0, 1],
      [1, 16, 4],
      [2, 24, 5],
    ]);
  });

  it('rejects a malformed line between good lines with its offset and line', async () => {
    const items = await readText('{"a":1}\n{"b":\n{"c":3}\n', 'jsonl');
    expect(texts(items)).toEqual([
      '{"a":1}\n',
      expect.stringMatching(/^REJECT record 1 at byte 8 \(line 2\): not valid JSON/),
      '{"c":3}\n',
    ]);
  });

  it('rejects invalid UTF-8 and keeps its neighbours', async () => {
    const bad = Buffer.concat([utf8('"ok"\n"'), Buffer.from([0xc3, 0x28]), utf8('"\n"fine"\n')]);
    const items = await read(bad, { format: 'jsonl' });
    expect(texts(items)).toEqual([
      '"ok"\n',
      'REJECT record 1 at byte 5 (line 2): not valid UTF-8',
      '"fine"\n',
    ]);
  });

  it('skips a UTF-8 BOM at the start of the file and counts offsets after it', async () => {
    const items = await read(utf8('\uFEFF{"a":1}\n{"b":2}\n'), { format: 'jsonl' }, [1]);
    expect(items.map((item) => [item.offset, item.line])).toEqual([
      [3, 1],
      [11, 2],
    ]);
  });

  it('rejects a BOM in the middle of the file instead of silently stripping it', async () => {
    const items = await readText('1\n\uFEFF2\n', 'jsonl');
    expect(items.map((item) => item.kind)).toEqual(['record', 'reject']);
  });

  it('decodes multi-byte UTF-8 and escapes split across 1-byte chunks', async () => {
    const text = '{"s": "héllo wörld 😀 \\" \\\\ \\u00e9"}\n["日本語", "\\n"]\n';
    const items = await readText(text, 'jsonl', [1]);
    expect(texts(items)).toEqual(['{"s":"héllo wörld 😀 \\" \\\\ \\u00e9"}\n', '["日本語","\\n"]\n']);
    const json = await readText(`[${text.trim().split('\n').join(',\n')}]`, 'json', [1]);
    expect(texts(json)).toEqual(texts(items));
  });

  it('accepts a record of exactly MAX_RECORD_BYTES payload bytes and rejects one byte more with its offset', async () => {
    const line = (contentBytes: number) => `"${'a'.repeat(contentBytes - 2)}"\n`;
    const file = `1\n${line(MAX_RECORD_BYTES - 1)}${line(MAX_RECORD_BYTES)}2\n`;
    const items = await readText(file, 'jsonl');
    expect(items.map((item) => [item.kind, item.offset])).toEqual([
      ['record', 0],
      ['record', 2],
      ['reject', 2 + MAX_RECORD_BYTES],
      ['record', 2 + 2 * MAX_RECORD_BYTES + 1],
    ]);
    expect(items[1].kind === 'record' && items[1].payload.length).toBe(MAX_RECORD_BYTES);
    expect(items[2].kind === 'reject' && items[2].reason).toBe(
      `record 2 at byte ${2 + MAX_RECORD_BYTES} (line 3): payload of ${MAX_RECORD_BYTES + 1} bytes exceeds the Firehose record limit of ${MAX_RECORD_BYTES} bytes`,
    );
  });

  it('measures the limit on the compact payload, not on the whitespace around it', async () => {
    const items = await read(utf8(`{"a":${' '.repeat(50)}1}\n`), { format: 'jsonl', maxRecordBytes: 10 });
    expect(texts(items)).toEqual(['{"a":1}\n']);
  });

  it('streams past a 10 MB line without keeping it, then reads on', async () => {
    async function* hugeLine(): AsyncGenerator<Uint8Array> {
      const piece = Buffer.alloc(65_536, 0x61);
      yield utf8('"');
      for (let sent = 0; sent < 10 * 1024 * 1024; sent += piece.length) yield piece;
      yield utf8('"\n"after"\n');
    }
    const items = await collect(readRecords(hugeLine(), { format: 'jsonl' }));
    expect(items.map((item) => item.kind)).toEqual(['reject', 'record']);
    expect(items[0].kind === 'reject' && items[0].excerpt.length).toBeLessThanOrEqual(120);
    expect(items[1]).toMatchObject({ index: 1, offset: 10 * 1024 * 1024 + 3, line: 2 });
  });
});

describe('readRecords with validate false (bytes Plan already checked)', () => {
  it('keeps boundaries, positions and compaction but no longer decodes or parses the records', async () => {
    const items = await read(utf8('{"a": 1}\r\n\n{"b":\n[1, 2]\n'), { format: 'jsonl', validate: false });
    expect(texts(items)).toEqual(['{"a":1}\n', '{"b":\n', '[1,2]\n']);
    expect(items.map((item) => [item.index, item.offset, item.line])).toEqual([
      [0, 0, 1],
      [1, 11, 3],
      [2, 17, 4],
    ]);
  });

  it('still rejects a record over the size limit, which is a boundary check, not validation', async () => {
    const file = `1\n"${'a'.repeat(MAX_RECORD_BYTES)}"\n2\n`;
    const items = await read(utf8(file), { format: 'jsonl', validate: false });
    expect(items.map((item) => item.kind)).toEqual(['record', 'reject', 'record']);
  });

  it('splits a json array into the same elements as with validation on', async () => {
    const text = '[ {"a": 1},\n  [2, 3], "x" ]';
    const checked = await readText(text, 'json');
    const unchecked = await read(utf8(text), { format: 'json', validate: false });
    expect(texts(unchecked)).toEqual(texts(checked));
  });
});

describe('readRecords with format lines', () => {
  it('passes lines as they are, without the CR of a CRLF, and skips blank lines', async () => {
    const items = await readText('  indented, {not json}\r\n\r\n\t\nlast\rline', 'lines');
    expect(texts(items)).toEqual(['  indented, {not json}\n', 'last\rline\n']);
    expect(items.map((item) => item.line)).toEqual([1, 4]);
  });

  it('rejects a line that is not valid UTF-8', async () => {
    const items = await read(Buffer.from([0x61, 0x0a, 0xff, 0x0a]), { format: 'lines' });
    expect(texts(items)).toEqual(['a\n', 'REJECT record 1 at byte 2 (line 2): not valid UTF-8']);
  });
});

describe('detectFormat', () => {
  it('says json when the first non-blank byte after an optional BOM is [ and jsonl otherwise', () => {
    expect(detectFormat(utf8('\uFEFF \n [1]'))).toBe('json');
    expect(detectFormat(utf8('[1]'))).toBe('json');
    expect(detectFormat(utf8('{"a":1}\n'))).toBe('jsonl');
    expect(detectFormat(utf8('\uFEFF'))).toBe('jsonl');
    expect(detectFormat(new Uint8Array(0))).toBe('jsonl');
  });
});
