import { randomUUID } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Small files that are either absent or whole after a kill: written to a temp file on the same file
 * system, fsynced, renamed into place, and the directory entry fsynced. The Firehose buffer's key files
 * and S3's commit intents both rely on it.
 */
export async function replaceFile(temp: string, file: string, text: string, sync: boolean): Promise<void> {
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text);
      if (sync) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    // Disk full or an I/O error: the caller retries, so no temp file may pile up meanwhile.
    await unlinkIfThere(temp).catch(() => undefined);
    throw error;
  }
  if (sync) await syncPath(path.dirname(file));
}

/** `replaceFile` through a temp file beside `file`. */
export function writeFileDurably(file: string, text: string, sync: boolean): Promise<void> {
  return replaceFile(`${file}.${randomUUID()}.tmp`, file, text, sync);
}

/** fsync of a file or a directory (a directory: its entries, so a rename or a new file is durable). */
export async function syncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function unlinkIfThere(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
