import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  type ChecksumAlgorithm,
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { errorOf, startTestServices, type TestServices } from './helpers';

/**
 * S3 flexible checksums: verified on upload, kept with the object, returned by PutObject and by
 * HEAD/GET with ChecksumMode=ENABLED (S3 user guide, "Checking object integrity").
 */

const BUCKET = 'checksums';
const BODY = '123456789';
const crcBase64 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
};
// Worked out independently of the service: Node's hashes and zlib, and the CRC32C check value of
// "123456789" (0xE3069283, RFC 3720 appendix B.4).
const EXPECTED = {
  SHA256: createHash('sha256').update(BODY).digest('base64'),
  SHA1: createHash('sha1').update(BODY).digest('base64'),
  CRC32: crcBase64(crc32(BODY)),
  CRC32C: crcBase64(0xe3069283),
} as const;
type Algorithm = keyof typeof EXPECTED;
const FIELD = {
  SHA256: 'ChecksumSHA256',
  SHA1: 'ChecksumSHA1',
  CRC32: 'ChecksumCRC32',
  CRC32C: 'ChecksumCRC32C',
} as const;

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
  await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(() => t.close());

const head = (key: string, enabled: boolean) =>
  t.s3.send(
    new HeadObjectCommand({ Bucket: BUCKET, Key: key, ...(enabled ? { ChecksumMode: 'ENABLED' } : {}) }),
  );

describe('local S3 flexible checksums', () => {
  it.each(Object.keys(EXPECTED) as Algorithm[])(
    'returns the %s checksum from PutObject and from HEAD and GET with ChecksumMode=ENABLED',
    async (algorithm) => {
      const key = `plain-${algorithm}`;
      const put = await t.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: BODY,
          ChecksumAlgorithm: algorithm as ChecksumAlgorithm,
        }),
      );
      expect(put[FIELD[algorithm]]).toBe(EXPECTED[algorithm]);
      expect(put.ChecksumType).toBe('FULL_OBJECT');

      const enabled = await head(key, true);
      expect(enabled[FIELD[algorithm]]).toBe(EXPECTED[algorithm]);
      expect(enabled.ChecksumType).toBe('FULL_OBJECT');
      expect((await head(key, false))[FIELD[algorithm]]).toBeUndefined();

      // The SDK checks the returned checksum against the body it reads: a wrong one would throw here.
      const got = await t.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
      );
      expect(got[FIELD[algorithm]]).toBe(EXPECTED[algorithm]);
      expect(await got.Body?.transformToString()).toBe(BODY);
      // A part of the object has no whole-object checksum.
      const part = await t.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED', Range: 'bytes=0-3' }),
      );
      expect(part[FIELD[algorithm]]).toBeUndefined();
      expect(await part.Body?.transformToString()).toBe('1234');
    },
  );

  it('keeps a checksum sent as an aws-chunked trailer, and CopyObject carries it over', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'streamed',
        Body: Readable.from([Buffer.from(BODY)]),
        ContentLength: BODY.length,
        ChecksumAlgorithm: 'CRC32C',
      }),
    );
    expect((await head('streamed', true)).ChecksumCRC32C).toBe(EXPECTED.CRC32C);
    const copied = await t.s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'copied', CopySource: `${BUCKET}/streamed` }),
    );
    expect(copied.CopyObjectResult?.ChecksumCRC32C).toBe(EXPECTED.CRC32C);
    expect((await head('copied', true)).ChecksumCRC32C).toBe(EXPECTED.CRC32C);
  });

  it('refuses a body whose declared CRC32C does not match with BadDigest', async () => {
    const error = await errorOf(
      t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bad', Body: BODY, ChecksumCRC32C: 'AAAAAA==' })),
    );
    expect(error).toMatchObject({ name: 'BadDigest', status: 400 });
  });
});
