import type { S3Client } from '@aws-sdk/client-s3';
import type { ChunkDescriptor } from './chunk';
import { SourceChangedError } from './errors';
import { readRecords } from './records/reader';
import { readRange } from './s3-io';

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
    body = await readRange(s3, chunk, { start: chunk.start, end: chunk.end, etag: chunk.etag });
  } catch (error) {
    if (isPreconditionFailure(error)) {
      throw new SourceChangedError(
        `s3://${chunk.bucket}/${chunk.key} changed after it was planned (ETag is no longer ${chunk.etag}); start a new run`,
        { cause: error },
      );
    }
    throw error;
  }
  const payloads: Buffer[] = [];
  for await (const item of readRecords(body, {
    format: chunk.format,
    start: chunk.start,
    end: chunk.end,
    firstIndex: chunk.firstRecord,
    firstLine: chunk.firstLine,
    validate: options.validate ?? true,
  })) {
    if (item.kind === 'record') payloads.push(item.payload);
  }
  if (payloads.length !== chunk.records) {
    throw new SourceChangedError(
      `chunk ${chunk.chunkId} of s3://${chunk.bucket}/${chunk.key} bytes ${chunk.start}-${chunk.end} holds ${payloads.length} records, the plan counted ${chunk.records}`,
    );
  }
  return payloads;
}
