import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/**
 * How the console reads a run's artefacts: through the S3 API, so the same readers serve a local run
 * (local S3 on 127.0.0.1, which the console starts like `npm start` does) and an execution on AWS (the
 * stack's artifact bucket). Reading local S3's files directly would bypass its metadata and break on
 * AWS; this edge is the only place that knows it is S3.
 */
export interface ArtifactStore {
  /** The bucket the keys are in (shown in links and messages). */
  readonly bucket: string;
  /** The whole object as text; undefined when it does not exist. */
  getText(key: string): Promise<string | undefined>;
  /** The object as a stream of bytes; undefined when it does not exist. */
  getStream(key: string): Promise<{ body: AsyncIterable<Uint8Array>; bytes?: number } | undefined>;
  /** Whether the object exists. */
  has(key: string): Promise<boolean>;
  /** Keys under a prefix, in key order. */
  listKeys(prefix: string): AsyncIterable<string>;
}

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
const isMissing = (error: unknown) =>
  ['NoSuchKey', 'NotFound'].includes((error as { name?: string })?.name ?? '') || statusOf(error) === 404;

export function s3ArtifactStore(s3: S3Client, bucket: string): ArtifactStore {
  const get = async (key: string) => {
    try {
      return await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  };
  return {
    bucket,
    async getText(key) {
      const out = await get(key);
      return out ? (out.Body as { transformToString(): Promise<string> }).transformToString() : undefined;
    },
    async getStream(key) {
      const out = await get(key);
      if (!out) return undefined;
      return {
        body: out.Body as Readable,
        ...(out.ContentLength !== undefined ? { bytes: out.ContentLength } : {}),
      };
    },
    async has(key) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async *listKeys(prefix) {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  };
}

/** Each line of a stream of UTF-8 text, without its `\n`; the stream is never held whole. */
export async function* linesOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const piece of body) {
    rest += decoder.decode(piece, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** The non-blank lines of a JSON Lines object, parsed; nothing when the object does not exist. */
export async function* jsonLines<T>(store: ArtifactStore, key: string): AsyncGenerator<T> {
  const object = await store.getStream(key);
  if (!object) return;
  for await (const line of linesOf(object.body)) if (line.trim()) yield JSON.parse(line) as T;
}

export async function getJson<T>(store: ArtifactStore, key: string): Promise<T | undefined> {
  const text = await store.getText(key);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
