import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { compactJsonEnd } from '../../../functions/shared/records/json-check';

const RUNS = { numRuns: 20_000 };

/** Pieces of JSON, right and wrong, so that random joins hit every branch of the grammar. */
const fragment = fc.constantFrom(
  ...'{}[]:,"\\ \t\r-+.0123456789eEtrufalsnbx/u'.split(''),
  'é',
  '\u0001',
  '\u2028',
  '\uFEFF',
  'true',
  'false',
  'null',
  '\\u00e9',
  '\\uD83D',
  '\\"',
  '"a"',
  '{"k":',
  '[1,',
);
const jsonish = fc.oneof(
  fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join('')),
  fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((value) => JSON.stringify(value)),
);

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Whitespace outside strings, found the plain way. */
function hasLooseWhitespace(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') return true;
  }
  return false;
}

describe('compactJsonEnd', () => {
  it('accepts a whole text exactly when JSON.parse does and it has no whitespace outside strings', () => {
    let accepted = 0;
    fc.assert(
      fc.property(jsonish, (raw) => {
        const bytes = Buffer.from(raw, 'utf8');
        const text = bytes.toString('utf8');
        const whole = compactJsonEnd(bytes, 0, bytes.length) === bytes.length;
        if (whole) accepted++;
        expect(whole).toBe(parses(text) && !hasLooseWhitespace(text));
      }),
      RUNS,
    );
    expect(accepted).toBeGreaterThan(RUNS.numRuns / 4);
  });

  it('stops right after the first value and never reads past `to`', () => {
    let stopped = 0;
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
        fc.constantFrom(',', ']', ',{}', ']]'),
        fc.nat(),
        (value, after, cut) => {
          const bytes = Buffer.from(`${value}${after}`, 'utf8');
          const end = Buffer.byteLength(value);
          expect(compactJsonEnd(bytes, 0, bytes.length)).toBe(end);
          stopped++;
          // Cut short, it either finds a shorter whole value (a number's prefix) or none.
          const to = cut % (end + 1);
          const short = compactJsonEnd(bytes, 0, to);
          expect(short === -1 || (short <= to && parses(bytes.toString('utf8', 0, short)))).toBe(true);
        },
      ),
      RUNS,
    );
    expect(stopped).toBe(RUNS.numRuns);
  });

  it('gives deep nesting to the byte-by-byte scan instead of overflowing', () => {
    const deep = Buffer.from(`${'['.repeat(65)}${']'.repeat(65)}`);
    const limit = Buffer.from(`${'['.repeat(64)}${']'.repeat(64)}`);
    expect(compactJsonEnd(deep, 0, deep.length)).toBe(-1);
    expect(compactJsonEnd(limit, 0, limit.length)).toBe(limit.length);
  });
});

describe('isUtf8 (the fast path) and the strict decoder (makeItem)', () => {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decodes = (bytes: Uint8Array) => {
    try {
      strict.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };
  /** Mostly valid UTF-8 with a few bytes changed: the edges of multi-byte characters. */
  const nearlyUtf8 = fc
    .tuple(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
    )
    .map(([text, edits]) => {
      const bytes = Buffer.from(text, 'utf8');
      for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
      return bytes;
    });

  it('agree on every byte string', () => {
    let invalid = 0;
    fc.assert(
      fc.property(fc.oneof(nearlyUtf8, fc.uint8Array({ maxLength: 8 })), (bytes) => {
        const valid = decodes(bytes);
        if (!valid) invalid++;
        expect(isUtf8(bytes)).toBe(valid);
      }),
      RUNS,
    );
    expect(invalid).toBeGreaterThan(RUNS.numRuns / 10);
  });
});
