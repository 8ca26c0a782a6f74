import type { S3Client } from '@aws-sdk/client-s3';
import type { ChunkDescriptor } from '../shared/chunk';
import { type ReadChunkOptions, readChunkPayloads } from '../shared/chunk-io';
import { RecordPacker } from '../shared/plan/packing';

/** The Firehose records of a chunk: one per input record, or packed exactly as the planner packed them. */
export async function readChunkRecords(
  s3: S3Client,
  chunk: ChunkDescriptor,
  options: ReadChunkOptions = {},
): Promise<Buffer[]> {
  const payloads = await readChunkPayloads(s3, chunk, options);
  if (!chunk.pack) return payloads;
  const packer = new RecordPacker();
  const packed = payloads.flatMap((payload) => packer.add(payload));
  return [...packed, ...packer.finish()];
}
