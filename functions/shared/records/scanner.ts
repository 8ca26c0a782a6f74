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

  protected lineText(line: number): string {
    return this.options.positionKnown ? `line ${line}` : 'line unknown';
  }
}

/** A Buffer view of the same memory (no copy), for Buffer#copy in the builder. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
