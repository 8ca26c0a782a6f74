import type { S3Client } from '@aws-sdk/client-s3';
import { artifactKeys, chunkId } from '../shared/artifacts';
import type { ChunkDescriptor, InputFormat, RecordFormat } from '../shared/chunk';
import type { LoggerLike } from '../shared/logger';
import { ChunkPlanner } from '../shared/plan/planner';
import { resolvePlanSettings } from '../shared/plan/settings';
import type { StreamQuota } from '../shared/quota/quota';
import { PaceSchedule } from '../shared/quota/schedule';
import { detectFormat, readRecordBatches } from '../shared/records/reader';
import type { RejectedRecord } from '../shared/records/types';
import type { PlanSummary } from '../shared/run-state';
import { type ObjectRef, S3LineWriter, streamObjectRange } from '../shared/s3-io';
import { headSource } from './head-source';

export interface PlanRequest {
  runId: string;
  source: ObjectRef;
  format: InputFormat;
  individualRecords: number;
  pack: boolean;
  maxBatchRecords: number;
  maxBatchBytes: number;
  artifactBucket: string;
  /** The stream's quota: each chunk gets its send offset in the round's schedule (quota/schedule.ts). */
  quota?: StreamQuota;
}

/** Takes the first piece of a stream to look at, and gives back a stream that still starts at byte 0. */
async function peek(
  stream: AsyncIterable<Uint8Array>,
): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? new Uint8Array() : first.value;
  async function* all() {
    if (head.length) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, all: all() };
}

type PlannedChunk = ReturnType<ChunkPlanner['add']>[number];

/** The manifest line of the `index`-th chunk of round 0. */
function describeChunk(
  chunk: PlannedChunk,
  index: number,
  source: { source: ObjectRef; etag: string; format: RecordFormat; pack: boolean },
): ChunkDescriptor {
  return {
    chunkId: chunkId(0, index),
    bucket: source.source.bucket,
    key: source.source.key,
    etag: source.etag,
    format: source.format,
    start: chunk.start,
    end: chunk.end,
    records: chunk.records,
    firehoseRecords: chunk.firehoseRecords,
    payloadBytes: chunk.payloadBytes,
    mode: chunk.mode,
    pack: source.pack && chunk.mode === 'batch',
    firstRecord: chunk.firstRecord,
    firstLine: chunk.firstLine,
  };
}

/** A reject goes to the rejects file with its excerpt, and to the log without it. */
async function writeReject(item: RejectedRecord, rejects: S3LineWriter, logger: LoggerLike): Promise<void> {
  const where = { record: item.index, offset: item.offset, line: item.line, reason: item.reason };
  await rejects.writeJson({ ...where, excerpt: item.excerpt });
  logger.warn('record rejected', where);
}

/** The planner's totals as the plan summary reports them, with the rejects and chunks written. */
function plannedTotals(
  totals: ReturnType<ChunkPlanner['totals']>,
  written: { rejected: number; chunks: number },
) {
  return {
    records: totals.records,
    rejected: written.rejected,
    chunks: written.chunks,
    batchChunks: totals.batchChunks,
    individualChunks: totals.individualChunks,
    firehoseRecords: totals.firehoseRecords,
    payloadBytes: totals.payloadBytes,
    billedBytes: totals.billedBytes,
    billedBytesUnpacked: totals.billedBytesUnpacked,
    billedBytesPacked: totals.billedBytesPacked,
    minimumBatchCalls: totals.minimumBatchCalls,
  };
}

/**
 * Streams the source object once: good records go to the planner, rejects to the rejects file, and each
 * closed chunk straight to the manifest. Memory stays bounded by the largest record, whatever the size.
 */
export async function planSource(
  s3: S3Client,
  request: PlanRequest,
  logger: LoggerLike,
): Promise<{ summary: PlanSummary; format: RecordFormat }> {
  const { maxBatchRecords, maxBatchBytes, individualRecords, pack } = request;
  const settings = resolvePlanSettings({ maxBatchRecords, maxBatchBytes, individualRecords, pack });
  const { size, etag } = await headSource(s3, request.source, request.artifactBucket);
  const { head, all } = await peek(await streamObjectRange(s3, request.source, { start: 0, etag }));
  const format = request.format === 'auto' ? detectFormat(head) : request.format;

  const manifestKey = artifactKeys.manifest(request.runId, 0);
  const rejectsKey = artifactKeys.rejects(request.runId);
  const manifest = new S3LineWriter(s3, { bucket: request.artifactBucket, key: manifestKey });
  const rejects = new S3LineWriter(s3, { bucket: request.artifactBucket, key: rejectsKey });
  const planner = new ChunkPlanner(settings);
  const schedule = request.quota ? new PaceSchedule(request.quota) : undefined;
  let chunks = 0;
  let rejected = 0;

  const object = { source: request.source, etag, format, pack: settings.pack };
  const writeChunks = async (planned: PlannedChunk[]) => {
    for (const chunk of planned) {
      const descriptor = describeChunk(chunk, chunks, object);
      chunks += 1;
      await manifest.writeJson(schedule ? schedule.place(descriptor) : descriptor);
    }
  };

  try {
    // Batches, and an await only when there is something to write: a million records must not cost
    // a million trips through the event loop.
    for await (const batch of readRecordBatches(all, { format })) {
      for (const item of batch) {
        if (item.kind === 'record') {
          const planned = planner.add(item);
          if (planned.length > 0) await writeChunks(planned);
          continue;
        }
        rejected += 1;
        await writeReject(item, rejects, logger);
      }
    }
    await writeChunks(planner.finish(size));
  } finally {
    await Promise.all([manifest.close(), rejects.close()]);
  }

  const summary: PlanSummary = {
    sourceBytes: size,
    etag,
    ...plannedTotals(planner.totals(), { rejected, chunks }),
    manifestKey,
    rejectsKey,
  };
  logger.info('source planned', { source: request.source, format, ...summary });
  return { summary, format };
}
