import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalServicesError } from './errors';

/**
 * One owner per local services data folder: <dataDir>/services.lock names the process that serves
 * the folder (pid, the process that started it, endpoint). It is taken before anything in the folder
 * is read or written, held until the services stop, and taken over when every process it names is
 * gone (a kill -9 leaves it behind). Two services on one folder would wipe each other's temp files and
 * disagree about buckets; the lock also proves to a resumed run that the old run's services are dead.
 */

export const LOCK_FILE = 'services.lock';
// A takeover holds its mutex for a few file operations; one older than this was left by a crash.
const TAKEOVER_STALE_MS = 10_000;
const ATTEMPTS = 20;
const RETRY_MS = 50;

export interface LockInfo {
  pid: number;
  /** Linux: the process's start time in clock ticks (/proc/<pid>/stat), so a reused pid is not taken for it. */
  pidStart?: string;
  /** The process that started these services (the local runner), if any: named in the refusal. */
  parentPid?: number;
  dataDir: string;
  startedAt: string;
  endpoint?: string;
}

/** Another live process owns the data folder. One line: who, which folder, what to do. */
export class DataFolderInUseError extends LocalServicesError {
  constructor(message: string) {
    super(message);
    this.name = 'DataFolderInUseError';
  }
}

function describeHolder(dataDir: string, holder: LockInfo): string {
  const parent =
    holder.parentPid !== undefined && holder.parentPid !== holder.pid
      ? ` started by process ${holder.parentPid}`
      : '';
  const serving = holder.endpoint ? `, serving ${holder.endpoint}` : '';
  return (
    `the local services data folder ${dataDir} is in use by process ${holder.pid}${parent}${serving}; ` +
    'stop that process (Ctrl-C where it runs) or use another --data-dir'
  );
}

export interface DataLock {
  readonly file: string;
  /** Records where the services listen, for the refusal a second owner gets. */
  setEndpoint(endpoint: string): Promise<void>;
  release(): Promise<void>;
}

/** Takes the folder's lock or throws DataFolderInUseError; creates the folder if it does not exist. */
export async function acquireDataLock(dataDir: string, parentPid?: number): Promise<DataLock> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockInfo = {
    pid: process.pid,
    pidStart: processStart(process.pid),
    ...(parentPid !== undefined ? { parentPid } : {}),
    dataDir,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // Read first: a refusal writes nothing at all in the folder.
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) {
      if (await createExclusive(file, mine)) return ownedLock(file, mine);
      continue; // someone took it meanwhile: read theirs
    }
    const holder = parseLock(text);
    if (holder && isHeld(holder)) throw new DataFolderInUseError(describeHolder(dataDir, holder));
    await takeOverStale(file, text, mine);
  }
  throw new Error(`could not take the lock ${file}: other processes keep taking it over`);
}

/** The lock's holder if a live process holds it, else undefined. */
export async function readDataLock(dataDir: string): Promise<LockInfo | undefined> {
  const text = await readFile(path.join(dataDir, LOCK_FILE), 'utf8').catch(() => undefined);
  const holder = text === undefined ? undefined : parseLock(text);
  return holder && isHeld(holder) ? holder : undefined;
}

function ownedLock(file: string, mine: LockInfo): DataLock {
  let released = false;
  return {
    file,
    async setEndpoint(endpoint) {
      // Replaced by rename: a reader sees the old content or the new, never half of it.
      const temp = `${file}.${randomUUID()}.tmp`;
      await writeFile(temp, JSON.stringify({ ...mine, endpoint }));
      await rename(temp, file);
    },
    async release() {
      if (released) return;
      released = true;
      const holder = parseLock(await readFile(file, 'utf8').catch(() => ''));
      if (holder?.pid === mine.pid && holder.startedAt === mine.startedAt)
        await unlink(file).catch(() => undefined);
    },
  };
}

/** Creates `file` with `info` only if it does not exist, whole or not at all (link is atomic). */
async function createExclusive(file: string, info: LockInfo): Promise<boolean> {
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, JSON.stringify(info));
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Removes a lock whose processes are gone, under a mutex (<lock>.takeover) so that two processes
 * taking over at once cannot remove each other's fresh lock: the lock is re-read under the mutex and
 * removed only if it is still the stale one. A mutex is removed only as the very one judged stale
 * (its exact content): one that vanished was just released, and the next attempt reads the new one.
 */
async function takeOverStale(file: string, staleText: string, mine: LockInfo): Promise<void> {
  const mutex = `${file}.takeover`;
  if (!(await createExclusive(mutex, mine))) {
    const text = await readIfThere(mutex);
    if (text === undefined) return; // released between our create and our read: try again
    const other = parseLock(text);
    const age = other ? Date.now() - Date.parse(other.startedAt) : Number.POSITIVE_INFINITY;
    if (other && isHeld(other) && age < TAKEOVER_STALE_MS) await sleep(RETRY_MS);
    else await removeIfUnchanged(mutex, text);
    return;
  }
  try {
    const now = await readIfThere(file);
    if (now === staleText) await removeIfUnchanged(file, staleText);
  } finally {
    await unlink(mutex).catch(() => undefined);
  }
}

/**
 * Removes `file` only if it still holds `text`. Moved aside first (rename is atomic) and checked there,
 * so a file another process put in its place after our read is never deleted: it is linked back (link
 * fails rather than replace a file made meanwhile). POSIX has no compare-and-delete; what is left is
 * the instant between the rename and the link back, and only for a file someone else just replaced.
 */
async function removeIfUnchanged(file: string, text: string): Promise<void> {
  const aside = `${file}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((await readIfThere(aside)) !== text) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** The file's text, or undefined if it does not exist (other errors are thrown). */
async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as LockInfo;
    return typeof value.pid === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Held while the services process is alive. Not while only its parent is: the parent writes to the
 * folder only through those services (their port dies with them), so it cannot change it any more.
 */
function isHeld(holder: LockInfo): boolean {
  return isAlive(holder.pid, holder.pidStart);
}

function isAlive(pid: number, start: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (!stat) return true; // not Linux, or raced with its exit: trust kill(0)
  // A zombie (killed, not yet reaped) is dead; a different start time means the pid was reused.
  return stat.state !== 'Z' && (start === undefined || stat.start === start);
}

function processStart(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/** /proc/<pid>/stat fields 3 (state) and 22 (start time); after the ")" that ends the command name. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], start: fields[19] };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
