import fc from 'fast-check';
import type { RecordFormat } from '../../../functions/shared/chunk';

/** What the reader must report for one entry of a generated file. */
export interface Expected {
  kind: 'record' | 'reject';
  index: number;
  offset: number;
  line: number;
  /** The payload text of a good record. */
  payload?: string;
}

export interface GeneratedFile {
  format: RecordFormat;
  bytes: Buffer;
  expected: Expected[];
}

type Entry = { good: true; value: fc.JsonValue; pretty: boolean } | { good: false; text: string };

const BAD_JSON = ['{"a":', 'nope', '[1,', '"unterminated', '1 2', 'tru e', '{"a":1}}'];

const entry = (badTexts: string[]): fc.Arbitrary<Entry> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        good: fc.constant(true as const),
        value: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
        pretty: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ good: fc.constant(false as const), text: fc.constantFrom(...badTexts) }),
    },
  );

/** Builds a file piece by piece, tracking the byte offset and line of what is appended. */
class FileWriter {
  private pieces: string[] = [];
  offset = 0;
  line = 1;
  readonly expected: Expected[] = [];

  write(text: string): void {
    this.pieces.push(text);
    this.offset += Buffer.byteLength(text);
    this.line += text.split('\n').length - 1;
  }

  expect(kind: Expected['kind'], payload?: string): void {
    this.expected.push({ kind, index: this.expected.length, offset: this.offset, line: this.line, payload });
  }

  bytes(): Buffer {
    return Buffer.from(this.pieces.join(''), 'utf8');
  }
}

/** Single-line JSON with spaces between tokens: what `JSON.stringify(v, null, 1)` gives, minus its newlines. */
const spaced = (value: fc.JsonValue) => (JSON.stringify(value, null, 1) ?? 'null').replace(/\n/g, '');

export const jsonlFile: fc.Arbitrary<GeneratedFile> = fc
  .record({
    bom: fc.boolean(),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    lines: fc.array(fc.tuple(entry(BAD_JSON), fc.constantFrom('', '', '  ', '\t ')), { maxLength: 12 }),
  })
  .map(({ bom, crlf, finalNewline, lines }) => {
    const file = new FileWriter();
    if (bom) file.write('\uFEFF');
    const eol = crlf ? '\r\n' : '\n';
    lines.forEach(([item, blank], k) => {
      if (blank) file.write(`${blank}${eol}`);
      if (item.good) file.expect('record', `${JSON.stringify(item.value)}\n`);
      else file.expect('reject');
      file.write(item.good ? (item.pretty ? spaced(item.value) : JSON.stringify(item.value)) : item.text);
      if (k < lines.length - 1 || finalNewline) file.write(eol);
    });
    return { format: 'jsonl' as const, bytes: file.bytes(), expected: file.expected };
  });

export const linesFile: fc.Arbitrary<GeneratedFile> = fc
  .record({
    crlf: fc.boolean(),
    lines: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 12 }),
  })
  .map(({ crlf, lines }) => {
    const file = new FileWriter();
    for (const raw of lines) {
      // A line is what lies between newlines; a CR at its end would be read as the CR of a CRLF.
      const text = raw.replace(/[\r\n]/g, ' ');
      if (/^[ \t]*$/.test(text)) file.write(`${text}\n`);
      else {
        file.expect('record', `${text}\n`);
        file.write(`${text}${crlf ? '\r\n' : '\n'}`);
      }
    }
    return { format: 'lines' as const, bytes: file.bytes(), expected: file.expected };
  });

export const jsonFile: fc.Arbitrary<GeneratedFile> = fc
  .record({
    bom: fc.boolean(),
    elements: fc.array(
      fc.tuple(
        entry(['tru', '{"a":}', '"x" "y"', '{"a":1}}']),
        fc.constantFrom(',', ', ', ',\n  ', '\r\n,\r\n'),
      ),
      {
        maxLength: 10,
      },
    ),
    tail: fc.constantFrom('', '\n', ' \r\n '),
  })
  .map(({ bom, elements, tail }) => {
    const file = new FileWriter();
    if (bom) file.write('\uFEFF');
    file.write(elements.length > 0 ? '[\n  ' : '[');
    elements.forEach(([item, separator], k) => {
      if (k > 0) file.write(separator);
      if (item.good) file.expect('record', `${JSON.stringify(item.value)}\n`);
      else file.expect('reject');
      file.write(item.good ? JSON.stringify(item.value, null, item.pretty ? 2 : 0) : item.text);
    });
    file.write(`\n]${tail}`);
    return { format: 'json' as const, bytes: file.bytes(), expected: file.expected };
  });

export const anyFile = fc.oneof(jsonlFile, jsonFile, linesFile);

/** Stream piece sizes: tiny ones so boundaries fall inside characters, escapes and BOMs. */
export const pieceSizes = fc.array(fc.integer({ min: 1, max: 19 }), { minLength: 1, maxLength: 4 });
