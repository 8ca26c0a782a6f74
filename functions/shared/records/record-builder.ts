import { CR, LF, SPACE } from './bytes';

/** How much of a record a reject quotes: enough to find it, never the whole (possibly huge) record. */
export const EXCERPT_BYTES = 120;

const SPACE_BYTE = Uint8Array.of(SPACE);
const MIN_GROWTH = 4096;

export type Built = { payload: Buffer } | { tooLarge: number; head: Buffer };

/**
 * Collects the bytes of one record while a scanner walks the stream, holding at most `keepLimit`
 * bytes: once a record grows past it, its bytes are dropped (only the first EXCERPT_BYTES stay for
 * the reject) and only its size is counted, so a 10 MB line costs a few KB, not 10 MB.
 *
 * Bytes of the current stream chunk are held as views (no copy for a record that sits inside one
 * chunk); `settle()` copies them into an owned buffer before the scanner lets go of the chunk, so
 * a record never pins stream chunks.
 */
export class RecordBuilder {
  private owned: Buffer = Buffer.alloc(0);
  private ownedLength = 0;
  private views: Uint8Array[] = [];
  private head: Buffer | undefined;
  private discard = false;
  /** Bytes appended so far, counted even after they stop being kept. */
  size = 0;
  private lastByte = -1;

  constructor(private readonly keepLimit: number) {}

  /** Starts a record; with `discard` only its size is counted (a record the caller won't emit). */
  begin(discard: boolean): void {
    this.ownedLength = 0;
    this.views = [];
    this.head = undefined;
    this.discard = discard;
    this.size = 0;
    this.lastByte = -1;
  }

  append(bytes: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    this.size += to - from;
    this.lastByte = bytes[to - 1];
    if (this.discard || this.head) return;
    this.views.push(bytes.subarray(from, to));
    if (this.size > this.keepLimit) this.dropBytes();
  }

  /** Keeps one space where dropping whitespace would glue two tokens (`1 2` must not become `12`). */
  appendSpace(): void {
    this.append(SPACE_BYTE, 0, 1);
  }

  /** Copies the views of the current stream chunk into owned memory. */
  settle(): void {
    if (this.views.length === 0) return;
    const needed = this.size;
    if (needed > this.owned.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.owned.length * 2, MIN_GROWTH));
      this.owned.copy(grown, 0, 0, this.ownedLength);
      this.owned = grown;
    }
    for (const view of this.views) {
      this.owned.set(view, this.ownedLength);
      this.ownedLength += view.length;
    }
    this.views = [];
  }

  /** The payload (content + one `\n`), or the size if it exceeds `maxPayload`. */
  build(maxPayload: number, stripTrailingCr: boolean): Built {
    const contentLength = stripTrailingCr && this.lastByte === CR ? this.size - 1 : this.size;
    if (this.head || contentLength + 1 > maxPayload) {
      return { tooLarge: contentLength + 1, head: this.head ?? this.copyPrefix(EXCERPT_BYTES) };
    }
    const payload = this.copyPrefix(contentLength, 1);
    payload[contentLength] = LF;
    return { payload };
  }

  /** The first bytes of the record (for an excerpt), or nothing if it is being discarded. */
  prefix(): Buffer {
    return this.head ?? this.copyPrefix(Math.min(this.size, EXCERPT_BYTES));
  }

  private dropBytes(): void {
    this.head = this.copyPrefix(EXCERPT_BYTES);
    this.views = [];
    this.ownedLength = 0;
  }

  /** A new buffer with the first `length` held bytes, plus `extra` spare bytes at the end. */
  private copyPrefix(length: number, extra = 0): Buffer {
    const held = Math.min(length, this.ownedLength + this.views.reduce((sum, v) => sum + v.length, 0));
    const out = Buffer.allocUnsafe(held + extra);
    let at = this.owned.copy(out, 0, 0, Math.min(held, this.ownedLength));
    for (const view of this.views) {
      if (at >= held) break;
      const take = Math.min(view.length, held - at);
      out.set(take === view.length ? view : view.subarray(0, take), at);
      at += take;
    }
    return out;
  }
}
