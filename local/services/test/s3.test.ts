import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { errorOf, startTestServices, type TestServices } from './helpers';

const BUCKET = 'test-bucket';
let t: TestServices;

beforeAll(async () => {
  t = await startTestServices();
  await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(() => t.close());

async function getBytes(key: string, range?: string, client: S3Client = t.s3): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }));
  return Buffer.from(
    await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('local S3 buckets', () => {
  it('creates, heads, lists and deletes buckets', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'other-bucket' }));
    await t.s3.send(new HeadBucketCommand({ Bucket: 'other-bucket' }));
    const { Buckets } = await t.s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toEqual(expect.arrayContaining([BUCKET, 'other-bucket']));
    await t.s3.send(new DeleteBucketCommand({ Bucket: 'other-bucket' }));
    expect((await errorOf(t.s3.send(new HeadBucketCommand({ Bucket: 'other-bucket' })))).status).toBe(404);
  });

  it('answers a missing bucket with NoSuchBucket and a bad name with InvalidBucketName', async () => {
    const missing = await errorOf(t.s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })));
    expect(missing).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    const listed = await errorOf(t.s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })));
    expect(listed).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    const bad = await errorOf(t.s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
    expect(bad).toMatchObject({ name: 'InvalidBucketName', status: 400 });
  });

  it('refuses to delete a bucket that still has objects', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'full-bucket' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'x', Body: 'x' }));
    expect(await errorOf(t.s3.send(new DeleteBucketCommand({ Bucket: 'full-bucket' })))).toMatchObject({
      name: 'BucketNotEmpty',
      status: 409,
    });
  });
});

