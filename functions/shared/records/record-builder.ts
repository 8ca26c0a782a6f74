import { CR, LF, SPACE } from './bytes';

/** How much of a record a reject quotes: enough to find it, never the whole (possibly huge) record. */
export const EXCERPT_BYTES = 120;

const SPACE_BYTE = Buffer.of(SPACE);
const INITIAL_CAPACITY = 64 * 1024;
// Below this a JS loop beats the native call of Buffer#copy (pretty JSON appends many short runs).
const SHORT_RUN = 16;

export type Built = { payload: Buffer } | { tooLarge: number; head: Buffer };

/**
 * Collects the bytes of one record while a scanner walks the stream, holding at most `keepLimit`
 * bytes: once a record grows past it, only its first EXCERPT_BYTES stay (for the reject) and the
 * rest is only counted, so a 10 MB line costs `keepLimit`, not 10 MB. Bytes are copied into one
 * reused buffer, so a record never pins the stream chunks it came from.
 */
export class RecordBuilder {
  private buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private held = 0;
  private over = false;
  private discard = false;
  /** Bytes appended so far, counted even after they stop being kept. */
  size = 0;
  private lastByte = -1;

  constructor(private readonly keepLimit: number) {}

  /** Starts a record; with `discard` only its size is counted (a record the caller won't emit). */
  begin(discard: boolean): void {
    this.held = 0;
    this.over = false;
    this.discard = discard;
    this.size = 0;
    this.lastByte = -1;
  }

  append(bytes: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.size += to - from;
    this.lastByte = bytes[to - 1];
    if (this.discard || this.over) return;
    if (this.size > this.keepLimit) {
      // Keep just enough for the excerpt; from now on only the size is counted.
      this.over = true;
      this.held = Math.min(this.held, EXCERPT_BYTES);
      this.copy(bytes, from, Math.min(to, from + EXCERPT_BYTES - this.held));
      return;
    }
    this.copy(bytes, from, to);
  }

  /** Keeps one space where dropping whitespace would glue two tokens (`1 2` must not become `12`). */
  appendSpace(): void {
    this.append(SPACE_BYTE, 0, 1);
  }

  /** The payload (content + one `\n`), or the size if it exceeds `maxPayload`. */
  build(maxPayload: number, stripTrailingCr: boolean): Built {
    const contentLength = stripTrailingCr && this.lastByte === CR ? this.size - 1 : this.size;
    if (this.over || contentLength + 1 > maxPayload)
      return { tooLarge: contentLength + 1, head: this.prefix() };
    const payload = Buffer.allocUnsafe(contentLength + 1);
    this.buffer.copy(payload, 0, 0, contentLength);
    payload[contentLength] = LF;
    return { payload };
  }

  /** A copy of the first bytes of the record, for an excerpt. */
  prefix(): Buffer {
    return Buffer.from(this.buffer.subarray(0, Math.min(this.held, EXCERPT_BYTES)));
  }

  private copy(bytes: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length <= 0) return;
    if (this.held + length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.held + length, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.held);
      this.buffer = grown;
    }
    if (length < SHORT_RUN) {
      for (let k = from; k < to; k++) this.buffer[this.held++] = bytes[k];
      return;
    }
    bytes.copy(this.buffer, this.held, from, to);
    this.held += length;
  }
}
