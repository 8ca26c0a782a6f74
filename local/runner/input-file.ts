import type { Stats } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../../functions/shared/errors';

/** What a path is, in words a person recognises in a refusal. */
function kindOf(entry: Stats): string {
  if (entry.isFile()) return 'a regular file';
  if (entry.isDirectory()) return 'a directory';
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  if (entry.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Refuses, in one line that names the path and what it is, anything but a readable regular file
 * (following links) as `--input`, before any service starts. A FIFO or a device has no fixed size and
 * may never end (a link to /dev/zero), so the staged object's size and bytes could disagree; a
 * directory or a missing file would otherwise fail deep inside the staging copy with a stack trace.
 * Checked without opening the file for reading, which would block on a FIFO with no writer.
 */
export async function checkInputFile(file: string): Promise<string> {
  const path = resolve(file);
  const link = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`--input ${file}: ${describeMissing(error)}`);
  });
  const target = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`--input ${file}: a link to a path that ${describeMissing(error)}`);
  });
  if (!target.isFile()) {
    const via = link.isSymbolicLink() ? `a link to ${await realpath(path).catch(() => '?')}, ` : '';
    throw new ConfigError(
      `--input ${file}: ${via}${kindOf(target)}, not a regular file; give a file of records`,
    );
  }
  // A regular file cannot block on open; opening it proves it is readable before anything starts.
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`--input ${file}: cannot be read (${error.code ?? error.message})`);
  });
  await handle.close();
  return path;
}

function describeMissing(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'does not exist';
  if (error.code === 'EACCES') return 'is not accessible (permission denied)';
  if (error.code === 'ENOTDIR') return 'does not exist (a part of the path is not a folder)';
  if (error.code === 'ELOOP') return 'is a loop of links';
  return `cannot be examined (${error.code ?? error.message})`;
}
