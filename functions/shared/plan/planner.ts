import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../limits';
import type { GoodRecord } from '../records/types';
import { billedBytesOf } from './billing';
import {
  CallCounter,
  type ChunkLimits,
  type FirehoseUnit,
  OpenChunk,
  type PlannedChunk,
} from './chunk-builder';
import { PackBoundaries } from './packing';
import type { PlanSettings } from './settings';

export type { PlannedChunk } from './chunk-builder';

export interface PlanTotals {
  records: number;
  firehoseRecords: number;
  chunks: number;
  batchChunks: number;
  individualChunks: number;
  payloadBytes: number;
  /** As planned: packed or not. */
  billedBytes: number;
  /** Every record billed on its own. */
  billedBytesUnpacked: number;
  /** Batch-mode records packed (individual ones are never packed), whether or not `pack` is on. */
  billedBytesPacked: number;
  /** Greedy PutRecordBatch calls with the AWS maxima over the planned batch-mode Firehose records. */
  minimumBatchCalls: number;
}

/**
 * Plans chunks in one pass over the good records, holding only the open chunk. Greedy and
 * contiguous: a chunk takes Firehose records until the next one would break maxBatchRecords or
 * maxBatchBytes (this gives the fewest chunks; the tests compare it with an exhaustive optimum).
 * A single Firehose record larger than maxBatchBytes (only with a lowered setting) gets a chunk of
 * its own. Chunk ranges tile the data: each ends where the next chunk's first record starts.
 */
export class ChunkPlanner {
  private readonly limits: ChunkLimits;
  private individualLeft: number;
  private open: OpenChunk | undefined;
  private readonly packer: PackBoundaries | undefined;
  private packFirst: GoodRecord | undefined;
  /** Always packs batch records, only to report what packing costs or saves. */
  private readonly billingPacker: PackBoundaries;
  private readonly minimumCalls = new CallCounter({
    maxRecords: MAX_BATCH_RECORDS,
    maxBytes: MAX_BATCH_BYTES,
  });
  private lastOffset = -1;
  private finished = false;
  private readonly sums: PlanTotals = {
    records: 0,
    firehoseRecords: 0,
    chunks: 0,
    batchChunks: 0,
    individualChunks: 0,
    payloadBytes: 0,
    billedBytes: 0,
    billedBytesUnpacked: 0,
    billedBytesPacked: 0,
    minimumBatchCalls: 0,
  };

  /** `packLimit` is MAX_RECORD_BYTES, as PutBatch's RecordPacker uses; tests pass small ones. */
  constructor(settings: PlanSettings, packLimit: number = MAX_RECORD_BYTES) {
    this.limits = { maxRecords: settings.maxBatchRecords, maxBytes: settings.maxBatchBytes };
    this.individualLeft = settings.individualRecords;
    this.packer = settings.pack ? new PackBoundaries(packLimit) : undefined;
    this.billingPacker = new PackBoundaries(packLimit);
  }

  /** Adds the next good record (in file order); returns the chunks it closed, usually none. */
  add(record: GoodRecord): PlannedChunk[] {
    if (this.finished) throw new Error('ChunkPlanner.add after finish');
    if (record.offset <= this.lastOffset) {
      throw new Error(`records must come in file order: offset ${record.offset} after ${this.lastOffset}`);
    }
    this.lastOffset = record.offset;
    const bytes = record.payload.length;
    this.sums.records += 1;
    this.sums.payloadBytes += bytes;
    this.sums.billedBytesUnpacked += billedBytesOf(bytes);
    const out: PlannedChunk[] = [];
    if (this.individualLeft > 0) {
      this.individualLeft -= 1;
      this.sums.billedBytesPacked += billedBytesOf(bytes);
      this.place('individual', unitOf(record, 1, bytes), out);
      return out;
    }
    this.billPacked(this.billingPacker.add(bytes)?.bytes);
    if (!this.packer) {
      this.place('batch', unitOf(record, 1, bytes), out);
      return out;
    }
    const closed = this.packer.add(bytes);
    if (closed && this.packFirst)
      this.place('batch', unitOf(this.packFirst, closed.records, closed.bytes), out);
    if (closed || !this.packFirst) this.packFirst = record;
    return out;
  }

  /** Closes the last chunk(s); the last one ends at `endOffset` (the file size, typically). */
  finish(endOffset: number): PlannedChunk[] {
    if (this.finished) return [];
    this.finished = true;
    if (endOffset <= this.lastOffset) throw new Error(`end offset ${endOffset} is not after the last record`);
    this.billPacked(this.billingPacker.finish()?.bytes);
    const out: PlannedChunk[] = [];
    const last = this.packer?.finish();
    if (last && this.packFirst) this.place('batch', unitOf(this.packFirst, last.records, last.bytes), out);
    if (this.open) out.push(this.close(this.open, endOffset));
    this.open = undefined;
    return out;
  }

  /** Complete after finish(). */
  totals(): PlanTotals {
    return { ...this.sums, minimumBatchCalls: this.minimumCalls.calls };
  }

  private place(mode: PlannedChunk['mode'], unit: FirehoseUnit, out: PlannedChunk[]): void {
    if (mode === 'batch') this.minimumCalls.add(unit.bytes);
    this.sums.firehoseRecords += 1;
    if (this.open && this.open.mode === mode && this.open.fits(unit, this.limits)) {
      this.open.add(unit);
      return;
    }
    if (this.open) out.push(this.close(this.open, unit.offset));
    this.open = new OpenChunk(mode, unit);
  }

  private close(open: OpenChunk, end: number): PlannedChunk {
    const chunk = open.close(end);
    this.sums.chunks += 1;
    if (chunk.mode === 'batch') this.sums.batchChunks += 1;
    else this.sums.individualChunks += 1;
    this.sums.billedBytes += chunk.billedBytes;
    return chunk;
  }

  private billPacked(bytes: number | undefined): void {
    if (bytes !== undefined) this.sums.billedBytesPacked += billedBytesOf(bytes);
  }
}

function unitOf(first: GoodRecord, records: number, bytes: number): FirehoseUnit {
  return { offset: first.offset, index: first.index, line: first.line, records, bytes };
}
