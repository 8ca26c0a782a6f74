import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** The thin S3 edge shared by the functions: ranged streams, small JSON objects, streamed JSON Lines. */

export interface ObjectRef {
  bucket: string;
  key: string;
}

export async function headObject(s3: S3Client, ref: ObjectRef): Promise<{ size: number; etag: string }> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  return { size: head.ContentLength ?? 0, etag: head.ETag ?? '' };
}

/** Streams bytes [start, end) of an object; `etag` makes S3 refuse (412) if the object changed since. */
export async function streamObjectRange(
  s3: S3Client,
  ref: ObjectRef,
  range: { start: number; end?: number; etag?: string },
): Promise<AsyncIterable<Uint8Array>> {
  if (range.end !== undefined && range.end <= range.start) return Readable.from([]);
  const last = range.end === undefined ? '' : String(range.end - 1);
  const response = await s3.send(
    new GetObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      Range: range.start === 0 && range.end === undefined ? undefined : `bytes=${range.start}-${last}`,
      IfMatch: range.etag,
    }),
  );
  return response.Body as Readable;
}

export async function putJson(s3: S3Client, ref: ObjectRef, value: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
}

export async function putBytes(s3: S3Client, ref: ObjectRef, body: Uint8Array | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, Body: body }));
}

export async function getText(s3: S3Client, ref: ObjectRef): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  return (response.Body as { transformToString(): Promise<string> }).transformToString();
}

export async function getJson<T>(s3: S3Client, ref: ObjectRef): Promise<T> {
  return JSON.parse(await getText(s3, ref)) as T;
}

/** Yields each non-blank line of a JSON Lines object, parsed. Streams: the object is never held whole. */
export async function* readJsonLines<T>(s3: S3Client, ref: ObjectRef): AsyncGenerator<T> {
  const body = await streamObjectRange(s3, ref, { start: 0 });
  let rest = '';
  const decoder = new TextDecoder();
  for await (const piece of body) {
    rest += decoder.decode(piece, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
  }
  rest += decoder.decode();
  if (rest.trim()) yield JSON.parse(rest) as T;
}

export async function* listKeys(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<string> {
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
  }
}

/**
 * Writes an object from lines produced over time (manifests, rejects, dead letters) with a multipart
 * upload, so memory stays bounded however many lines there are.
 */
export class S3LineWriter {
  private readonly stream = new PassThrough();
  private readonly upload: Promise<unknown>;
  lines = 0;
  bytes = 0;

  constructor(s3: S3Client, ref: ObjectRef, contentType = 'application/x-ndjson') {
    this.upload = new Upload({
      client: s3,
      params: { Bucket: ref.bucket, Key: ref.key, Body: this.stream, ContentType: contentType },
    }).done();
    // The upload is awaited in close(); this keeps an early failure from being reported as unhandled.
    this.upload.catch(() => undefined);
  }

  writeJson(value: unknown): Promise<void> {
    return this.write(`${JSON.stringify(value)}\n`);
  }

  /** Resolves when the upload can take more, so a fast producer waits for S3 instead of filling memory. */
  async write(text: string | Uint8Array): Promise<void> {
    const chunk = typeof text === 'string' ? Buffer.from(text) : text;
    this.lines += 1;
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await this.upload;
  }

  /** Fails the upload so no object is created (lib-storage aborts a multipart upload it started). */
  abort(reason: unknown): void {
    this.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  }
}
