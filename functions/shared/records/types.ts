import type { RecordFormat } from '../chunk';

/** A record ready for Firehose: `payload` is its bytes ending in exactly one `\n`. */
export interface GoodRecord {
  kind: 'record';
  index: number;
  offset: number;
  line: number;
  payload: Buffer;
}

/** A record that cannot be sent; `reason` names the problem, offset and line. */
export interface RejectedRecord {
  kind: 'reject';
  index: number;
  offset: number;
  line: number;
  reason: string;
  excerpt: string;
}

export type ReadItem = GoodRecord | RejectedRecord;

export interface ReadOptions {
  format: RecordFormat;
  /** File byte offset at which the given stream begins (default 0). */
  start?: number;
  /** Only records that START before this file offset are emitted (default: to the end of the stream). */
  end?: number;
  /** Index of the first record in the stream (default 0). */
  firstIndex?: number;
  /** 1-based line of `start` (default 1). */
  firstLine?: number;
  /** Largest accepted payload, its `\n` included (default MAX_RECORD_BYTES). */
  maxRecordBytes?: number;
  /**
   * Check each record's UTF-8 and JSON (default true). False only for bytes already validated, e.g. a
   * chunk of a source in which Plan found no reject: boundaries, compaction and the size limit still
   * apply, only the decode and JSON.parse (the costliest part of a re-read) are skipped.
   */
  validate?: boolean;
  /**
   * Take the fast path for records already in compact form (default true): same items, less CPU.
   * False only to compare it with the byte-by-byte scan, which then handles every record.
   */
  compactFastPath?: boolean;
}

/**
 * `index` and `line` of items read by `readRange` after a resync in the middle of a jsonl or lines
 * file: what precedes the range was never read, so they cannot be known. `offset` is always exact.
 */
export const UNKNOWN = -1;
