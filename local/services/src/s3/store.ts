import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import {
  copyFile,
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { replaceFile, syncPath } from '../durable-file';
import { type CommitIntent, CommitStep, PENDING_SUFFIX, recoverCommits } from './commit';
import { DigestStream, type StoredChecksum } from './digest';
import { lowerBound } from './list';

/**
 * The object store behind local S3, also written to directly by local Firehose.
 *
 * Objects are plain files at <dataDir>/s3/<bucket>/<key> so people can open delivered output.
 * Metadata (ETag, content type, user metadata) lives in <dataDir>/s3-meta/<bucket>/objects/<sha256(key)>.json,
 * which cannot collide with any key. Keys that cannot be a plain file (a "dir/" folder marker, empty,
 * "." or ".." segments, a key that is also another key's "directory") are stored under
 * s3-meta/<bucket>/fallback/ instead; the metadata records where each object's bytes are.
 * Uploads are written to a temp file and renamed into place, so a reader never sees half an object;
 * an overwrite is old or new after a crash, never neither (s3-commit.ts).
 */

export interface S3StoreHooks {
  /** Tests only: awaited at each step of a commit; a promise that never settles freezes it there. */
  atCommitStep?: (step: CommitStep) => Promise<void>;
}

export interface ObjectHeaders {
  contentType: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  expires?: string;
  userMetadata: Record<string, string>;
}

export interface ObjectMeta extends ObjectHeaders {
  key: string;
  /** Quoted, as S3 sends it. */
  etag: string;
  size: number;
  /** ISO 8601. */
  lastModified: string;
  /** Where the bytes are, relative to the data directory. */
  dataPath: string;
  /** The flexible checksum the object was uploaded with, returned with ChecksumMode=ENABLED. */
  checksum?: StoredChecksum;
}

interface BucketState {
  name: string;
  creationDate: string;
  /** Its LocationConstraint, or undefined for a bucket made before regions were kept (the service's). */
  region: string | undefined;
  objects: Map<string, ObjectMeta>;
  sorted: string[] | undefined;
  /** Commits and deletes in one bucket run one at a time: they create and prune directories. */
  lock: Promise<void>;
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const FILE_READ_BYTES = 1024 * 1024;

const META_FILE_NAME = /^[0-9a-f]{64}\.json$/;

// Linux NAME_MAX: a path segment longer than 255 bytes cannot be a file name.
const MAX_FILE_NAME_BYTES = 255;

export class S3Store {
  private readonly buckets = new Map<string, BucketState>();
  readonly s3Root: string;
  readonly metaRoot: string;

  constructor(
    readonly dataDir: string,
    private readonly hooks: S3StoreHooks = {},
  ) {
    this.s3Root = path.join(dataDir, 's3');
    this.metaRoot = path.join(dataDir, 's3-meta');
  }

  async init(): Promise<void> {
    // Bucket names cannot start with '.', so these never collide with a bucket's directory.
    await mkdir(path.join(this.metaRoot, '.uploads'), { recursive: true });
    await mkdir(this.s3Root, { recursive: true });
    for (const entry of await readdir(this.metaRoot, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dir = path.join(this.metaRoot, entry.name);
      const info = JSON.parse(await readFile(path.join(dir, 'bucket.json'), 'utf8')) as {
        creationDate: string;
        region?: string;
      };
      const objects = new Map<string, ObjectMeta>();
      // Before the temp files go: whether an interrupted commit moved its bytes is told by its temp file.
      await recoverCommits<ObjectMeta>(this.dataDir, path.join(dir, 'objects'), (dataPath) =>
        this.removeData(entry.name, dataPath),
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
      this.buckets.set(entry.name, {
        name: entry.name,
        creationDate: info.creationDate,
        region: info.region,
        objects,
        sorted: undefined,
        lock: Promise.resolve(),
      });
    }
    await rm(path.join(this.metaRoot, '.tmp'), { recursive: true, force: true });
    await mkdir(path.join(this.metaRoot, '.tmp'), { recursive: true });
  }

  listBuckets(): { name: string; creationDate: string }[] {
    return [...this.buckets.values()]
      .map(({ name, creationDate }) => ({ name, creationDate }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  /** The region a bucket was created in, if it was recorded. */
  bucketRegion(name: string): string | undefined {
    return this.buckets.get(name)?.region;
  }

  /** False when the bucket already exists. */
  async createBucket(name: string, region?: string): Promise<boolean> {
    if (this.buckets.has(name)) return false;
    const state: BucketState = {
      name,
      creationDate: new Date().toISOString(),
      region,
      objects: new Map(),
      sorted: undefined,
      lock: Promise.resolve(),
    };
    this.buckets.set(name, state);
    await mkdir(path.join(this.s3Root, name), { recursive: true });
    await mkdir(path.join(this.metaRoot, name, 'objects'), { recursive: true });
    await writeFile(
      path.join(this.metaRoot, name, 'bucket.json'),
      JSON.stringify({ creationDate: state.creationDate, region }),
    );
    return true;
  }

  async deleteBucket(name: string): Promise<'deleted' | 'NoSuchBucket' | 'BucketNotEmpty'> {
    const bucket = this.buckets.get(name);
    if (!bucket) return 'NoSuchBucket';
    if (bucket.objects.size > 0) return 'BucketNotEmpty';
    this.buckets.delete(name);
    await rm(path.join(this.s3Root, name), { recursive: true, force: true });
    await rm(path.join(this.metaRoot, name), { recursive: true, force: true });
    return 'deleted';
  }

  getObject(bucket: string, key: string): ObjectMeta | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  /** Keys in S3's order: by UTF-8 bytes, which differs from JS string order above U+FFFF. */
  sortedKeys(bucket: string): string[] {
    const state = this.bucket(bucket);
    if (!state.sorted) {
      const withBytes = [...state.objects.keys()].map((key) => ({ key, bytes: Buffer.from(key) }));
      withBytes.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
      state.sorted = withBytes.map(({ key }) => key);
    }
    return state.sorted;
  }

  /**
   * The object's metadata and its bytes, opened as one version. Taken under the bucket's lock: an
   * overwrite renames the new bytes into place before it records their metadata, and a read between
   * the two would pair one version's ETag with the other's bytes, which S3 never serves.
   */
  openObject(bucketName: string, key: string): Promise<{ meta: ObjectMeta; file: FileHandle } | undefined> {
    const bucket = this.bucket(bucketName);
    return this.withLock(bucket, async () => {
      const meta = bucket.objects.get(key);
      if (!meta) return undefined;
      return { meta, file: await open(path.join(this.dataDir, meta.dataPath), 'r') };
    });
  }

  readStream(meta: ObjectMeta, range?: { start: number; end: number }): ReadStream {
    return createReadStream(path.join(this.dataDir, meta.dataPath), range);
  }

  /** A fresh temp file path for an upload in progress (same file system as the objects, for rename). */
  tempPath(): string {
    return path.join(this.metaRoot, '.tmp', randomUUID());
  }

  uploadsRoot(): string {
    return path.join(this.metaRoot, '.uploads');
  }

  /**
   * Moves a finished temp file into place as the object `key` and records its metadata. `precondition`
   * sees the current object under the bucket's lock, so a conditional write is atomic; if it throws,
   * the temp file is removed and nothing changes.
   */
  commit(
    bucketName: string,
    key: string,
    tempFile: string,
    fields: { etag: string; size: number; checksum?: StoredChecksum } & ObjectHeaders,
    precondition?: (current: ObjectMeta | undefined) => void,
    options: { sync?: boolean } = {},
  ): Promise<ObjectMeta> {
    const bucket = this.bucket(bucketName);
    return this.withLock(bucket, async () => {
      const previous = bucket.objects.get(key);
      try {
        precondition?.(previous);
      } catch (error) {
        await rm(tempFile, { force: true });
        throw error;
      }
      const meta = await this.replaceVersion(bucketName, key, tempFile, fields, options.sync ?? false);
      if (previous && previous.dataPath !== meta.dataPath) {
        await this.removeData(bucketName, previous.dataPath);
      }
      // Kept sorted in place: a bucket listed between many puts (outcome lookups) is not re-sorted each time.
      if (!previous) bucket.sorted?.splice(lowerBound(bucket.sorted, key), 0, key);
      bucket.objects.set(key, meta);
      return meta;
    });
  }

  /** Steps (1)-(3) of s3-commit.ts: intent, bytes into place, intent over the old metadata. */
  private async replaceVersion(
    bucketName: string,
    key: string,
    tempFile: string,
    fields: { etag: string; size: number; checksum?: StoredChecksum } & ObjectHeaders,
    sync: boolean,
  ): Promise<ObjectMeta> {
    const metaFile = this.metaFile(bucketName, key);
    const pending = `${metaFile}${PENDING_SUFFIX}`;
    const meta: ObjectMeta = { ...fields, key, lastModified: new Date().toISOString(), dataPath: '' };
    let dataPath: string;
    try {
      dataPath = await this.place(bucketName, key, tempFile, async (candidate) => {
        meta.dataPath = candidate;
        const intent: CommitIntent<ObjectMeta> = {
          ...meta,
          committedFrom: path.relative(this.dataDir, tempFile),
        };
        await replaceFile(this.tempPath(), pending, JSON.stringify(intent), sync);
        await this.hooks.atCommitStep?.(CommitStep.intentWritten);
      });
    } catch (error) {
      // The bytes did not move (a rename either happens or throws): the old version stands.
      await unlink(pending).catch(ignoreMissing);
      await rm(tempFile, { force: true });
      throw error;
    }
    if (sync) await syncPath(path.dirname(path.join(this.dataDir, dataPath)));
    await this.hooks.atCommitStep?.(CommitStep.dataPlaced);
    await rename(pending, metaFile);
    if (sync) await syncPath(path.dirname(metaFile));
    return meta;
  }

  /**
   * Writes an object from memory (Firehose delivery), without going through HTTP. With `sync` the
   * bytes are fsynced before the rename and the rename and metadata after it: once this resolves the
   * object survives a power cut, so Firehose may drop its buffered copy.
   */
  async putBuffers(
    bucket: string,
    key: string,
    buffers: Buffer[],
    contentType: string,
    options: { sync?: boolean } = {},
  ): Promise<ObjectMeta> {
    const temp = this.tempPath();
    const digest = new DigestStream([]);
    await pipeline(Readable.from(buffers), digest, createWriteStream(temp));
    if (options.sync) await syncPath(temp);
    return this.commit(
      bucket,
      key,
      temp,
      {
        etag: `"${digest.result().md5.toString('hex')}"`,
        size: digest.bytes,
        contentType,
        userMetadata: {},
      },
      undefined,
      { sync: options.sync },
    );
  }

  /** Writes an object from a local file (the runner staging its input), without going through HTTP. */
  async putFile(bucket: string, key: string, file: string, contentType: string): Promise<ObjectMeta> {
    const temp = this.tempPath();
    // The kernel copies while the MD5 reads in large pieces: faster than one pass through a stream.
    const md5 = createHash('md5');
    let size = 0;
    const hashing = (async () => {
      for await (const piece of createReadStream(file, { highWaterMark: FILE_READ_BYTES })) {
        md5.update(piece as Buffer);
        size += (piece as Buffer).length;
      }
    })();
    // Both settle before the temp file is removed: a copy still running would write it again.
    const failed = (await Promise.allSettled([copyFile(file, temp), hashing])).find(
      (result) => result.status === 'rejected',
    );
    if (failed) {
      await rm(temp, { force: true });
      throw failed.reason;
    }
    return this.commit(bucket, key, temp, {
      etag: `"${md5.digest('hex')}"`,
      size,
      contentType,
      userMetadata: {},
    });
  }

  /** False when there was no such object. */
  deleteObject(bucketName: string, key: string): Promise<boolean> {
    const bucket = this.bucket(bucketName);
    return this.withLock(bucket, async () => {
      const meta = bucket.objects.get(key);
      if (!meta) return false;
      bucket.objects.delete(key);
      const at = bucket.sorted ? lowerBound(bucket.sorted, key) : -1;
      if (at >= 0 && bucket.sorted?.[at] === key) bucket.sorted.splice(at, 1);
      await unlink(this.metaFile(bucketName, key)).catch(ignoreMissing);
      await this.removeData(bucketName, meta.dataPath);
      return true;
    });
  }

  private bucket(name: string): BucketState {
    const state = this.buckets.get(name);
    if (!state) throw new Error(`no bucket ${name}`);
    return state;
  }

  private withLock<T>(bucket: BucketState, work: () => Promise<T>): Promise<T> {
    const run = bucket.lock.then(work);
    bucket.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private metaFile(bucket: string, key: string): string {
    return path.join(this.metaRoot, bucket, 'objects', `${sha256(key)}.json`);
  }

  /** Renames the temp file to where the object's bytes go; `beforeRename` sees each target first. */
  private async place(
    bucket: string,
    key: string,
    tempFile: string,
    beforeRename: (dataPath: string) => Promise<void>,
  ): Promise<string> {
    const segments = key.split('/');
    const plain = segments.every(
      (s) =>
        s !== '' &&
        s !== '.' &&
        s !== '..' &&
        !s.includes('\0') &&
        Buffer.byteLength(s) <= MAX_FILE_NAME_BYTES,
    );
    if (plain) {
      const target = path.join(this.s3Root, bucket, ...segments);
      // Rename first and create directories only when missing: the common case is one system call.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await beforeRename(path.relative(this.dataDir, target));
          await rename(tempFile, target);
          return path.relative(this.dataDir, target);
        } catch (error) {
          if (attempt === 0 && isErrno(error, 'ENOENT')) {
            try {
              await mkdir(path.dirname(target), { recursive: true });
              continue;
            } catch (mkdirError) {
              if (!isErrno(mkdirError, 'ENOTDIR') && !isErrno(mkdirError, 'EEXIST')) throw mkdirError;
            }
          } else if (!['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY'].some((code) => isErrno(error, code))) {
            throw error;
          }
          // The key is also a "directory" of other keys, or a prefix of it is an object: fall back below.
          break;
        }
      }
    }
    const fallbackDir = path.join(this.metaRoot, bucket, 'fallback');
    await mkdir(fallbackDir, { recursive: true });
    const target = path.join(fallbackDir, sha256(key));
    await beforeRename(path.relative(this.dataDir, target));
    await rename(tempFile, target);
    return path.relative(this.dataDir, target);
  }

  /** Deletes an object's bytes and then the directories that only existed for it. */
  private async removeData(bucket: string, dataPath: string): Promise<void> {
    const file = path.join(this.dataDir, dataPath);
    await unlink(file).catch(ignoreMissing);
    const bucketRoot = path.join(this.s3Root, bucket);
    let dir = path.dirname(file);
    while (dir.startsWith(`${bucketRoot}${path.sep}`)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isErrno(error: unknown, code: string): boolean {
  // Duck-typed: errors from another realm (jest's sandbox) are not `instanceof Error` here.
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function ignoreMissing(error: unknown): void {
  if (!isErrno(error, 'ENOENT')) throw error;
}
