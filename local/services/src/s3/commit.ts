import { readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * How an object write stays all-or-nothing over a kill -9: S3 keeps the old version of a PUT it never
 * acknowledged (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel),
 * and claim/outcome keys are overwritten with If-Match, so losing both versions would lose a claim.
 *
 * A commit (1) writes an intent <hash>.json.pending whole (temp file + rename): the new metadata and
 * the temp file holding the new bytes, (2) renames the bytes into place, (3) renames the intent
 * over <hash>.json. At start-up an intent whose temp file still exists never moved its bytes: it is
 * dropped and the old version stands; one whose temp file is gone moved them: it is completed. So a
 * reader after a crash sees the old metadata with the old bytes or the new with the new, never neither.
 */

export const PENDING_SUFFIX = '.pending';

/** Tests only: the steps of a commit where a test may freeze it, as a kill -9 there would. */
export const CommitStep = { intentWritten: 'intent-written', dataPlaced: 'data-placed' } as const;
export type CommitStep = (typeof CommitStep)[keyof typeof CommitStep];

/** The new metadata itself (renamed into place as it is), with the temp file its bytes were in. */
export type CommitIntent<M> = M & {
  /** The temp file with the new bytes, relative to the data directory. */
  committedFrom: string;
};

/**
 * Finishes or drops the commits a crash interrupted in one bucket's metadata directory. `removeData`
 * deletes the previous version's bytes when the completed commit put the new ones elsewhere.
 */
export async function recoverCommits<M extends { dataPath: string }>(
  dataDir: string,
  objectsDir: string,
  removeData: (dataPath: string) => Promise<void>,
): Promise<void> {
  for (const name of await readdir(objectsDir)) {
    if (!name.endsWith(PENDING_SUFFIX)) continue;
    const pending = path.join(objectsDir, name);
    const intent = await readJson<CommitIntent<M>>(pending);
    const moved =
      typeof intent?.committedFrom === 'string' && !(await exists(path.join(dataDir, intent.committedFrom)));
    if (!intent || !moved) {
      await unlink(pending);
      continue;
    }
    const metaFile = pending.slice(0, -PENDING_SUFFIX.length);
    const previous = await readJson<M>(metaFile);
    await rename(pending, metaFile);
    if (previous && previous.dataPath !== intent.dataPath) await removeData(previous.dataPath);
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
