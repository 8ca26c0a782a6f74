import type { RecordFormat } from '../chunk';
import { MAX_RECORD_BYTES } from '../limits';
import { isJsonWhitespace, OPEN_BRACKET, startsWithBom, UTF8_BOM } from './bytes';
import { JsonArrayScanner } from './json-scanner';
import { LineScanner } from './line-scanner';
import type { Scanner, ScannerOptions } from './scanner';
import type { ReadItem, ReadOptions } from './types';

export type { GoodRecord, ReadItem, ReadOptions, RejectedRecord } from './types';
export { UNKNOWN } from './types';

/** For format `auto`: json if the first non-blank byte (after an optional BOM) is `[`, else jsonl. */
export function detectFormat(head: Uint8Array): RecordFormat {
  const from = startsWithBom(head) ? UTF8_BOM.length : 0;
  for (let i = from; i < head.length; i++) {
    if (!isJsonWhitespace(head[i])) return head[i] === OPEN_BRACKET ? 'json' : 'jsonl';
  }
  return 'jsonl';
}

/**
 * Streams the records of `stream`, which holds the file's bytes from `start` on: the whole file,
 * or an aligned range (one that starts at a record's offset, as the plan's chunks do). Memory is
 * bounded by the largest record plus one stream chunk, as long as the caller does not keep the
 * payloads: a jsonl or lines payload may be a view of the stream chunk it lies in (no copy), so a
 * kept payload keeps that chunk alive too.
 */
export async function* readRecords(
  stream: AsyncIterable<Uint8Array>,
  options: ReadOptions,
): AsyncGenerator<ReadItem> {
  for await (const batch of readRecordBatches(stream, options)) yield* batch;
}

/**
 * readRecords one batch at a time: the items found in each piece of the stream, in order, never an
 * empty batch. For callers that go through millions of records, where awaiting each one costs more
 * than the scan itself.
 */
export async function* readRecordBatches(
  stream: AsyncIterable<Uint8Array>,
  options: ReadOptions,
): AsyncGenerator<ReadItem[]> {
  const start = options.start ?? 0;
  yield* drive(
    stream,
    createScanner({
      format: options.format,
      start,
      end: options.end ?? Number.POSITIVE_INFINITY,
      emitFrom: start,
      firstIndex: options.firstIndex ?? 0,
      firstLine: options.firstLine ?? 1,
      positionKnown: true,
      maxRecordBytes: options.maxRecordBytes ?? MAX_RECORD_BYTES,
      validate: options.validate ?? true,
      compactFastPath: options.compactFastPath ?? true,
      atFileStart: start === 0,
    }),
  );
}

export interface RangeOptions {
  format: RecordFormat;
  start: number;
  end: number;
  maxRecordBytes?: number;
  /** See ReadOptions.compactFastPath. */
  compactFastPath?: boolean;
}

/**
 * Reads the records that start in [start, end) for ANY range, aligned or not, so that any split of
 * a file into consecutive ranges yields every record and every reject exactly once. `open(from)`
 * must return the file's bytes from `from` to the end of the file (the last record of a range may
 * run past `end`; reading stops once a record starts at or after `end`).
 *
 * - jsonl / lines: opens at `start - 1` and resyncs after the first `\n` (a record starts at `start`
 *   exactly when the byte before it is `\n`). What precedes the range is never read, so `index` and
 *   `line` of these items are UNKNOWN (-1); `offset` is exact. Ranges starting within the first
 *   three bytes read from 0 instead, because a BOM, not a `\n`, may precede the first record.
 * - json: resyncing is unsafe (a `,` or `[` inside a string looks like a boundary), so this reads
 *   from byte 0 and skips (scans without building) the items before `start`. It is the correctness
 *   fallback, quadratic over many ranges; the fast path is readRecords on aligned ranges.
 */
export async function* readRange(
  open: (from: number) => AsyncIterable<Uint8Array>,
  options: RangeOptions,
): AsyncGenerator<ReadItem> {
  const fromFileStart = options.format === 'json' || options.start <= UTF8_BOM.length;
  const from = fromFileStart ? 0 : options.start - 1;
  const batches = drive(
    open(from),
    createScanner({
      format: options.format,
      start: from,
      end: options.end,
      emitFrom: options.start,
      firstIndex: 0,
      firstLine: 1,
      positionKnown: fromFileStart,
      maxRecordBytes: options.maxRecordBytes ?? MAX_RECORD_BYTES,
      validate: true,
      compactFastPath: options.compactFastPath ?? true,
      atFileStart: fromFileStart,
    }),
  );
  for await (const batch of batches) yield* batch;
}

function createScanner(options: ScannerOptions): Scanner {
  if (options.format === 'json') return new JsonArrayScanner(options);
  // Only readRange opens mid-file without knowing the position; aligned reads start at a line start.
  return new LineScanner({ ...options, resync: !options.atFileStart && !options.positionKnown });
}

/** One batch per stream piece that completed any item. */
async function* drive(stream: AsyncIterable<Uint8Array>, scanner: Scanner): AsyncGenerator<ReadItem[]> {
  let out: ReadItem[] = [];
  for await (const chunk of stream) {
    scanner.write(chunk, out);
    if (out.length > 0) {
      yield out;
      out = [];
    }
    // Returning ends the for-await, which closes the stream (an S3 body is destroyed, not drained).
    if (scanner.done) return;
  }
  scanner.end(out);
  if (out.length > 0) yield out;
}
