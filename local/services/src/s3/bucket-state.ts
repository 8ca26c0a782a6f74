import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { recoverCommits } from './commit';
import type { ObjectFiles } from './object-files';
import type { ObjectMeta } from './object-meta';

/** A bucket as S3Store keeps it in memory, and how it is read back from disk at start-up. */

export interface BucketState {
  name: string;
  creationDate: string;
  /** Its LocationConstraint, or undefined for a bucket made before regions were kept (the service's). */
  region: string | undefined;
  objects: Map<string, ObjectMeta>;
  sorted: string[] | undefined;
  /** Commits and deletes in one bucket run one at a time: they create and prune directories. */
  lock: Promise<void>;
}

const META_FILE_NAME = /^[0-9a-f]{64}\.json$/;

export function newBucketState(
  name: string,
  creationDate: string,
  region: string | undefined,
  objects = new Map<string, ObjectMeta>(),
): BucketState {
  return { name, creationDate, region, objects, sorted: undefined, lock: Promise.resolve() };
}

/** Runs `work` after every earlier locked operation on the bucket has settled. */
export function withLock<T>(bucket: BucketState, work: () => Promise<T>): Promise<T> {
  const run = bucket.lock.then(work);
  bucket.lock = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

/**
 * The buckets under s3-meta/, each with its objects' metadata. An interrupted commit is completed or
 * dropped first (commit.ts), so what is loaded is one version of each object.
 */
export async function loadBuckets(
  dataDir: string,
  metaRoot: string,
  objectFiles: ObjectFiles,
): Promise<BucketState[]> {
  const buckets: BucketState[] = [];
  for (const entry of await readdir(metaRoot, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(metaRoot, entry.name);
    const info = JSON.parse(await readFile(path.join(dir, 'bucket.json'), 'utf8')) as {
      creationDate: string;
      region?: string;
    };
    const objects = new Map<string, ObjectMeta>();
    // Before the temp files go: whether an interrupted commit moved its bytes is told by its temp file.
    await recoverCommits<ObjectMeta>(dataDir, path.join(dir, 'objects'), (dataPath) =>
      objectFiles.remove(entry.name, dataPath),
    );
    const files = (await readdir(path.join(dir, 'objects'))).filter((name) => META_FILE_NAME.test(name));
    for (const file of files) {
      try {
        const meta = JSON.parse(await readFile(path.join(dir, 'objects', file), 'utf8')) as ObjectMeta;
        objects.set(meta.key, meta);
      } catch {
        // Metadata written in place by an older version, cut short by a crash.
      }
    }
    buckets.push(newBucketState(entry.name, info.creationDate, info.region, objects));
  }
  return buckets;
}
