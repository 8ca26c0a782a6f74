import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';

// Linux NAME_MAX: a path segment longer than 255 bytes cannot be a file name.
const MAX_FILE_NAME_BYTES = 255;
const FILE_READ_BYTES = 1024 * 1024;

/**
 * Where an object's bytes live: a plain file at s3/<bucket>/<key> when the key can be one, so people
 * can open delivered output; else s3-meta/<bucket>/fallback/<sha256(key)> (a "dir/" marker, an empty,
 * "." or ".." segment, a key that is also another key's "directory"). Paths are kept relative to the
 * data directory.
 */
export class ObjectFiles {
  constructor(
    private readonly dataDir: string,
    private readonly s3Root: string,
    private readonly metaRoot: string,
  ) {}

  /** Renames the temp file to where the object's bytes go; `beforeRename` sees each target first. */
  async place(
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
  async remove(bucket: string, dataPath: string): Promise<void> {
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

/**
 * Copies a local file to `temp` and hashes it: the kernel copies while the MD5 reads in large pieces,
 * faster than one pass through a stream. Removes `temp` if either fails.
 */
export async function copyWithMd5(file: string, temp: string): Promise<{ md5: string; size: number }> {
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
  return { md5: md5.digest('hex'), size };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function isErrno(error: unknown, code: string): boolean {
  // Duck-typed: errors from another realm (jest's sandbox) are not `instanceof Error` here.
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

export function ignoreMissing(error: unknown): void {
  if (!isErrno(error, 'ENOENT')) throw error;
}
