import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { S3Store } from './s3-store';

/**
 * Buffers one delivery stream's accepted records and writes them to the destination bucket as
 * Firehose does: when the buffer reaches SizeInMBs or IntervalInSeconds after its first record,
 * as one object of the record bytes concatenated exactly as received, named
 * <Prefix>YYYY/MM/DD/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid> (UTC, first record's arrival).
 * Deliveries of one stream are written one at a time, in order, and the UUID is a time-ordered v7
 * UUID, so sorting a stream's object keys gives the order records were accepted in.
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

// After a failed write (disk full, bucket directory removed by hand) the buffer is kept and retried.
const RETRY_DELAY_MS = 1000;

export class StreamDelivery {
  private records: Buffer[] = [];
  private bytes = 0;
  private firstArrivalMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastError: unknown;

  constructor(
    private readonly target: DeliveryTarget,
    private readonly store: S3Store,
    private readonly onDelivered: (report: DeliveryReport) => void,
  ) {}

  append(records: Buffer[], nowMs: number): void {
    if (records.length === 0) return;
    if (this.records.length === 0) {
      this.firstArrivalMs = nowMs;
      this.timer = setTimeout(() => void this.deliver().catch(() => undefined), this.target.intervalMs);
      this.timer.unref();
    }
    for (const record of records) {
      this.records.push(record);
      this.bytes += record.length;
    }
    if (this.bytes >= this.target.sizeBytes) void this.deliver().catch(() => undefined);
  }

  /** Writes whatever is buffered now; resolves when it and every earlier delivery are on disk. */
  deliver(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.records.length > 0) {
      const records = this.records;
      const bytes = this.bytes;
      const firstArrivalMs = this.firstArrivalMs;
      this.records = [];
      this.bytes = 0;
      this.chain = this.chain.then(() => this.write(records, bytes, firstArrivalMs));
    }
    const done = this.chain;
    return done.then(() => {
      if (this.lastError !== undefined) {
        const error = this.lastError;
        this.lastError = undefined;
        throw error;
      }
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async write(records: Buffer[], bytes: number, firstArrivalMs: number): Promise<void> {
    const key = objectKey(this.target, new Date(firstArrivalMs));
    try {
      const body = this.target.gzip ? [gzipSync(Buffer.concat(records))] : records;
      if (!this.store.hasBucket(this.target.bucket)) {
        // Firehose would retry into a missing bucket for up to 24 hours; locally the bucket is created
        // so that nothing accepted is lost.
        await this.store.createBucket(this.target.bucket);
      }
      await this.store.putBuffers(this.target.bucket, key, body, 'application/octet-stream');
      this.onDelivered({ records: records.length, bytes, oldestArrivalMs: firstArrivalMs });
    } catch (error) {
      // Put the records back in front of anything newer, keeping order, and try again later.
      this.lastError = error;
      this.records = [...records, ...this.records];
      this.bytes += bytes;
      this.firstArrivalMs = firstArrivalMs;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.deliver().catch(() => undefined), RETRY_DELAY_MS);
      this.timer.unref();
    }
  }
}

/** Firehose's default S3 object key; a Prefix with !{...} expressions replaces the YYYY/MM/DD/HH/ part. */
export function objectKey(target: DeliveryTarget, arrival: Date): string {
  const hasExpressions = target.prefix.includes('!{');
  const prefix = hasExpressions
    ? expandPrefix(target.prefix, arrival)
    : `${target.prefix}${formatTime('yyyy/MM/dd/HH/', arrival)}`;
  const name = `${target.streamName}-${target.versionId}-${formatTime('yyyy-MM-dd-HH-mm-ss', arrival)}-${uuidV7()}`;
  return `${prefix}${name}${target.gzip ? '.gz' : ''}`;
}

/** Custom prefixes: !{timestamp:<Java DateTimeFormatter pattern>} and !{firehose:random-string}. */
function expandPrefix(prefix: string, arrival: Date): string {
  return prefix.replace(/!\{([a-z]+):([^}]*)\}/g, (whole, namespace: string, value: string) => {
    if (namespace === 'timestamp') return formatTime(value, arrival);
    if (namespace === 'firehose' && value === 'random-string')
      return randomBytes(8).toString('base64url').slice(0, 11);
    return whole;
  });
}

function formatTime(pattern: string, date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const parts: Record<string, string> = {
    yyyy: String(date.getUTCFullYear()),
    MM: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => parts[token]);
}

let lastUuidMs = 0;
let uuidSequence = 0;

/** RFC 9562 UUIDv7 with a 12-bit counter in rand_a, so UUIDs made in the same millisecond still sort. */
export function uuidV7(): string {
  let ms = Date.now();
  if (ms <= lastUuidMs) {
    ms = lastUuidMs;
    uuidSequence++;
    if (uuidSequence > 0xfff) {
      ms++;
      uuidSequence = 0;
    }
  } else {
    uuidSequence = 0;
  }
  lastUuidMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (uuidSequence >> 8);
  bytes[7] = uuidSequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
