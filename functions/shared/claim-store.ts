import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseStoredChunk } from './chunk-claim';
import type { ObjectRef } from './s3-io';

/**
 * The S3 edge of chunk claims (chunk-claim.ts), shared by PutBatch and AdvanceRound. Conditional
 * writes: S3 user guide, "How to prevent object overwrites with conditional writes" — 412
 * PreconditionFailed when the condition fails, 409 ConditionalRequestConflict when two writes race;
 * both mean "someone else wrote it", and the writer reads the object again (it exists, so GetObject
 * needs no s3:ListBucket).
 */

const isConflict = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return status === 412 || status === 409 || e?.name === 'PreconditionFailed';
};
/** The HTTP status of an SDK error, when S3 answered at all. */
export const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
/** A GetObject answer's body as text. */
export const bodyText = (out: { Body?: unknown }): Promise<string> =>
  (out.Body as { transformToString(): Promise<string> }).transformToString();
/** S3's answer for a key that does not exist (404 when the caller may list the bucket's keys). */
export const isNoSuchKey = (error: unknown) =>
  (error as { name?: string })?.name === 'NoSuchKey' || statusOf(error) === 404;

/** Writes `body` if the condition holds; the new ETag, or undefined when another write got there first. */
export async function putIf(
  s3: S3Client,
  ref: ObjectRef,
  body: unknown,
  condition: { ifNoneMatch: '*' } | { ifMatch: string },
  options: { abortSignal?: AbortSignal } = {},
): Promise<string | undefined> {
  try {
    const out = await s3.send(
      new PutObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        Body: JSON.stringify(body),
        ContentType: 'application/json',
        ...('ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: '*' }),
      }),
      options,
    );
    return out.ETag ?? '';
  } catch (error) {
    // If-Match on a key deleted meanwhile answers 404: someone else changed it, too.
    if (isConflict(error) || ('ifMatch' in condition && isNoSuchKey(error))) return undefined;
    throw error;
  }
}

/**
 * The key's claim or outcome and its ETag; undefined when it is gone. `forbiddenMeansGone`: without
 * s3:ListBucket, S3 answers a GET of a missing key with 403 (S3 API reference, GetObject), so a writer
 * that just met the key in a conditional write reads a 403 as "deleted since"; a reader that listed the
 * key must not hide a real 403.
 */
export async function readStored(s3: S3Client, ref: ObjectRef, forbiddenMeansGone = false) {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    return { stored: parseStoredChunk(await bodyText(out)), etag: out.ETag ?? '' };
  } catch (error) {
    if (isNoSuchKey(error) || (forbiddenMeansGone && statusOf(error) === 403)) return undefined;
    throw error;
  }
}
