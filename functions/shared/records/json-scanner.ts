import { MalformedSourceError } from '../errors';
import * as bytes from './bytes';
import { rejectAt } from './items';
import { compactJsonEnd } from './json-check';
import { Scanner, type ScannerOptions } from './scanner';
import type { ReadItem } from './types';

// Local copies: CommonJS output (tsx, swc, jest) reads imported constants through getters, which
// costs more than the work itself in a per-byte loop.
const {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  CR,
  describeByte,
  isScalarByte,
  LF,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  skipStringBody,
  SPACE,
  TAB,
} = bytes;

type Phase = 'prelude' | 'between' | 'element' | 'after';
/** What came before the gap between two elements, to spot empty elements (`[1,,2]`, `[1,]`). */
type Previous = 'open' | 'comma' | 'resume';

/**
 * `json`: one array of values. An element is everything between two depth-0 separators (`,` or
 * the closing `]`), found by tracking strings, escapes and bracket depth; JSON.parse then judges
 * each element on its own, so a bad element is a reject and its neighbours still flow. Elements are
 * minified as they stream (whitespace outside strings dropped), which gives one line per record
 * from pretty input without holding the raw bytes.
 *
 * A scan that starts inside the array (an aligned range, `atFileStart` false) begins at a value.
 */
export class JsonArrayScanner extends Scanner {
  private phase: Phase;
  private previous: Previous;
  private elementOffset = 0;
  private elementLine = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private pendingSpace = false;
  private lastScalar = false;

  constructor(options: ScannerOptions) {
    super(options);
    this.phase = options.atFileStart ? 'prelude' : 'between';
    this.previous = options.atFileStart ? 'open' : 'resume';
  }

  protected scan(chunk: Buffer, out: ReadItem[]): void {
    let i = 0;
    while (i < chunk.length && !this.done) {
      if (this.phase === 'element') i = this.scanElement(chunk, i, out);
      else if (this.phase === 'between') i = this.scanBetween(chunk, i, out);
      else i = this.scanOutside(chunk, i);
    }
  }

  protected finish(out: ReadItem[]): void {
    const rangeEnded = this.pos >= this.options.end;
    if (this.phase === 'element') {
      // An aligned range ends right after its last element's separator or, for the last range, at
      // the end of the file; a complete value cut off at `end` is fine, anything else is truncation.
      if (rangeEnded && this.depth === 0 && !this.inString) {
        this.endElement(out);
        return;
      }
      const where = `inside the value that starts at byte ${this.elementOffset} (${this.lineText(this.elementLine)})`;
      throw this.malformed(`the JSON array is truncated: the input ends at byte ${this.pos} ${where}`);
    }
    if (this.phase === 'between' && !rangeEnded) {
      throw this.malformed(
        `the JSON array is truncated: the input ends at byte ${this.pos} (${this.lineText(this.line)}) before its closing ']'`,
      );
    }
  }

