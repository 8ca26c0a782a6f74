import type { ChunkMode } from '../chunk';
import { billedBytesOf } from './billing';

/** One Firehose record to place: an input record, or a packed run of them starting at `offset`. */
export interface FirehoseUnit {
  offset: number;
  index: number;
  line: number;
  records: number;
  bytes: number;
}

export interface PlannedChunk {
  mode: ChunkMode;
  start: number;
  end: number;
  records: number;
  firehoseRecords: number;
  payloadBytes: number;
  billedBytes: number;
  firstRecord: number;
  firstLine: number;
}

export interface ChunkLimits {
  maxRecords: number;
  maxBytes: number;
}

/** The chunk being filled. Greedy: a unit joins it unless that would break a limit. */
export class OpenChunk {
  private readonly chunk: PlannedChunk;

  constructor(mode: ChunkMode, first: FirehoseUnit) {
    this.chunk = {
      mode,
      start: first.offset,
      end: first.offset,
      records: first.records,
      firehoseRecords: 1,
      payloadBytes: first.bytes,
      billedBytes: billedBytesOf(first.bytes),
      firstRecord: first.index,
      firstLine: first.line,
    };
  }

  get mode(): ChunkMode {
    return this.chunk.mode;
  }

  fits(unit: FirehoseUnit, limits: ChunkLimits): boolean {
    return (
      this.chunk.firehoseRecords + 1 <= limits.maxRecords &&
      this.chunk.payloadBytes + unit.bytes <= limits.maxBytes
    );
  }

  add(unit: FirehoseUnit): void {
    this.chunk.records += unit.records;
    this.chunk.firehoseRecords += 1;
    this.chunk.payloadBytes += unit.bytes;
    this.chunk.billedBytes += billedBytesOf(unit.bytes);
  }

  /** The range ends where the next chunk's first record starts (or at the end of the data). */
  close(end: number): PlannedChunk {
    return { ...this.chunk, end };
  }
}

/** Counts greedy calls over a sequence of Firehose record sizes. */
export class CallCounter {
  calls = 0;
  private records = 0;
  private bytes = 0;

  constructor(private readonly limits: ChunkLimits) {}

  add(bytes: number): void {
    if (
      this.records === 0 ||
      this.records + 1 > this.limits.maxRecords ||
      this.bytes + bytes > this.limits.maxBytes
    ) {
      this.calls += 1;
      this.records = 0;
      this.bytes = 0;
    }
    this.records += 1;
    this.bytes += bytes;
  }
}
