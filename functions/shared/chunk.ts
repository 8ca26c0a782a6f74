/** The data contracts between Plan, PutBatch, AdvanceRound and the runner. Only small descriptors travel. */

export const RecordFormat = { json: 'json', jsonl: 'jsonl', lines: 'lines' } as const;
export type RecordFormat = (typeof RecordFormat)[keyof typeof RecordFormat];
/** The format an input may be given in: a record format, or `auto` (Plan tells from the content). */
export const InputFormat = { auto: 'auto', ...RecordFormat } as const;
export type InputFormat = (typeof InputFormat)[keyof typeof InputFormat];

export const ChunkMode = { batch: 'batch', individual: 'individual' } as const;
export type ChunkMode = (typeof ChunkMode)[keyof typeof ChunkMode];

/**
 * A chunk is one PutRecordBatch (mode `batch`) or a run of PutRecord calls (mode `individual`):
 * the records that start inside bytes [start, end) of an S3 object.
 */
export interface ChunkDescriptor {
  /** Unique within a run and round, used to name outcome and re-queue objects (e.g. `r0-c000042`). */
  chunkId: string;
  bucket: string;
  key: string;
  /** The ETag the object had when planned; a ranged GET sends it as If-Match. */
  etag?: string;
  format: RecordFormat;
  start: number;
  end: number;
  /** Good input records in the range (rejects inside the range are not counted and are skipped). */
  records: number;
  /** Firehose records these become: equal to `records` unless `pack`. */
  firehoseRecords: number;
  /** Sum of record payload bytes, each payload ending in one `\n`. */
  payloadBytes: number;
  mode: ChunkMode;
  pack: boolean;
  /** 0-based index of the first record in its source and its 1-based line, for messages. */
  firstRecord: number;
  firstLine: number;
  /**
   * When the chunk may be sent, in milliseconds after its Map starts, at the full stream quota (see
   * quota/schedule.ts); absent in manifests written before pacing followed chunk sizes.
   */
  paceOffsetMs?: number;
}
