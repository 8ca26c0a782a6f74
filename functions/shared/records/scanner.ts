import { isUtf8 } from 'node:buffer';
import type { RecordFormat } from '../chunk';
import { startsWithBom, UTF8_BOM } from './bytes';
import { makeItem, type Position } from './items';
import { RecordBuilder } from './record-builder';
import { type ReadItem, UNKNOWN } from './types';

export interface ScannerOptions {
  format: RecordFormat;
  /** File offset of the first byte the scanner will see. */
  start: number;
  /** Records starting at or after this offset end the scan. */
  end: number;
  /** Records starting before this offset are counted but neither built nor emitted. */
  emitFrom: number;
  firstIndex: number;
  firstLine: number;
  /** False after a resync: index and line are reported as UNKNOWN. */
  positionKnown: boolean;
  maxRecordBytes: number;
  /** Decode and parse each record (see ReadOptions.validate). */
  validate: boolean;
  /** See ReadOptions.compactFastPath. */
  compactFastPath: boolean;
  /** The stream starts at the beginning of the file: skip a UTF-8 BOM, expect the opening `[`. */
  atFileStart: boolean;
}

/**
 * The part every format shares: file offset and line bookkeeping, the BOM at file start, and
 * turning a finished record into an item. Subclasses find record boundaries in `scan`.
 */
export abstract class Scanner {
  /** Set once a record starting at or after `end` is seen: the caller can stop reading. */
  done = false;
  /** File offset of the next byte to scan. */
  protected pos: number;
  protected line: number;
  private nextIndex: number;
  protected readonly builder: RecordBuilder;
  private bomHead: Buffer | undefined;
  /** The chunk being scanned is valid UTF-8 in [utf8From, utf8To) (see isUtf8Span). */
  private utf8Checked = false;
  private utf8From = 0;
  private utf8To = 0;

  constructor(protected readonly options: ScannerOptions) {
    this.pos = options.start;
    this.line = options.firstLine;
    this.nextIndex = options.firstIndex;
    // Room for the largest payload's content plus the CR of a CRLF that `lines` strips at the end.
    this.builder = new RecordBuilder(options.maxRecordBytes);
    this.bomHead = options.atFileStart ? Buffer.alloc(0) : undefined;
  }

  write(bytes: Uint8Array, out: ReadItem[]): void {
    const chunk = asBuffer(bytes);
    if (this.bomHead) {
      // A BOM can be split over chunks (1-byte chunks in tests), so wait for three bytes first.
      const head = this.bomHead.length === 0 ? chunk : Buffer.concat([this.bomHead, chunk]);
      if (head.length < UTF8_BOM.length) {
        this.bomHead = head;
        return;
      }
      this.bomHead = undefined;
      this.feed(this.skipBom(head), out);
      return;
    }
    this.feed(chunk, out);
  }

  end(out: ReadItem[]): void {
    if (this.bomHead) {
      const head = this.bomHead;
      this.bomHead = undefined;
      this.feed(head, out);
    }
    if (!this.done) this.finish(out);
  }

  private feed(chunk: Buffer, out: ReadItem[]): void {
    if (this.done || chunk.length === 0) return;
    this.utf8Checked = false;
    this.scan(chunk, out);
    this.pos += chunk.length;
  }

  private skipBom(head: Buffer): Buffer {
    if (!startsWithBom(head)) return head;
    this.pos += UTF8_BOM.length;
    return head.subarray(UTF8_BOM.length);
  }

  /** Scans one chunk whose first byte is at file offset `this.pos`; must not change `pos`. */
  protected abstract scan(chunk: Buffer, out: ReadItem[]): void;
  /** The stream ended. */
  protected abstract finish(out: ReadItem[]): void;

  /** Claims the next index for an item at `offset`: skipped items count too, so indexes stay exact. */
  protected claim(offset: number, line: number): Position {
    const known = this.options.positionKnown;
    const at = { index: known ? this.nextIndex : UNKNOWN, offset, line: known ? line : UNKNOWN };
    this.nextIndex++;
    return at;
  }

  protected emits(offset: number): boolean {
    return offset >= this.options.emitFrom;
  }

  /** Ends the record collected in the builder. */
  protected endRecord(offset: number, line: number, out: ReadItem[]): void {
    const at = this.claim(offset, line);
    if (this.emits(offset))
      out.push(
        makeItem(this.builder, at, this.options.format, this.options.maxRecordBytes, this.options.validate),
      );
  }

  /**
   * Emits a record the scanner already knows to be valid, compact and within the size limit, with
   * the same fields makeItem gives it. Only for records that `emits`.
   */
  protected emitRecord(offset: number, line: number, payload: Buffer, out: ReadItem[]): void {
    const at = this.claim(offset, line);
    out.push({ kind: 'record', index: at.index, offset: at.offset, line: at.line, payload });
  }

  /**
   * Whether `chunk[from, to)` is valid UTF-8, as the strict decoder of makeItem would find it. The
   * first call for a chunk checks the rest of it with one native call (a record then costs nothing
   * more), up to a character the chunk's end may cut; if that fails, each span is checked on its own.
   * Spans must come in order within a chunk, and each must begin at an ASCII byte, after one, or at
   * the first span's start, and end before an ASCII byte: valid UTF-8 never has an ASCII byte inside a
   * character, so such a span of a valid region is itself valid.
   */
  protected isUtf8Span(chunk: Buffer, from: number, to: number): boolean {
    if (!this.utf8Checked) {
      this.utf8Checked = true;
      const end = Math.max(from, uncutEnd(chunk));
      this.utf8From = from;
      this.utf8To = isUtf8(chunk.subarray(from, end)) ? end : from;
    }
    if (from >= this.utf8From && to <= this.utf8To) return true;
    return isUtf8(chunk.subarray(from, to));
  }

  protected lineText(line: number): string {
    return this.options.positionKnown ? `line ${line}` : 'line unknown';
  }
}

const CONTINUATION_MASK = 0xc0;
const CONTINUATION = 0x80;
const MAX_CONTINUATIONS = 3;

/** The chunk's length, less a last multi-byte character that may continue in the next chunk. */
function uncutEnd(chunk: Buffer): number {
  let end = chunk.length;
  for (let k = 0; k < MAX_CONTINUATIONS && end > 0; k++) {
    if ((chunk[end - 1] & CONTINUATION_MASK) !== CONTINUATION) break;
    end--;
  }
  // The lead byte of that character (or a lone one at the very end).
  if (end > 0 && chunk[end - 1] >= CONTINUATION_MASK) end--;
  return end;
}

/** A Buffer view of the same memory (no copy), for Buffer#copy in the builder. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
