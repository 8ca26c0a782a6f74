import type { ReadItem } from '../../functions/shared/records/reader';
import { readRecords } from '../../functions/shared/records/reader';

/** Byte offsets of invalid UTF-8, checked on the reader alone (no workflow needed). */

async function read(bytes: Buffer, format: 'jsonl' | 'lines' | 'json', pieceBytes = bytes.length || 1) {
  async function* pieces() {
    for (let at = 0; at < bytes.length; at += pieceBytes) yield bytes.subarray(at, at + pieceBytes);
  }
  const items: ReadItem[] = [];
  for await (const item of readRecords(pieces(), { format })) items.push(item);
  return items;
}

const b = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('invalid UTF-8', () => {
  // Each bad line: a lone continuation byte, an overlong "/", an encoded surrogate, a code point past
  // U+10FFFF, and a multi-byte sequence cut short by the end of the line.
  const input = b(
    '"ok"\n',
    '"',
    [0x80],
    '"\n',
    '"',
    [0xc0, 0xaf],
    '"\n',
    '"',
    [0xed, 0xa0, 0x80],
    '"\n',
    '"',
    [0xf4, 0x90, 0x80, 0x80],
    '"\n',
    '"',
    [0xe2, 0x82],
    '"\n',
    '"é€😀"\n',
  );

  it.each([
    ['jsonl', 'at once', input.length],
    ['jsonl', 'one byte at a time', 1],
    ['lines', 'at once', input.length],
  ] as const)(
    'rejects each bad %s record with its exact byte offset and line, read %s',
    async (format, _how, piece) => {
      const items = await read(input, format, piece);
      const rejects = items.filter((item) => item.kind === 'reject');
      expect(rejects.map((r) => [r.offset, r.line, r.kind === 'reject' ? r.reason : ''])).toEqual([
        [5, 2, 'record 1 at byte 5 (line 2): not valid UTF-8'],
        [9, 3, 'record 2 at byte 9 (line 3): not valid UTF-8'],
        [14, 4, 'record 3 at byte 14 (line 4): not valid UTF-8'],
        [20, 5, 'record 4 at byte 20 (line 5): not valid UTF-8'],
        [27, 6, 'record 5 at byte 27 (line 6): not valid UTF-8'],
      ]);
      const good = items.filter((item) => item.kind === 'record');
      expect(good.map((r) => (r.kind === 'record' ? r.payload.toString('utf8') : ''))).toEqual([
        '"ok"\n',
        '"é€😀"\n',
      ]);
      expect(good.map((r) => r.offset)).toEqual([0, 32]);
    },
  );

  it('rejects an invalid string element of a JSON array with its offset and keeps the other elements', async () => {
    const items = await read(b('[1, "', [0xff], '", 3]'), 'json');
    expect(items.map((item) => [item.kind, item.offset])).toEqual([
      ['record', 1],
      ['reject', 4],
      ['record', 9],
    ]);
    expect(items[1].kind === 'reject' && items[1].reason).toBe(
      'record 1 at byte 4 (line 1): not valid UTF-8',
    );
  });
});
