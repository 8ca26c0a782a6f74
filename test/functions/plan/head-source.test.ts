import { HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { headSource } from '../../../functions/plan/head-source';

const s3 = mockClient(S3Client);
const ARTIFACTS = 'loader-artifacts';
const deadLetters = { bucket: ARTIFACTS, key: 'runs/run-1/dead-letter/records.jsonl' };

const s3Error = (name: string, httpStatusCode: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });

beforeEach(() => s3.reset());

describe('headSource', () => {
  it('returns the size and ETag of a source that is there', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 12, ETag: '"e"' });
    await expect(headSource(new S3Client({}), deadLetters, ARTIFACTS)).resolves.toEqual({
      size: 12,
      etag: '"e"',
    });
  });

  it('says "no such dead-letter file" for a missing rerun source, though S3 answered 403 without ListBucket', async () => {
    // Without an unconditional s3:ListBucket, HEAD of a missing key is 403, not 404.
    s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));
    s3.on(ListObjectsV2Command).resolves({ Contents: [], KeyCount: 0 });
    await expect(headSource(new S3Client({}), deadLetters, ARTIFACTS)).rejects.toThrow(
      `input field "source.key": no such dead-letter file s3://${ARTIFACTS}/runs/run-1/dead-letter/records.jsonl`,
    );
    // The LIST asked for exactly that key, which the runs/ prefix-conditioned grant allows.
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({
      Bucket: ARTIFACTS,
      Prefix: deadLetters.key,
      MaxKeys: 1,
    });
  });

  it('says access was denied when the key is there but reading it is refused', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: deadLetters.key }], KeyCount: 1 });
    await expect(headSource(new S3Client({}), deadLetters, ARTIFACTS)).rejects.toThrow(
      /access to s3:\/\/loader-artifacts\/runs\/run-1\/dead-letter\/records.jsonl was denied/,
    );
  });

  it('says access was denied when the LIST is refused too: a refusal proves nothing about the key', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));
    s3.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403));
    await expect(headSource(new S3Client({}), deadLetters, ARTIFACTS)).rejects.toThrow(/was denied/);
  });

  it('names a missing source in the source bucket as missing (404 with ListBucket)', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    await expect(
      headSource(new S3Client({}), { bucket: 'loader-source', key: 'inputs/a.jsonl' }, ARTIFACTS),
    ).rejects.toThrow('input field "source.key": s3://loader-source/inputs/a.jsonl does not exist');
  });

  it('passes other errors through for the transient-error retry', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('InternalError', 500));
    await expect(headSource(new S3Client({}), deadLetters, ARTIFACTS)).rejects.toThrow('InternalError');
  });
});
