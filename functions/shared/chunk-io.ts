import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ChunkDescriptor, RecordFormat } from './chunk';
import { SourceChangedError } from './errors';
import { splitCompactLines } from './records/compact-lines';
import { readRecordBatches } from './records/reader';
import { streamObjectRange } from './s3-io';

const isPreconditionFailure = (error: unknown) =>
  error instanceof Error && (error.name === 'PreconditionFailed' || error.name === '412');

export interface ReadChunkOptions {
  /**
   * Re-check each record's UTF-8 and JSON (default true). Plan already checked every record of the
   * source under the same ETag; when it found no reject at all, checking again only costs CPU.
   */
  validate?: boolean;
}

/**
 * Reads a chunk's record payloads back with one ranged GET (If-Match the planned ETag). Rejects inside
 * the range were counted by Plan and are skipped here; any other difference means the source changed.
 */
export async function readChunkPayloads(
  s3: S3Client,
  chunk: ChunkDescriptor,
  options: ReadChunkOptions = {},
): Promise<Buffer[]> {
  let body: AsyncIterable<Uint8Array>;
  try {
    body = await streamObjectRange(s3, chunk, { start: chunk.start, end: chunk.end, etag: chunk.etag });
  } catch (error) {
    if (isPreconditionFailure(error)) {
      throw new SourceChangedError(
        `s3://${chunk.bucket}/${chunk.key} changed after it was planned (ETag is no longer ${chunk.etag}); start a new run`,
        { cause: error },
      );
    }
    throw error;
  }
  const validate = options.validate ?? true;
  const payloads = isCompact(chunk, validate)
    ? await compactPayloads(body, chunk)
    : await scannedPayloads(body, chunk, validate);
  if (payloads.length !== chunk.records) {
    throw new SourceChangedError(
      `chunk ${chunk.chunkId} of s3://${chunk.bucket}/${chunk.key} bytes ${chunk.start}-${chunk.end} holds ${payloads.length} records, the plan counted ${chunk.records}`,
    );
  }
  return payloads;
}

/**
 * As many bytes as payload bytes: nothing was dropped, so the lines are the payloads (see
 * splitCompactLines). Only with validate off, i.e. the plan checked every record of this ETag and
 * found all of them valid JSON, which rules out the one same-size rewrite the minifier makes.
 */
const isCompact = (chunk: ChunkDescriptor, validate: boolean) =>
  !validate && chunk.format !== RecordFormat.json && chunk.payloadBytes === chunk.end - chunk.start;

async function compactPayloads(body: AsyncIterable<Uint8Array>, chunk: ChunkDescriptor): Promise<Buffer[]> {
  const pieces: Uint8Array[] = [];
  for await (const piece of body) pieces.push(piece);
  const bytes = Buffer.concat(pieces);
  return splitCompactLines(bytes) ?? scannedPayloads(Readable.from([bytes]), chunk, false);
}

async function scannedPayloads(
  body: AsyncIterable<Uint8Array>,
  chunk: ChunkDescriptor,
  validate: boolean,
): Promise<Buffer[]> {
  const payloads: Buffer[] = [];
  // Batches: one await per stream piece, not per record.
  for await (const batch of readRecordBatches(body, {
    format: chunk.format,
    start: chunk.start,
    end: chunk.end,
    firstIndex: chunk.firstRecord,
    firstLine: chunk.firstLine,
    validate,
  })) {
    for (const item of batch) if (item.kind === 'record') payloads.push(item.payload);
  }
  return payloads;
}
