import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { unlinkIfThere, writeFileDurably } from '../durable-file';
import type { S3Store } from '../s3/store';
import { readSegment, SegmentFile, sealFileName, segmentFileName } from './buffer';
import { objectKey } from './object-key';

export { objectKey, uuidV7 } from './object-key';

/**
 * Buffers one delivery stream's accepted records and writes them to the destination bucket as
 * Firehose does: when the buffer reaches SizeInMBs or IntervalInSeconds after its first record,
 * as one object of the record bytes concatenated exactly as received, named
 * <Prefix>YYYY/MM/DD/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid> (UTC, first record's arrival).
 * Deliveries of one stream are written one at a time, in order, and the UUID is a time-ordered v7
 * UUID, so sorting a stream's object keys gives the order records were accepted in.
 *
 * Accepted records are on disk before they are acknowledged (firehose-buffer.ts), one segment file
 * per future object. Delivering a segment: (1) seal it: its object key goes durably into <seq>.key;
 * (2) write the object (temp file, fsync, rename, metadata); (3) delete the segment and its key.
 * Start-up replays what a crash left: a segment without a key is sealed and delivered; a sealed one
 * whose object exists was delivered (deleted, not delivered again); otherwise it is delivered under
 * its sealed key, which replaces a half-written object. So a kill at any point neither loses nor
 * duplicates a record.
 */

export interface DeliveryTarget {
  streamName: string;
  versionId: string;
  bucket: string;
  prefix: string;
  sizeBytes: number;
  intervalMs: number;
  gzip: boolean;
}

export interface DeliveryReport {
  records: number;
  bytes: number;
  oldestArrivalMs: number;
}

/** Tests only: where a services child process kills itself with SIGKILL, to prove replay exact. */
export const CrashPoint = { afterSeal: 'after-seal', afterObject: 'after-object' } as const;
export type CrashPoint = (typeof CrashPoint)[keyof typeof CrashPoint];

export interface BufferSettings {
  /** This stream's segment files. */
  dir: string;
  /** fsync appends and seals (default). False: written, not synced (survives kill -9, not a power cut). */
  sync: boolean;
  crashAt?: CrashPoint;
}

interface Sealed {
  seq: number;
  key: string;
  records: Buffer[];
  bytes: number;
  firstArrivalMs: number;
}

// After a failed write (disk full, bucket directory removed by hand) the segment is kept and retried.
const RETRY_DELAY_MS = 1000;

export class StreamDelivery {
  private current: SegmentFile | undefined;
  private currentBytes = 0;
  private nextSeq = 0;
  /** Closed segments not yet sealed (a seal failed: disk full), oldest first; all newer than `queue`. */
  private readonly unsealed: SegmentFile[] = [];
  private readonly queue: Sealed[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: DeliveryTarget,
    private readonly store: S3Store,
    private readonly onDelivered: (report: DeliveryReport) => void,
    private readonly buffer: BufferSettings,
  ) {}

  /** Replays the segments a previous process left and delivers them before it resolves. */
  async init(): Promise<{ replayed: number; alreadyDelivered: number }> {
    await mkdir(this.buffer.dir, { recursive: true });
    const names = await readdir(this.buffer.dir);
    for (const name of names.filter((n) => n.endsWith('.tmp'))) await unlinkIfThere(this.file(name));
    const seqs = [...new Set(names.map((n) => /^(\d{16})\.(log|key)$/.exec(n)?.[1]).filter(Boolean))]
      .map(Number)
      .sort((a, b) => a - b);
    let replayed = 0;
    let alreadyDelivered = 0;
    for (const seq of seqs) {
      this.nextSeq = seq + 1;
      const sealed = await this.recover(seq);
      if (sealed === 'delivered') alreadyDelivered++;
      else if (sealed) {
        this.queue.push(sealed);
        replayed += sealed.records.length;
      }
    }
    // Delivered before the services answer anything: a run that lists the destination first does not
    // take these (a killed run's records) for its own. A failure (disk full) is retried in the background.
    if (this.queue.length > 0) await this.deliver().catch(() => undefined);
    return { replayed, alreadyDelivered };
  }

