import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConfigError } from '../errors';
import { generateRecords } from './generate';
import { DEFAULT_MOCK_RECORD_COUNT, DEFAULT_MOCK_SEED } from './record';

export const MockFormat = { json: 'json', jsonl: 'jsonl' } as const;
export type MockFormat = (typeof MockFormat)[keyof typeof MockFormat];

export interface WriteMockOptions {
  count?: number;
  seed?: number;
  format: MockFormat;
}

// Records are joined into pieces of about this size: one write per record would cost more in
// stream overhead than generating it, and a bounded piece keeps memory constant.
const PIECE_BYTES = 64 * 1024;

/**
 * Writes `count` records as a JSON array (one record per line, like the scenario's
 * sample_records.json) or as JSON Lines. The pipeline waits whenever the destination is full, so
 * memory stays constant for any count. A path is created (or truncated) and closed; a stream passed
 * in is left open, so a caller can keep writing to it (e.g. stdout).
 */
export async function writeMockData(
  out: NodeJS.WritableStream | string,
  options: WriteMockOptions,
): Promise<{ records: number; bytes: number }> {
  const { count = DEFAULT_MOCK_RECORD_COUNT, seed = DEFAULT_MOCK_SEED, format } = options;
  if (format !== MockFormat.json && format !== MockFormat.jsonl) {
    throw new ConfigError(`Invalid mock data format: expected json or jsonl, got ${String(format)}`);
  }
  const totals = { records: 0, bytes: 0 };
  const source = Readable.from(pieces(generateRecords(count, seed), format, totals), { objectMode: false });
  if (typeof out === 'string') {
    await pipeline(source, createWriteStream(out));
  } else {
    await pipeline(source, out, { end: false });
  }
  return totals;
}

function* pieces(
  records: Iterable<object>,
  format: MockFormat,
  totals: { records: number; bytes: number },
): Generator<string> {
  const json = format === MockFormat.json;
  let piece = json ? '[' : '';
  for (const record of records) {
    const text = JSON.stringify(record);
    piece += json ? `${totals.records === 0 ? '\n' : ',\n'}${text}` : `${text}\n`;
    totals.records += 1;
    if (piece.length >= PIECE_BYTES) {
      totals.bytes += Buffer.byteLength(piece);
      yield piece;
      piece = '';
    }
  }
  if (json) piece += totals.records === 0 ? ']\n' : '\n]\n';
  if (piece) {
    totals.bytes += Buffer.byteLength(piece);
    yield piece;
  }
}
