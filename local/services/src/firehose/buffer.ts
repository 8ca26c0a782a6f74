import { type FileHandle, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { syncPath } from '../durable-file';

/**
 * The append-only buffer file of one delivery stream's accepted records: what makes a record the
 * local Firehose acknowledged survive a kill -9 of every process (and, when synced, a power cut), as
 * one AWS acknowledged survives on AWS.
 *
 * One segment file holds the records of one future S3 object: a 16-byte header (magic, first
 * record's arrival time), then one frame per record: u32 length, u32 CRC-32 of the bytes, the bytes.
 * Appends are grouped: every request that arrives while a write+fsync is under way shares the next
 * one (group commit), and a request is answered only after its group is on disk. A torn or corrupt
 * tail (a write cut short by a crash, never acknowledged) ends the segment when it is read back.
 */

const MAGIC = 'FHB1';
const HEADER_BYTES = 16;
const FRAME_HEADER_BYTES = 8;

export const segmentFileName = (seq: number) => `${String(seq).padStart(16, '0')}.log`;
export const sealFileName = (seq: number) => `${String(seq).padStart(16, '0')}.key`;

export class SegmentFile {
  /** Records that are on disk (acknowledged), in the order they were appended. */
  readonly records: Buffer[] = [];
  bytes = 0;
  /** Writes (and fsyncs) so far: fewer than appends when requests arrived together (group commit). */
  commits = 0;
  private handle: FileHandle | undefined;
  /** Bytes of the file known to be good: where a failed write is cut back to. */
  private size = 0;
  private waiting: { records: Buffer[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    readonly file: string,
    readonly seq: number,
    readonly firstArrivalMs: number,
    private readonly sync: boolean,
  ) {}

  /** Resolves once `records` are written (and fsynced, unless sync is off); rejects if they are not. */
  append(records: Buffer[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Waits for the writes under way and closes the file; no append may follow. */
  async close(): Promise<void> {
    await this.writing;
    // Forgotten first: after a failed close (EIO) a retried seal does not close the handle again.
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      try {
        await this.write(group.flatMap((request) => request.records));
      } catch (error) {
        for (const request of group) request.reject(error);
        continue;
      }
      for (const request of group) {
        for (const record of request.records) {
          this.records.push(record);
          this.bytes += record.length;
        }
        request.resolve();
      }
    }
    this.writing = undefined;
  }

  private async write(records: Buffer[]): Promise<void> {
    this.handle ??= await open(this.file, 'w');
    // Also after a failed first write, cut back to nothing: the header goes with the first records.
    const first = this.size === 0;
    const pieces: Buffer[] = first ? [encodeHeader(this.firstArrivalMs)] : [];
    for (const record of records) pieces.push(frameHeader(record), record);
    const data = Buffer.concat(pieces);
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.handle.write(
          data,
          written,
          data.length - written,
          this.size + written,
        );
        written += bytesWritten;
      }
      if (this.sync) await this.handle.datasync();
      // A new file's name must be durable too, or a power cut could lose the whole file.
      if (this.sync && first) await syncPath(path.dirname(this.file));
      this.size += data.length;
      this.commits++;
    } catch (error) {
      // Cut the unacknowledged bytes off, so a later read never delivers records their client retries.
      await this.handle.truncate(this.size).catch(() => undefined);
      throw error;
    }
  }
}

function encodeHeader(firstArrivalMs: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeDoubleBE(firstArrivalMs, 8);
  return header;
}

function frameHeader(record: Buffer): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32BE(record.length, 0);
  header.writeUInt32BE(crc32(record), 4);
  return header;
}

/** A segment's records up to the first torn or corrupt frame; undefined for a file without a header. */
export async function readSegment(
  file: string,
): Promise<{ firstArrivalMs: number; records: Buffer[]; bytes: number } | undefined> {
  const data = await readFile(file);
  if (data.length < HEADER_BYTES || data.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const firstArrivalMs = data.readDoubleBE(8);
  const records: Buffer[] = [];
  let bytes = 0;
  let at = HEADER_BYTES;
  while (at + FRAME_HEADER_BYTES <= data.length) {
    const length = data.readUInt32BE(at);
    const end = at + FRAME_HEADER_BYTES + length;
    if (end > data.length) break;
    const record = data.subarray(at + FRAME_HEADER_BYTES, end);
    if (crc32(record) !== data.readUInt32BE(at + 4)) break;
    records.push(record);
    bytes += length;
    at = end;
  }
  return { firstArrivalMs, records, bytes };
}
