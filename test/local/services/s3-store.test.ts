import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { utf8Compare } from '../../../local/services/s3-list';
import { S3Store } from '../../../local/services/s3-store';

describe('S3Store key order', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lists keys in UTF-8 byte order however puts, deletes and listings interleave', async () => {
    const key = fc.constantFrom('a', 'b', 'a/b', 'a-b', 'ab', 'é', '😀', 'z', 'a/ü', 'runs/x.json');
    const step = fc.oneof(
      fc.record({ op: fc.constant('put' as const), key }),
      fc.record({ op: fc.constant('delete' as const), key }),
      fc.record({ op: fc.constant('list' as const) }),
    );
    let bucketNumber = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const store = new S3Store(dir);
        await store.init();
        const bucket = `b${bucketNumber++}`;
        await store.createBucket(bucket);
        const present = new Set<string>();
        for (const s of steps) {
          if (s.op === 'put') {
            await store.putBuffers(bucket, s.key, [Buffer.from(s.key)], 'text/plain');
            present.add(s.key);
          } else if (s.op === 'delete') {
            await store.deleteObject(bucket, s.key);
            present.delete(s.key);
          } else {
            expect(store.sortedKeys(bucket)).toEqual([...present].sort(utf8Compare));
          }
        }
        expect(store.sortedKeys(bucket)).toEqual([...present].sort(utf8Compare));
      }),
      { numRuns: 60 },
    );
  });
});
