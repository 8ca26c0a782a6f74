/** Byte values the scanners compare against (UTF-8 / ASCII). */
export const LF = 0x0a;
export const CR = 0x0d;
export const TAB = 0x09;
export const SPACE = 0x20;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const BACKSLASH = 0x5c;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;

export const UTF8_BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

/** JSON's four whitespace bytes; everything else (form feed, NBSP) is content. */
export function isJsonWhitespace(b: number): boolean {
  return b === SPACE || b === LF || b === CR || b === TAB;
}

export function startsWithBom(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2]
  );
}

/** Quotes one byte for an error message: printable ASCII as is, anything else as hex. */
export function describeByte(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/** A byte of a number or literal: two of them must not be glued together by dropping whitespace. */
export function isScalarByte(b: number): boolean {
  return (
    b !== QUOTE &&
    b !== COMMA &&
    b !== COLON &&
    b !== OPEN_BRACE &&
    b !== CLOSE_BRACE &&
    b !== OPEN_BRACKET &&
    b !== CLOSE_BRACKET
  );
}

/** Index of the first `"`, `\` or `\n` at or after `from`: the bytes a string scan must look at. */
export function skipStringBody(chunk: Uint8Array, from: number): number {
  let i = from;
  while (i < chunk.length) {
    const b = chunk[i];
    if (b === QUOTE || b === BACKSLASH || b === LF) return i;
    i++;
  }
  return i;
}