  /** Before `[` (prelude) or after `]` (after): only whitespace may be here. */
  private scanOutside(chunk: Buffer, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF) this.line++;
      if (b === SPACE || b === TAB || b === CR || b === LF) continue;
      const at = `at byte ${this.pos + i} (${this.lineText(this.line)})`;
      if (this.phase === 'prelude') {
        if (b === OPEN_BRACKET) {
          this.phase = 'between';
          return i + 1;
        }
        throw this.malformed(
          `a json file must hold one JSON array of records, but it starts with ${describeByte(b)} ${at}; use format jsonl for one JSON value per line`,
        );
      }
      if (this.pos + i >= this.options.end) {
        this.done = true;
        return i;
      }
      throw this.malformed(`unexpected ${describeByte(b)} ${at} after the closing ']' of the JSON array`);
    }
    return chunk.length;
  }

  private scanBetween(chunk: Buffer, from: number, out: ReadItem[]): number {
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF) this.line++;
      if (b === SPACE || b === TAB || b === CR || b === LF) continue;
      const offset = this.pos + i;
      if (b === COMMA) {
        // An aligned range may begin just before a separator: skip it rather than report a gap.
        if (this.previous === 'resume') continue;
        if (!this.emptyElement(offset, 'a comma', out)) return i;
        this.previous = 'comma';
        continue;
      }
      if (b === CLOSE_BRACKET) {
        if (this.previous === 'comma' && !this.emptyElement(offset, "the closing ']'", out)) return i;
        this.phase = 'after';
        return i + 1;
      }
      if (offset >= this.options.end) {
        this.done = true;
        return i;
      }
      const fast = this.options.compactFastPath && this.emits(offset);
      const next = fast ? this.compactElement(chunk, i, out) : -1;
      if (next >= 0) return next;
      this.startElement(offset);
      return i;
    }
    return chunk.length;
  }

  /** Reports the gap before `offset` as a reject; false if it lies past `end` (the scan is done). */
  private emptyElement(offset: number, before: string, out: ReadItem[]): boolean {
    if (offset >= this.options.end) {
      this.done = true;
      return false;
    }
    const at = this.claim(offset, this.line);
    const problem = `empty array element (nothing between a comma and ${before})`;
    if (this.emits(offset)) out.push(rejectAt(at, problem, new Uint8Array(0)));
    return true;
  }

  /**
   * The fast path for an element that lies whole in this chunk, right before its separator, and is
   * already compact (see compactJsonEnd): its payload is a copy of it plus `\n`, with no decode or
   * JSON.parse. Returns where scanning goes on, or -1 to leave it to the byte-by-byte scan (which
   * also builds every reject, so reasons and excerpts stay the same). No `\n` can be inside it, so
   * the line does not move.
   */
  private compactElement(chunk: Buffer, from: number, out: ReadItem[]): number {
    const end = compactJsonEnd(chunk, from, chunk.length);
    if (end < 0 || end >= chunk.length) return -1;
    const separator = chunk[end];
    if (separator !== COMMA && separator !== CLOSE_BRACKET) return -1;
    const length = end - from;
    if (length + 1 > this.options.maxRecordBytes) return -1;
    if (this.options.validate && !this.isUtf8Span(chunk, from, end)) return -1;
    const payload = Buffer.allocUnsafe(length + 1);
    chunk.copy(payload, 0, from, end);
    payload[length] = LF;
    this.emitRecord(this.pos + from, this.line, payload, out);
    if (separator === COMMA) this.previous = 'comma';
    else this.phase = 'after';
    return end + 1;
  }

  private startElement(offset: number): void {
    this.elementOffset = offset;
    this.elementLine = this.line;
    this.builder.begin(!this.emits(offset));
    this.depth = 0;
    this.inString = this.escape = this.pendingSpace = this.lastScalar = false;
    this.phase = 'element';
  }

  private endElement(out: ReadItem[]): void {
    this.endRecord(this.elementOffset, this.elementLine, out);
    this.phase = 'between';
  }

  private scanElement(chunk: Buffer, from: number, out: ReadItem[]): number {
    const builder = this.builder;
    let run = from;
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF) this.line++;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (b === BACKSLASH) this.escape = true;
        else if (b === QUOTE) this.inString = false;
        // Most bytes of a record sit in strings: skip the plain ones in a tight loop.
        else i = skipStringBody(chunk, i + 1) - 1;
        continue;
      }
      if (b === SPACE || b === TAB || b === CR || b === LF) {
        builder.append(chunk, run, i);
        run = i + 1;
        this.pendingSpace = true;
        continue;
      }
      if ((b === COMMA || b === CLOSE_BRACKET) && this.depth === 0) {
        builder.append(chunk, run, i);
        this.endElement(out);
        if (b === COMMA) this.previous = 'comma';
        else this.phase = 'after';
        return i + 1;
      }
      if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
      else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && this.depth > 0) this.depth--;
      else if (b === QUOTE) this.inString = true;
      const scalar = isScalarByte(b);
      if (scalar && this.pendingSpace && this.lastScalar) {
        builder.append(chunk, run, i);
        builder.appendSpace();
        run = i;
      }
      this.lastScalar = scalar;
      this.pendingSpace = false;
    }
    builder.append(chunk, run, chunk.length);
    return chunk.length;
  }

  private malformed(message: string): MalformedSourceError {
    return new MalformedSourceError(message);
  }
}
