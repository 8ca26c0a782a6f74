import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { jsonLines, s3ArtifactStore } from '../../../local/console/data/artifact-store';

const s3 = mockClient(S3Client);
const store = s3ArtifactStore(new S3Client({ region: 'us-east-1' }), 'artifacts');
const body = (text: string) =>
  Object.assign(Readable.from([Buffer.from(text)]), { transformToString: async () => text }) as never;
// How the SDK reports a missing key (S3 API reference, GetObject: NoSuchKey; HeadObject: 404 NotFound).
const missing = (name: string) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });

beforeEach(() => s3.reset());

describe('the S3 edge of the console readers', () => {
  it('reads an object as text and as JSON Lines, and a missing one as undefined', async () => {
    s3.on(GetObjectCommand, { Key: 'a.jsonl' }).callsFake(() => ({ Body: body('{"n":1}\n\n{"n":2}') }));
    s3.on(GetObjectCommand, { Key: 'gone' }).rejects(missing('NoSuchKey'));
    expect(await store.getText('a.jsonl')).toBe('{"n":1}\n\n{"n":2}');
    const rows: unknown[] = [];
    for await (const row of jsonLines(store, 'a.jsonl')) rows.push(row);
    expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await store.getText('gone')).toBeUndefined();
    expect(await store.getStream('gone')).toBeUndefined();
  });

  it('does not hide a refused read', async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );
    await expect(store.getText('x')).rejects.toThrow('Access Denied');
  });

  it('tells whether an object exists with HeadObject', async () => {
    s3.on(HeadObjectCommand, { Key: 'there' }).resolves({});
    s3.on(HeadObjectCommand, { Key: 'not' }).rejects(missing('NotFound'));
    expect(await store.has('there')).toBe(true);
    expect(await store.has('not')).toBe(false);
  });

  it('lists every key under a prefix across pages', async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [{ Key: 'p/1' }],
      IsTruncated: true,
      NextContinuationToken: 't',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't' }).resolves({ Contents: [{ Key: 'p/2' }] });
    const keys: string[] = [];
    for await (const key of store.listKeys('p/')) keys.push(key);
    expect(keys).toEqual(['p/1', 'p/2']);
  });
});
