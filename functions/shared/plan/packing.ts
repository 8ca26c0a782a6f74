import { MAX_RECORD_BYTES } from '../limits';

/** One packed Firehose record: `records` consecutive input records, `bytes` long. */
export interface PackedGroup {
  records: number;
  bytes: number;
}

/**
 * The packing rule, on sizes only: consecutive records join one Firehose record while it stays
 * within `limit` bytes; a record that would overflow starts the next one. A record larger than the
 * limit on its own (possible only with a lowered limit) stays alone. The planner and RecordPacker
 * both use this class, so PutBatch rebuilds exactly the Firehose records the planner counted.
 */
export class PackBoundaries {
  private open: PackedGroup = { records: 0, bytes: 0 };

  constructor(readonly limit: number = MAX_RECORD_BYTES) {}

  /** Adds a record; returns the group it closed when it had to start a new one. */
  add(bytes: number): PackedGroup | undefined {
    const closed = this.open.records > 0 && this.open.bytes + bytes > this.limit ? this.open : undefined;
    if (closed) this.open = { records: 0, bytes: 0 };
    this.open.records += 1;
    this.open.bytes += bytes;
    return closed;
  }

  /** Closes the last group, if any. */
  finish(): PackedGroup | undefined {
    const last = this.open.records > 0 ? this.open : undefined;
    this.open = { records: 0, bytes: 0 };
    return last;
  }
}

/**
 * Joins record payloads (each already ending in `\n`, so the S3 output stays JSON Lines) into
 * Firehose records. Packing restarts at every chunk: the planner only ends chunks between packed
 * records, so a fresh packer over a chunk's payloads gives the planner's grouping.
 */
export class RecordPacker {
  private readonly boundaries: PackBoundaries;
  private pending: Buffer[] = [];

  constructor(limit: number = MAX_RECORD_BYTES) {
    this.boundaries = new PackBoundaries(limit);
  }

  /** Adds a payload; returns the Firehose record it closed, if any (zero or one). */
  add(payload: Buffer): Buffer[] {
    const closed = this.boundaries.add(payload.length) ? [this.take()] : [];
    this.pending.push(payload);
    return closed;
  }

  /** The last Firehose record, if any payload is pending. */
  finish(): Buffer[] {
    this.boundaries.finish();
    return this.pending.length > 0 ? [this.take()] : [];
  }

  private take(): Buffer {
    const joined = Buffer.concat(this.pending);
    this.pending = [];
    return joined;
  }
}
