import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { errorOf, startTestServices, type TestServices } from './helpers';

// The behaviour emulated: S3 user guide, "How to prevent object overwrites with conditional writes".
const BUCKET = 'conditional-bucket';
let t: TestServices;

beforeAll(async () => {
  t = await startTestServices();
  await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(() => t.close());

const put = (Key: string, Body: string, condition: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
  t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...condition }));

/** Resolves once local S3 is receiving an upload body into its temp directory. */
async function untilUploadInProgress(): Promise<void> {
  const temp = path.join(t.dataDir, 's3-meta', '.tmp');
  while ((await readdir(temp)).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function text(Key: string): Promise<string> {
  const out = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
  return (out.Body as { transformToString(): Promise<string> }).transformToString();
}

describe('local S3 conditional writes', () => {
  it('creates a key with If-None-Match: * only when it does not exist, answering 412 PreconditionFailed otherwise', async () => {
    const created = await put('claim', 'first', { IfNoneMatch: '*' });
    expect(created.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await errorOf(put('claim', 'second', { IfNoneMatch: '*' }))).toMatchObject({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await text('claim')).toBe('first');
  });

  it('replaces an object with If-Match only while its ETag is unchanged (compare-and-swap)', async () => {
    const first = await put('cas', 'v1');
    const second = await put('cas', 'v2', { IfMatch: first.ETag });
    expect(await errorOf(put('cas', 'stale', { IfMatch: first.ETag }))).toMatchObject({
      name: 'PreconditionFailed',
      status: 412,
    });
    await put('cas', 'v3', { IfMatch: second.ETag?.replace(/"/g, '') });
    expect(await text('cas')).toBe('v3');
    expect(await errorOf(put('no-such-object', 'x', { IfMatch: first.ETag }))).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
    });
  });

  it('lets exactly one of many concurrent If-None-Match: * writes of one key succeed', async () => {
    const attempts = Array.from({ length: 10 }, (_, n) => put('race', `writer ${n}`, { IfNoneMatch: '*' }));
    const settled = await Promise.allSettled(attempts);
    const won = settled.flatMap((result, n) => (result.status === 'fulfilled' ? [n] : []));
    expect(won).toHaveLength(1);
    for (const result of settled) {
      if (result.status === 'rejected') {
        expect(['PreconditionFailed', 'ConditionalRequestConflict']).toContain((result.reason as Error).name);
      }
    }
    expect(await text('race')).toBe(`writer ${won[0]}`);
  });

  it('answers 409 ConditionalRequestConflict when another write lands while a conditional upload is in flight', async () => {
    const body = new PassThrough();
    const slow = t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'in-flight',
        Body: body,
        ContentLength: 8,
        IfNoneMatch: '*',
      }),
    );
    body.write('slow');
    // Once its body is being stored, the slow request has passed the arrival check (no object yet).
    await untilUploadInProgress();
    await put('in-flight', 'fast', { IfNoneMatch: '*' });
    body.end('body');
    expect(await errorOf(slow)).toMatchObject({ name: 'ConditionalRequestConflict', status: 409 });
    expect(await text('in-flight')).toBe('fast');
  });

  it('never pairs the ETag of one version with the bytes of another while a key is overwritten', async () => {
    const versions = ['short', 'a somewhat longer body', 'x'.repeat(3000)];
    const writes = Array.from({ length: 30 }, (_, n) => put('flip', versions[n % versions.length] as string));
    const reads = Array.from({ length: 30 }, async () => {
      const out = await t.s3
        .send(new GetObjectCommand({ Bucket: BUCKET, Key: 'flip' }))
        .catch(() => undefined);
      if (!out) return true; // Not created yet.
      const body = await (out.Body as { transformToString(): Promise<string> }).transformToString();
      return out.ETag === `"${createHash('md5').update(body).digest('hex')}"`;
    });
    await Promise.all(writes);
    expect(await Promise.all(reads)).not.toContain(false);
  });

  it('refuses If-None-Match with an ETag on a write: only * is supported', async () => {
    const failure = await errorOf(put('etag-none-match', 'x', { IfNoneMatch: '"abc"' }));
    expect(failure).toMatchObject({ name: 'NotImplemented', status: 501 });
  });

  it('applies If-None-Match and If-Match to CompleteMultipartUpload', async () => {
    const upload = async (
      Key: string,
      body: string,
      condition: { IfNoneMatch?: string; IfMatch?: string },
    ) => {
      const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
      const part = await t.s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: 1, Body: body }),
      );
      return t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          ...condition,
        }),
      );
    };
    const created = await upload('multipart', 'one', { IfNoneMatch: '*' });
    expect(await errorOf(upload('multipart', 'two', { IfNoneMatch: '*' }))).toMatchObject({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(
      await errorOf(upload('multipart', 'two', { IfMatch: '"0123456789abcdef0123456789abcdef-1"' })),
    ).toMatchObject({
      name: 'PreconditionFailed',
      status: 412,
    });
    await upload('multipart', 'three', { IfMatch: created.ETag });
    expect(await text('multipart')).toBe('three');
  });
});
