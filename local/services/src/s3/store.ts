import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { replaceFile, syncPath } from '../durable-file';
import { type BucketState, loadBuckets, newBucketState, withLock } from './bucket-state';
import { type CommitIntent, CommitStep, PENDING_SUFFIX } from './commit';
import { DigestStream, type StoredChecksum } from './digest';
import { lowerBound } from './list';
import { copyWithMd5, ignoreMissing, ObjectFiles, sha256 } from './object-files';
import type { ObjectHeaders, ObjectMeta } from './object-meta';

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

export class S3Store {
  private readonly buckets = new Map<string, BucketState>();
  readonly s3Root: string;
  readonly metaRoot: string;
  private readonly files: ObjectFiles;

  constructor(
    readonly dataDir: string,
    private readonly hooks: S3StoreHooks = {},
  ) {
    this.s3Root = path.join(dataDir, 's3');
    this.metaRoot = path.join(dataDir, 's3-meta');
    this.files = new ObjectFiles(dataDir, this.s3Root, this.metaRoot);
  }

  async init(): Promise<void> {
    // Bucket names cannot start with '.', so these never collide with a bucket's directory.
    await mkdir(path.join(this.metaRoot, '.uploads'), { recursive: true });
    await mkdir(this.s3Root, { recursive: true });
    for (const bucket of await loadBuckets(this.dataDir, this.metaRoot, this.files)) {
      this.buckets.set(bucket.name, bucket);
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
    const state = newBucketState(name, new Date().toISOString(), region);
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
    return withLock(bucket, async () => {
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
    return withLock(bucket, async () => {
      const previous = bucket.objects.get(key);
      try {
        precondition?.(previous);
      } catch (error) {
        await rm(tempFile, { force: true });
        throw error;
      }
      const meta = await this.replaceVersion(bucketName, key, tempFile, fields, options.sync ?? false);
      if (previous && previous.dataPath !== meta.dataPath) {
        await this.files.remove(bucketName, previous.dataPath);
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
      dataPath = await this.files.place(bucketName, key, tempFile, async (candidate) => {
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
    const { md5, size } = await copyWithMd5(file, temp);
    return this.commit(bucket, key, temp, { etag: `"${md5}"`, size, contentType, userMetadata: {} });
  }

  /** False when there was no such object. */
  deleteObject(bucketName: string, key: string): Promise<boolean> {
    const bucket = this.bucket(bucketName);
    return withLock(bucket, async () => {
      const meta = bucket.objects.get(key);
      if (!meta) return false;
      bucket.objects.delete(key);
      const at = bucket.sorted ? lowerBound(bucket.sorted, key) : -1;
      if (at >= 0 && bucket.sorted?.[at] === key) bucket.sorted.splice(at, 1);
      await unlink(this.metaFile(bucketName, key)).catch(ignoreMissing);
      await this.files.remove(bucketName, meta.dataPath);
      return true;
    });
  }

  private bucket(name: string): BucketState {
    const state = this.buckets.get(name);
    if (!state) throw new Error(`no bucket ${name}`);
    return state;
  }

  private metaFile(bucket: string, key: string): string {
    return path.join(this.metaRoot, bucket, 'objects', `${sha256(key)}.json`);
  }
}
