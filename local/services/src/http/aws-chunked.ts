import { Transform, type TransformCallback } from 'node:stream';

/**
 * Decodes an `aws-chunked` request body (SigV4 streaming upload) into the bytes the client meant:
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;...]\r\n[<trailer>:<value>\r\n]*\r\n
 * The SDK sends S3 stream bodies this way by default, with a CRC32 trailer. Storing the framing
 * instead of the payload is the s3rver bug this replaces.
 */

// A chunk header is a hex size plus an optional 64-hex-digit signature; anything far longer is garbage.
const MAX_LINE_BYTES = 4096;
const CRLF = Buffer.from('\r\n');

const State = {
  header: 'header',
  data: 'data',
  dataEnd: 'dataEnd',
  trailer: 'trailer',
  done: 'done',
} as const;
type State = (typeof State)[keyof typeof State];

export class AwsChunkedError extends Error {}

export class AwsChunkedDecoder extends Transform {
  /** Trailing headers such as `x-amz-checksum-crc32`, lower-cased, available once the stream ends. */
  readonly trailers = new Map<string, string>();
  private state: State = State.header;
  private pending = Buffer.alloc(0);
  private remaining = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk);
      callback();
    } catch (error) {
      callback(error instanceof Error ? error : new AwsChunkedError(String(error)));
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === State.done ? null : new AwsChunkedError('aws-chunked body ended early'));
  }

  private consume(input: Buffer): void {
    let offset = 0;
    while (offset < input.length) {
      if (this.state === State.data) {
        const take = Math.min(this.remaining, input.length - offset);
        this.push(input.subarray(offset, offset + take));
        offset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = State.dataEnd;
        continue;
      }
      if (this.state === State.done) {
        offset = input.length;
        break;
      }
      const end = input.indexOf(CRLF, offset);
      if (end < 0) break;
      const line = input.subarray(offset, end).toString('latin1');
      offset = end + 2;
      this.onLine(line);
    }
    this.pending = Buffer.from(input.subarray(offset));
    if (this.pending.length > MAX_LINE_BYTES && this.state !== State.data) {
      throw new AwsChunkedError('aws-chunked line too long');
    }
  }

  private onLine(line: string): void {
    if (this.state === State.dataEnd) {
      if (line !== '') throw new AwsChunkedError('aws-chunked data is longer than its declared size');
      this.state = State.header;
    } else if (this.state === State.header) {
      const sizeText = line.split(';')[0].trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new AwsChunkedError(`bad aws-chunked header "${line}"`);
      this.remaining = Number.parseInt(sizeText, 16);
      this.state = this.remaining === 0 ? State.trailer : State.data;
    } else if (this.state === State.trailer) {
      if (line === '') {
        this.state = State.done;
        return;
      }
      const colon = line.indexOf(':');
      if (colon > 0)
        this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
}

/** True when the request body is aws-chunked framed (either marker is enough; clients differ). */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((part) => part.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}