describe('local S3 objects', () => {
  it('stores a PutObject body byte-exact with a quoted MD5 ETag, as a plain file', async () => {
    const body = randomBytes(100_000);
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/sub/file.bin', Body: body }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(Buffer.compare(await getBytes('dir/sub/file.bin'), body)).toBe(0);
    expect(
      Buffer.compare(await readFile(path.join(t.dataDir, 's3', BUCKET, 'dir', 'sub', 'file.bin')), body),
    ).toBe(0);
  });

  it('decodes aws-chunked stream bodies with checksum trailers under the default checksum settings', async () => {
    const parts = [randomBytes(70_000), randomBytes(1), randomBytes(200_000)];
    const body = Buffer.concat(parts);
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'chunked.bin',
        Body: Readable.from(parts),
        ContentLength: body.length,
      }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(Buffer.compare(await getBytes('chunked.bin'), body)).toBe(0);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'chunked.bin' }));
    expect(head.ContentEncoding).toBeUndefined();
  });

  it('stores stream bodies byte-exact when the client sends checksums only when required', async () => {
    const client = new S3Client({ ...t.config, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const body = randomBytes(50_000);
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'plain-stream.bin',
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    expect(Buffer.compare(await getBytes('plain-stream.bin', undefined, client), body)).toBe(0);
    client.destroy();
  });

  it('decodes signed aws-chunked bodies (chunk signatures, no trailer) from other clients', async () => {
    const data = randomBytes(9000);
    const signature = 'f'.repeat(64);
    const framed = Buffer.concat([
      Buffer.from(`2000;chunk-signature=${signature}\r\n`),
      data.subarray(0, 0x2000),
      Buffer.from(`\r\n${(data.length - 0x2000).toString(16)};chunk-signature=${signature}\r\n`),
      data.subarray(0x2000),
      Buffer.from(`\r\n0;chunk-signature=${signature}\r\n\r\n`),
    ]);
    const response = await fetch(`${t.services.endpoint}/${BUCKET}/signed-chunked.bin`, {
      method: 'PUT',
      headers: {
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'x-amz-decoded-content-length': String(data.length),
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: framed,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${md5(data)}"`);
    expect(Buffer.compare(await getBytes('signed-chunked.bin'), data)).toBe(0);
  });

  it('rejects a body whose declared CRC32 does not match with BadDigest', async () => {
    const error = await errorOf(
      t.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'bad-crc', Body: 'hello', ChecksumCRC32: 'AAAAAA==' }),
      ),
    );
    expect(error).toMatchObject({ name: 'BadDigest', status: 400 });
    expect(await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'bad-crc' })))).toMatchObject(
      { status: 404 },
    );
  });

  it('heads an object with ETag, Content-Length, Last-Modified, content type and user metadata', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'meta.json',
        Body: '{"a":1}',
        ContentType: 'application/json',
        Metadata: { owner: 'me' },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.json' }));
    expect(head).toMatchObject({
      ETag: `"${md5(Buffer.from('{"a":1}'))}"`,
      ContentLength: 7,
      ContentType: 'application/json',
    });
    expect(head.Metadata).toEqual({ owner: 'me' });
    expect(head.LastModified).toBeInstanceOf(Date);
    expect(Math.abs((head.LastModified as Date).getTime() - Date.now())).toBeLessThan(5000);
  });

  it('serves every Range form with 206 and Content-Range, and 416 when unsatisfiable', async () => {
    const body = Buffer.from('0123456789');
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Body: body }));
    const ranged = async (range: string) => {
      const out = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: range }));
      return {
        text: await out.Body?.transformToString(),
        range: out.ContentRange,
        length: out.ContentLength,
      };
    };
    expect(await ranged('bytes=2-5')).toEqual({ text: '2345', range: 'bytes 2-5/10', length: 4 });
    expect(await ranged('bytes=7-')).toEqual({ text: '789', range: 'bytes 7-9/10', length: 3 });
    expect(await ranged('bytes=-3')).toEqual({ text: '789', range: 'bytes 7-9/10', length: 3 });
    expect(await ranged('bytes=8-100')).toEqual({ text: '89', range: 'bytes 8-9/10', length: 2 });
    expect(await ranged('bytes=-50')).toEqual({ text: '0123456789', range: 'bytes 0-9/10', length: 10 });
    const error = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=10-' })),
    );
    expect(error).toMatchObject({ name: 'InvalidRange', status: 416 });
    const raw = await fetch(`${t.services.endpoint}/${BUCKET}/range.txt`, {
      headers: { range: 'bytes=3-4' },
    });
    expect(raw.status).toBe(206);
    expect(await raw.text()).toBe('34');
  });

  it('answers GetObject with a mismatched If-Match with 412 PreconditionFailed', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', Body: 'v1' }));
    expect(
      await (
        await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfMatch: put.ETag }))
      ).Body?.transformToString(),
    ).toBe('v1');
    const error = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfMatch: '"0000"' })),
    );
    expect(error).toMatchObject({ name: 'PreconditionFailed', status: 412 });
  });

  it('answers a missing key with NoSuchKey (GET) and 404 NotFound (HEAD)', async () => {
    expect(await errorOf(t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing' })))).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
    });
    expect(await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing' })))).toMatchObject(
      {
        name: 'NotFound',
        status: 404,
      },
    );
    const raw = await fetch(`${t.services.endpoint}/${BUCKET}/missing`);
    expect(await raw.text()).toMatch(
      /<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>missing<\/Key>/,
    );
  });

  it('deletes objects one at a time and in bulk, and removes the emptied directories', async () => {
    for (const key of ['del/a', 'del/b', 'del/c/d'])
      await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    await t.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/a' }));
    const bulk = await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'del/b' }, { Key: 'del/c/d' }, { Key: 'never' }] },
      }),
    );
    expect(bulk.Deleted?.map((d) => d.Key).sort()).toEqual(['del/b', 'del/c/d', 'never']);
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'del/' }));
    expect(listed.KeyCount).toBe(0);
    await expect(readFile(path.join(t.dataDir, 's3', BUCKET, 'del', 'c', 'd'))).rejects.toThrow();
  });

  it('keeps keys that cannot be plain files: folder markers and a key that is also a prefix', async () => {
    const keys = ['odd/', 'odd/x', 'odd/x/y', 'odd//double', 'odd/../up', 'odd/ spaced +plus%'];
    for (const key of keys)
      await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}` }));
    for (const key of keys) expect((await getBytes(key)).toString()).toBe(`body of ${key}`);
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'odd/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual([...keys].sort());
  });

  it('copies an object with CopyObject', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy-src', Body: 'copied bytes' }));
    const copy = await t.s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy-dst', CopySource: `${BUCKET}/copy-src` }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(Buffer.from('copied bytes'))}"`);
    expect((await getBytes('copy-dst')).toString()).toBe('copied bytes');
  });
});