  /** Resolves when `records` are on disk: only then may the request that brought them be answered. */
  append(records: Buffer[], nowMs: number): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (!this.current) {
      const seq = this.nextSeq++;
      this.current = new SegmentFile(this.file(segmentFileName(seq)), seq, nowMs, this.buffer.sync);
      this.timer = setTimeout(() => void this.deliver().catch(() => undefined), this.target.intervalMs);
      this.timer.unref();
    }
    const written = this.current.append(records);
    for (const record of records) this.currentBytes += record.length;
    if (this.currentBytes >= this.target.sizeBytes) void this.deliver().catch(() => undefined);
    return written;
  }

  /** Writes whatever is buffered now; resolves when it and every earlier delivery are in S3. */
  deliver(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current) this.unsealed.push(this.current);
    this.current = undefined;
    this.currentBytes = 0;
    return this.deliverBacklog();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** The stream is deleted (after a deliver()): its buffer files go with it. */
  async remove(): Promise<void> {
    this.stop();
    await this.chain;
    this.stop(); // a delivery that failed while we waited armed a retry: the stream is gone
    await rm(this.buffer.dir, { recursive: true, force: true });
  }

  /**
   * Seals the closed segments and delivers every sealed one, oldest first. On a failure (disk full, EIO)
   * what is left stays queued and a retry is armed, so acknowledged records are delivered without a
   * restart and never behind a later segment.
   */
  private deliverBacklog(): Promise<void> {
    const run = this.chain.then(async () => {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      try {
        await this.sealUnsealed();
        await this.drain();
      } catch (error) {
        this.retryTimer = setTimeout(() => void this.deliverBacklog().catch(() => undefined), RETRY_DELAY_MS);
        this.retryTimer.unref();
        throw error;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Seals in sequence order and stops at the first failure: a later segment never overtakes it. */
  private async sealUnsealed(): Promise<void> {
    while (this.unsealed.length > 0) {
      try {
        await this.seal(this.unsealed[0]);
      } catch (error) {
        // The segments sealed before this one are all older: deliver them, then report the failure.
        await this.drain();
        throw error;
      }
      this.unsealed.shift();
    }
  }

  private async seal(segment: SegmentFile): Promise<void> {
    await segment.close();
    if (segment.records.length === 0) {
      await unlinkIfThere(segment.file);
      return;
    }
    const key = objectKey(this.target, new Date(segment.firstArrivalMs));
    const { seq, records, bytes, firstArrivalMs } = segment;
    await writeFileDurably(this.file(sealFileName(seq)), JSON.stringify({ key }), this.buffer.sync);
    this.queue.push({ seq, key, records, bytes, firstArrivalMs });
  }

  /** Delivers the sealed segments in order; on a failure keeps the rest (for the retry) and throws. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const sealed = this.queue[0];
      await this.writeObject(sealed);
      this.queue.shift();
      this.onDelivered({
        records: sealed.records.length,
        bytes: sealed.bytes,
        oldestArrivalMs: sealed.firstArrivalMs,
      });
      await unlinkIfThere(this.file(segmentFileName(sealed.seq)));
      await unlinkIfThere(this.file(sealFileName(sealed.seq)));
    }
  }

  private async writeObject(sealed: Sealed): Promise<void> {
    this.crashIf(CrashPoint.afterSeal);
    const body = this.target.gzip ? [gzipSync(Buffer.concat(sealed.records))] : sealed.records;
    if (!this.store.hasBucket(this.target.bucket)) {
      // Firehose would retry into a missing bucket for up to 24 hours; locally the bucket is created
      // so that nothing accepted is lost.
      await this.store.createBucket(this.target.bucket);
    }
    await this.store.putBuffers(this.target.bucket, sealed.key, body, 'application/octet-stream', {
      sync: this.buffer.sync,
    });
    this.crashIf(CrashPoint.afterObject);
  }

  /** What a crash left of segment `seq`: to deliver, already delivered, or nothing. */
  private async recover(seq: number): Promise<Sealed | 'delivered' | undefined> {
    const log = this.file(segmentFileName(seq));
    const keyFile = this.file(sealFileName(seq));
    const segment = await readSegment(log).catch(() => undefined);
    const sealedKey = await readFile(keyFile, 'utf8').then(
      (text) => (JSON.parse(text) as { key: string }).key,
      () => undefined,
    );
    if (segment && sealedKey !== undefined && (await this.isDelivered(sealedKey))) {
      await unlinkIfThere(log);
      await unlinkIfThere(keyFile);
      return 'delivered';
    }
    if (!segment || segment.records.length === 0) {
      // No records: a segment created but never written, or a key whose segment was already removed.
      await unlinkIfThere(log);
      await unlinkIfThere(keyFile);
      return undefined;
    }
    const key = sealedKey ?? objectKey(this.target, new Date(segment.firstArrivalMs));
    if (sealedKey === undefined) await writeFileDurably(keyFile, JSON.stringify({ key }), this.buffer.sync);
    return { seq, key, ...segment };
  }

  /** The object is in the store with all its bytes (a crash cannot leave it half there, but check). */
  private async isDelivered(key: string): Promise<boolean> {
    const meta = this.store.getObject(this.target.bucket, key);
    if (!meta) return false;
    const size = await stat(path.join(this.store.dataDir, meta.dataPath)).then(
      (s) => s.size,
      () => -1,
    );
    return size === meta.size;
  }

  private file(name: string): string {
    return path.join(this.buffer.dir, name);
  }

  private crashIf(point: CrashPoint): void {
    if (this.buffer.crashAt === point) process.kill(process.pid, 'SIGKILL');
  }
}
