import * as bytes from './bytes';
import { compactJsonEnd } from './json-check';
import { Scanner, type ScannerOptions } from './scanner';
import type { ReadItem } from './types';

// Local copies: CommonJS output (tsx, swc, jest) reads imported constants through getters, which
// costs more than the work itself in a per-byte loop.
const { skipStringBody, BACKSLASH, CR, isScalarByte, LF, QUOTE, SPACE, TAB } = bytes;

/**
 * jsonl and lines: a record is a line, starting at the line's first byte. Blank (whitespace-only)
 * lines are skipped. With `resync`, everything up to and including the first `\n` is skipped: the
 * stream was opened one byte before a range that may begin mid-line.
 */
export class LineScanner extends Scanner {
  private phase: 'resync' | 'lineStart' | 'inLine';
  private lineOffset = 0;
  private hasContent = false;
  // jsonl minifier state (see scanJsonLine).
  private inString = false;
  private escape = false;
  private pendingSpace = false;
  private lastScalar = false;

  constructor(options: ScannerOptions & { resync: boolean }) {
    super(options);
    this.phase = options.resync ? 'resync' : 'lineStart';
  }

  protected scan(chunk: Buffer, out: ReadItem[]): void {
    let i = 0;
    if (this.phase === 'resync') {
      const newline = chunk.indexOf(LF);
      if (newline < 0) return;
      i = newline + 1;
      this.phase = 'lineStart';
    }
    while (i < chunk.length) {
      if (this.phase === 'lineStart') {
        this.lineOffset = this.pos + i;
        if (this.lineOffset >= this.options.end) {
          this.done = true;
          return;
        }
        const fast = this.options.compactFastPath && this.emits(this.lineOffset);
        const next = fast ? this.compactLine(chunk, i, out) : -1;
        if (next >= 0) {
          i = next;
          continue;
        }
        this.builder.begin(!this.emits(this.lineOffset));
        this.hasContent = false;
        this.inString = this.escape = this.pendingSpace = this.lastScalar = false;
        this.phase = 'inLine';
      }
      i =
        this.options.format === 'lines' ? this.scanRawLine(chunk, i, out) : this.scanJsonLine(chunk, i, out);
    }
  }

  protected finish(out: ReadItem[]): void {
    if (this.phase === 'inLine') this.endLine(out);
  }

  private endLine(out: ReadItem[]): void {
    if (this.hasContent) this.endRecord(this.lineOffset, this.line, out);
    this.phase = 'lineStart';
  }

  /**
   * The fast path for a line that lies whole in this chunk and is already its own payload: for
   * jsonl, one compact JSON value (see compactJsonEnd); for lines, one that neither starts with a
   * blank nor ends in a CR. Such a line is emitted as a view of the chunk, `\n` included, with no
   * copy, decode or JSON.parse. Returns where the next line starts, or -1 to leave the line to the
   * byte-by-byte scan (which also builds every reject, so reasons and excerpts stay the same).
   */
  private compactLine(chunk: Buffer, from: number, out: ReadItem[]): number {
    const newline = chunk.indexOf(LF, from);
    if (newline <= from || newline - from + 1 > this.options.maxRecordBytes) return -1;
    if (this.options.format === 'lines') {
      const first = chunk[from];
      if (first === SPACE || first === TAB || first === CR || chunk[newline - 1] === CR) return -1;
    } else if (compactJsonEnd(chunk, from, newline) !== newline) return -1;
    if (this.options.validate && !this.isUtf8Span(chunk, from, newline)) return -1;
    this.emitRecord(this.lineOffset, this.line, chunk.subarray(from, newline + 1), out);
    this.line++;
    return newline + 1;
  }

  /** `lines`: the bytes as they are; the CR of a CRLF is dropped when the payload is built. */
  private scanRawLine(chunk: Buffer, from: number, out: ReadItem[]): number {
    const newline = chunk.indexOf(LF, from);
    const stop = newline < 0 ? chunk.length : newline;
    for (let k = from; !this.hasContent && k < stop; k++) {
      const b = chunk[k];
      this.hasContent = b !== SPACE && b !== TAB && b !== CR;
    }
    this.builder.append(chunk, from, stop);
    if (newline < 0) return stop;
    this.endLine(out);
    this.line++;
    return newline + 1;
  }

  /**
   * jsonl: the line is minified on the fly (whitespace outside strings dropped), so a record with
   * stray spaces or a CRLF becomes the same compact one-line payload as any other, and its payload
   * size is known exactly while streaming. Bytes are otherwise kept as written, not re-serialised,
   * so numbers beyond 2^53 and escapes survive unchanged. JSON.parse still validates every line.
   */
  private scanJsonLine(chunk: Buffer, from: number, out: ReadItem[]): number {
    const builder = this.builder;
    let run = from;
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF) {
        builder.append(chunk, run, i);
        this.endLine(out);
        this.line++;
        return i + 1;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (b === BACKSLASH) this.escape = true;
        else if (b === QUOTE) this.inString = false;
        // Most bytes of a record sit in strings: skip the plain ones in a tight loop.
        else i = skipStringBody(chunk, i + 1) - 1;
        continue;
      }
      if (b === SPACE || b === TAB || b === CR) {
        builder.append(chunk, run, i);
        run = i + 1;
        this.pendingSpace = true;
        continue;
      }
      this.hasContent = true;
      const scalar = isScalarByte(b);
      if (scalar && this.pendingSpace && this.lastScalar) {
        builder.append(chunk, run, i);
        builder.appendSpace();
        run = i;
      }
      if (b === QUOTE) this.inString = true;
      this.lastScalar = scalar;
      this.pendingSpace = false;
    }
    builder.append(chunk, run, chunk.length);
    return chunk.length;
  }
}
