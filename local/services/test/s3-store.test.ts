import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CommitStep } from '../src/s3/commit';
import { utf8Compare } from '../src/s3/list';
import { S3Store } from '../src/s3/store';

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

describe('S3Store overwrite killed part-way', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-store-crash-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** What a restarted store serves for the key: its metadata's ETag must be the MD5 of its bytes. */
  async function afterRestart(key: string): Promise<string | undefined> {
    const store = new S3Store(dir);
    await store.init();
    const meta = store.getObject('claims', key);
    if (!meta) return undefined;
    const bytes = await readFile(join(dir, meta.dataPath));
    expect(meta.etag).toBe(`"${createHash('md5').update(bytes).digest('hex')}"`);
    expect(meta.size).toBe(bytes.length);
    return bytes.toString();
  }

  it.each([
    [CommitStep.intentWritten, 'old'],
    [CommitStep.dataPlaced, 'new'],
  ])('serves a whole version (old or new, never neither) after a kill at step %s', async (step, expected) => {
    for (const key of ['claim.json', 'folder/']) {
      const first = new S3Store(dir);
      await first.init();
      if (!first.hasBucket('claims')) await first.createBucket('claims');
      await first.putBuffers('claims', key, [Buffer.from('old')], 'application/json');

      // A second process overwrites the key and is killed with SIGKILL at `step`: its commit never
      // goes further, and a new store starts on the files it left.
      let frozen = false;
      const dying = new S3Store(dir, {
        atCommitStep: (at) => {
          if (at !== step) return Promise.resolve();
          frozen = true;
          return new Promise<void>(() => undefined);
        },
      });
      await dying.init();
      void dying.putBuffers('claims', key, [Buffer.from('new, longer')], 'application/json');
      while (!frozen) await new Promise((resolve) => setImmediate(resolve));

      expect(await afterRestart(key)).toBe(expected === 'old' ? 'old' : 'new, longer');
      // The restart finished or dropped the commit for good: a second restart sees the same.
      expect(await afterRestart(key)).toBe(expected === 'old' ? 'old' : 'new, longer');
    }
  });
});
