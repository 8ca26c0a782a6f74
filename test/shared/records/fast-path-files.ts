import fc from 'fast-check';
import type { RecordFormat } from '../../../functions/shared/chunk';

/**
 * Files for comparing the compact fast path with the byte-by-byte scan: mostly records the fast
 * path takes (compact JSON, plain lines), mixed with everything that must fall back to the scan and
 * come out the same (spaced or pretty JSON, bad JSON, bad UTF-8, CRLF, blank lines, deep nesting,
 * BOMs, control characters), as raw bytes so that invalid UTF-8 can be in them.
 */
export interface RawFile {
  format: RecordFormat;
  bytes: Uint8Array;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Bytes no strict UTF-8 decoder accepts: lone continuation, overlong, surrogate, cut, too high. */
const BAD_UTF8 = [[0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]];

const TRICKY_JSON = [
  '{"id":12345678901234567890,"n":1.50,"e":-0.5E+3}',
  String.raw`{"u":"\u00e9\uD83D\uDE00","q":"\"","b":"\\","s":"\/\b\f\n\r\t"}`,
  String.raw`"\x"`,
  String.raw`"\u12G4"`,
  '{"a":"KHTML, like Gecko","b":"x: y","c":"[ ]"}',
  '[1,2,[3,[4,{"k":[]}]],{}]',
  '01',
  '1.',
  '-',
  '.5',
  '1e',
  'truefalse',
  'nul',
  '{"a":1,}',
  '[1,]',
  '{"a"1}',
  '{,}',
  '1,2',
  '[3',
  '4]',
  '"tab\there"',
  '"\u0001"',
  '\uFEFF{"bom":1}',
  '"\u2028\u00a0"',
  `${'['.repeat(70)}${']'.repeat(70)}`,
  `${'['.repeat(64)}${']'.repeat(64)}`,
];

/** One record's text, as it would be written on one line. */
const recordText: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }).map((v) => utf8(JSON.stringify(v))),
  },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue({ maxDepth: 2 })
      .map((v) => utf8((JSON.stringify(v, null, 1) ?? 'null').replace(/\n/g, ''))),
  },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_JSON).map(utf8) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...BAD_UTF8), fc.string({ maxLength: 6 }))
      .map(([a, bad, b]) =>
        Buffer.concat([
          utf8(`{"s":"${a.replace(/["\\\n]/g, '')}`),
          Buffer.from(bad),
          utf8(`${b.replace(/["\\\n]/g, '')}"}`),
        ]),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '\t', ' {"a":1}', '{"a":1} ', '{"a": 1}', '1 2', 'tru e').map(utf8),
  },
);

export const jsonlOrLinesFile: fc.Arbitrary<RawFile> = fc
  .record({
    format: fc.constantFrom<RecordFormat>('jsonl', 'lines'),
    bom: fc.boolean(),
    lines: fc.array(fc.tuple(recordText, fc.constantFrom('\n', '\n', '\n', '\r\n')), {
      maxLength: 40,
      size: 'max',
    }),
    finalNewline: fc.boolean(),
  })
  .map(({ format, bom, lines, finalNewline }) => {
    const parts: Uint8Array[] = bom ? [utf8('\uFEFF')] : [];
    lines.forEach(([text, eol], k) => {
      parts.push(text);
      if (k < lines.length - 1 || finalNewline) parts.push(utf8(eol));
    });
    return { format, bytes: Buffer.concat(parts) };
  });

export const jsonArrayFile: fc.Arbitrary<RawFile> = fc
  .record({
    bom: fc.boolean(),
    elements: fc.array(fc.tuple(recordText, fc.constantFrom(',', ',', ',\n', ', ', ',\r\n  ')), {
      maxLength: 40,
      size: 'max',
    }),
    tail: fc.constantFrom('\n]', ']', ' ]\n'),
  })
  .map(({ bom, elements, tail }) => {
    const parts: Uint8Array[] = bom ? [utf8('\uFEFF')] : [];
    parts.push(utf8('['));
    elements.forEach(([text, separator], k) => {
      if (k > 0) parts.push(utf8(separator));
      parts.push(text);
    });
    parts.push(utf8(tail));
    return { format: 'json' as const, bytes: Buffer.concat(parts) };
  });

export const fastPathFile = fc.oneof(jsonlOrLinesFile, jsonArrayFile);

/** Pieces mostly large enough to hold whole records (the fast path), sometimes tiny (the scan). */
export const fastPathPieces = fc.array(
  fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 64, max: 4096 }) }, fc.integer({ min: 1, max: 63 })),
  { minLength: 1, maxLength: 4 },
);

/** The bytes in a memory of their own, so a payload that is a view of them can be recognised. */
export function ownMemory(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}