describe('local S3 listing', () => {
  const LISTED = 'list-bucket';

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: LISTED }));
    const keys = Array.from({ length: 2500 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    keys.push('a/1', 'a/2', 'b/1', 'top');
    // Seeded with plain HTTP PUTs (valid unsigned S3 requests): the SDK's signing and checksums would
    // make 2,500 uploads the slowest part of the suite, and uploads are tested above.
    const queue = [...keys];
    const put = async () => {
      for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
        const response = await fetch(`${t.services.endpoint}/${LISTED}/${key}`, { method: 'PUT', body: key });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, put));
  });

  it('pages ListObjectsV2 over 2,500 keys with continuation tokens, in key order', async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2(
      { client: t.s3, pageSize: 1000 },
      { Bucket: LISTED, Prefix: 'k/' },
    )) {
      pages++;
      seen.push(...(page.Contents ?? []).map((c) => c.Key as string));
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(2500);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(2500);
  });

  it('honours max-keys, StartAfter, and a delimiter with CommonPrefixes across pages', async () => {
    const first = await t.s3.send(
      new ListObjectsV2Command({ Bucket: LISTED, MaxKeys: 2, StartAfter: 'k/00010' }),
    );
    expect(first.Contents?.map((c) => c.Key)).toEqual(['k/00011', 'k/00012']);
    expect(first.IsTruncated).toBe(true);

    const items: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.s3.send(
        new ListObjectsV2Command({ Bucket: LISTED, Delimiter: '/', MaxKeys: 1, ContinuationToken: token }),
      );
      items.push(
        ...(page.CommonPrefixes ?? []).map((p) => `prefix:${p.Prefix}`),
        ...(page.Contents ?? []).map((c) => c.Key as string),
      );
      token = page.NextContinuationToken;
    } while (token);
    expect(items).toEqual(['prefix:a/', 'prefix:b/', 'prefix:k/', 'top']);
  });
});

describe('local S3 multipart uploads', () => {
  it('uploads a 20 MB body with lib-storage Upload and gives it a multipart ETag', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    const upload = new Upload({
      client: t.s3,
      params: { Bucket: BUCKET, Key: 'big/20mb.bin', Body: Readable.from([body]) },
    });
    const result = await upload.done();
    const partSize = 5 * 1024 * 1024;
    const partMd5s = [0, 1, 2, 3].map((i) =>
      createHash('md5')
        .update(body.subarray(i * partSize, (i + 1) * partSize))
        .digest(),
    );
    const expected = `"${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-4"`;
    expect(result.ETag).toBe(expected);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/20mb.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(md5(await readFile(path.join(t.dataDir, 's3', BUCKET, 'big', '20mb.bin')))).toBe(md5(body));
  });

  it('rejects unknown parts, small parts and aborted uploads with S3 error codes', async () => {
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp' }));
    const one = await t.s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: 'mp', UploadId, PartNumber: 1, Body: 'small' }),
    );
    const two = await t.s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: 'mp', UploadId, PartNumber: 2, Body: 'tail' }),
    );
    const { CompleteMultipartUploadCommand } = await import('@aws-sdk/client-s3');
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'mp',
          UploadId,
          MultipartUpload: { Parts },
        }),
      );
    expect(await errorOf(complete([{ PartNumber: 1, ETag: '"ffff"' }]))).toMatchObject({
      name: 'InvalidPart',
    });
    expect(
      await errorOf(
        complete([
          { PartNumber: 2, ETag: two.ETag },
          { PartNumber: 1, ETag: one.ETag },
        ]),
      ),
    ).toMatchObject({ name: 'InvalidPartOrder' });
    expect(
      await errorOf(
        complete([
          { PartNumber: 1, ETag: one.ETag },
          { PartNumber: 2, ETag: two.ETag },
        ]),
      ),
    ).toMatchObject({ name: 'EntityTooSmall' });
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp', UploadId }));
    expect(await errorOf(complete([{ PartNumber: 1, ETag: one.ETag }]))).toMatchObject({
      name: 'NoSuchUpload',
      status: 404,
    });
  });
});

describe('local S3 under concurrency', () => {
  it('keeps every object when 20 clients put at once', async () => {
    const clients = Array.from({ length: 20 }, () => new S3Client(t.config));
    await Promise.all(
      clients.map((client, c) =>
        Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `conc/${c}/${i}`, Body: `${c}-${i}` })),
          ),
        ),
      ),
    );
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: t.s3, pageSize: 100 },
      { Bucket: BUCKET, Prefix: 'conc/' },
    )) {
      keys.push(...(page.Contents ?? []).map((c) => c.Key as string));
    }
    expect(keys).toHaveLength(200);
    expect((await getBytes('conc/7/9')).toString()).toBe('7-9');
    for (const client of clients) client.destroy();
  });
});
