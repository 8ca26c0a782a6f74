import * as bytes from './bytes';

// Local copies: CommonJS output (tsx, swc, jest) reads imported constants through getters, which
// costs more than the work itself in a per-byte loop.
const { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } = bytes;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const UPPER_E = 0x45;
const LOWER_E = 0x65;
const LOWER_U = 0x75;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** Deeper values go to the byte-by-byte path: this is only a shortcut, JSON.parse has no such limit. */
const MAX_DEPTH = 64;
const IN_OBJECT = 1;
const IN_ARRAY = 2;
// One stack for every call: the check is synchronous, so calls never overlap.
const containers = new Uint8Array(MAX_DEPTH);

/** Bytes a string may hold as they are: not `"`, `\` or a control character (< 0x20). */
const PLAIN = new Uint8Array(256).fill(1);
for (let c = 0; c < 0x20; c++) PLAIN[c] = 0;
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0;

/** What may follow a `\`: a one-byte escape (`\n`, `\"`...), or `u` and four hex digits. */
const SHORT_ESCAPE = 1;
const UNICODE_ESCAPE = 2;
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = SHORT_ESCAPE;
ESCAPES[LOWER_U] = UNICODE_ESCAPE;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/**
 * If `bytes[from, to)` begins with one complete JSON value that has no whitespace outside its
 * strings, returns the index just after it; otherwise -1. The caller checks what follows.
 *
 * This is the JSON grammar (RFC 8259) with every `ws` empty: anything it accepts, JSON.parse accepts
 * once the bytes are decoded (the caller checks they are UTF-8: bytes >= 0x80 are taken as string
 * content here). And a value with no whitespace outside strings is its own minified form. So a line
 * or element it accepts is exactly the record the byte-by-byte scan would build and validate, and
 * anything it refuses (bad JSON, whitespace to drop, more than MAX_DEPTH levels, a value cut off at
 * `to`) is left to that scan, which finds the same record or the same reject as before.
 */
export function compactJsonEnd(bytes: Uint8Array, from: number, to: number): number {
  let depth = 0;
  let i = from;
  for (;;) {
    // A value starts at i.
    if (i >= to) return -1;
    const c = bytes[i];
    if (c === QUOTE) i = stringEnd(bytes, i + 1, to);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === MAX_DEPTH) return -1;
      const object = c === OPEN_BRACE;
      containers[depth++] = object ? IN_OBJECT : IN_ARRAY;
      i++;
      if (i < to && bytes[i] === (object ? CLOSE_BRACE : CLOSE_BRACKET)) {
        depth--;
        i++;
      } else {
        if (object) i = memberValueStart(bytes, i, to);
        if (i < 0) return -1;
        continue;
      }
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) i = numberEnd(bytes, i, to);
    else if (c === TRUE[0]) i = literalEnd(bytes, i, to, TRUE);
    else if (c === FALSE[0]) i = literalEnd(bytes, i, to, FALSE);
    else if (c === NULL[0]) i = literalEnd(bytes, i, to, NULL);
    else return -1;
    if (i < 0) return -1;
    // After a value: close containers until a comma leads to the next value, or the top value ends.
    for (;;) {
      if (depth === 0) return i;
      if (i >= to) return -1;
      const object = containers[depth - 1] === IN_OBJECT;
      const b = bytes[i];
      if (b === COMMA) {
        i = object ? memberValueStart(bytes, i + 1, to) : i + 1;
        if (i < 0) return -1;
        break;
      }
      if (b !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) return -1;
      depth--;
      i++;
    }
  }
}

/** `"key":` at `i`: returns where the member's value starts. */
function memberValueStart(bytes: Uint8Array, i: number, to: number): number {
  if (i >= to || bytes[i] !== QUOTE) return -1;
  const end = stringEnd(bytes, i + 1, to);
  if (end < 0 || end >= to || bytes[end] !== COLON) return -1;
  return end + 1;
}

/** The string's content starts at `i`: returns the index after its closing quote. */
function stringEnd(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  for (;;) {
    while (i < to && PLAIN[bytes[i]] === 1) i++;
    if (i >= to) return -1;
    const c = bytes[i];
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH || i + 1 >= to) return -1;
    const kind = ESCAPES[bytes[i + 1]];
    if (kind === SHORT_ESCAPE) i += 2;
    else if (kind === UNICODE_ESCAPE && i + 5 < to && isHex4(bytes, i + 2)) i += 6;
    else return -1;
  }
}

function isHex4(bytes: Uint8Array, i: number): boolean {
  return HEX[bytes[i]] === 1 && HEX[bytes[i + 1]] === 1 && HEX[bytes[i + 2]] === 1 && HEX[bytes[i + 3]] === 1;
}

/** `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` at `i`. */
function numberEnd(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  if (bytes[i] === MINUS) i++;
  if (i >= to) return -1;
  if (bytes[i] === ZERO) i++;
  else if (bytes[i] > ZERO && bytes[i] <= NINE) i = digitsEnd(bytes, i + 1, to);
  else return -1;
  if (i < to && bytes[i] === DOT) {
    const fraction = i + 1;
    i = digitsEnd(bytes, fraction, to);
    if (i === fraction) return -1;
  }
  if (i < to && (bytes[i] === LOWER_E || bytes[i] === UPPER_E)) {
    i++;
    if (i < to && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    const exponent = i;
    i = digitsEnd(bytes, exponent, to);
    if (i === exponent) return -1;
  }
  return i;
}

function digitsEnd(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && bytes[i] >= ZERO && bytes[i] <= NINE) i++;
  return i;
}

function literalEnd(bytes: Uint8Array, i: number, to: number, literal: Buffer): number {
  if (i + literal.length > to) return -1;
  for (let k = 1; k < literal.length; k++) if (bytes[i + k] !== literal[k]) return -1;
  return i + literal.length;
}
