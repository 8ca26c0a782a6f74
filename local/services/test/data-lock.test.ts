import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalServices } from '../src';
import { acquireDataLock, DataFolderInUseError, LOCK_FILE } from '../src/data-lock';
import { startLocalServicesProcess } from '../src/process';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
// The module object itself (an `import * as` is a copy under the test transform): a spy on it is seen
// by data-lock.ts.
const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'data-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file and directory under `root`: names, sizes, modification times and content hashes. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (at: string) => {
    const info = await stat(at);
    if (info.isDirectory()) {
      result[at] = `dir ${info.mtimeMs}`;
      for (const name of await readdir(at)) await walk(join(at, name));
    } else {
      const hash = createHash('sha256')
        .update(await readFile(at))
        .digest('hex');
      result[at] = `${info.size} ${info.mtimeMs} ${hash}`;
    }
  };
  await walk(root);
  return result;
}

/** The pid of a process that has exited (and was reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe('one owner per local services data folder', () => {
  it('refuses a second owner with one line naming the pid and the folder, before it touches anything', async () => {
    const dataDir = join(dir, 'services');
    const first = await startLocalServicesProcess({ dataDir });
    try {
      const s3 = new S3Client({
        endpoint: first.endpoint,
        region: 'us-east-1',
        credentials,
        forcePathStyle: true,
      });
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a.txt', Body: 'a' }));
      s3.destroy();
      // An upload of the first owner in progress: the old second owner wiped these before failing.
      await writeFile(join(dataDir, 's3-meta', '.tmp', 'upload-in-progress'), 'partial');
      const before = await snapshot(dataDir);

      const refusal = await startLocalServices({ dataDir }).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(refusal).toBeInstanceOf(DataFolderInUseError);
      const message = (refusal as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain(`process ${first.pid}`);
      expect(message).toContain(dataDir);
      expect(message).toContain(first.endpoint);
      expect(await snapshot(dataDir)).toEqual(before);
    } finally {
      await first.stop();
    }
    // Stopping releases the folder.
    await expect(readFile(join(dataDir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock whose process is gone, or whose pid now belongs to another process', async () => {
    const dataDir = join(dir, 'services');
    await mkdir(dataDir);
    const stale = { pid: await deadPid(), dataDir, startedAt: new Date().toISOString() };
    await writeFile(join(dataDir, LOCK_FILE), JSON.stringify(stale));
    const services = await startLocalServices({ dataDir });
    expect(JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      endpoint: services.endpoint,
    });
    await services.stop();

    // A live pid with another start time than the lock recorded: the pid was reused.
    const reused = { pid: process.ppid, pidStart: 'not-its-start-time', dataDir, startedAt: stale.startedAt };
    await writeFile(join(dataDir, LOCK_FILE), JSON.stringify(reused));
    const again = await startLocalServices({ dataDir });
    await again.stop();
  });

  it('never removes a takeover mutex that a third process took right after the one it saw was released', async () => {
    const dataDir = join(dir, 'services');
    await mkdir(dataDir);
    const startedAt = new Date().toISOString();
    await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: await deadPid(), dataDir, startedAt }));
    // A live process is taking the stale lock over: its mutex makes our exclusive create fail.
    const mutex = join(dataDir, `${LOCK_FILE}.takeover`);
    await writeFile(mutex, JSON.stringify({ pid: process.pid, dataDir, startedAt }));
    const third = JSON.stringify({ pid: process.pid, dataDir, startedAt: new Date().toISOString() });
    const realReadFile = fsPromises.readFile;
    let mutexReads = 0;
    let onSecondRead: () => void = () => undefined;
    const secondRead = new Promise<void>((resolve) => {
      onSecondRead = resolve;
    });
    // The interleaving, made deterministic: between our failed create and our read, that process
    // releases its mutex and a third one takes it; so our read finds no file.
    const spy = jest.spyOn(fsPromises, 'readFile').mockImplementation((async (...args: unknown[]) => {
      if (args[0] === mutex && ++mutexReads === 1) {
        await writeFile(mutex, third);
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${mutex}'`), {
          code: 'ENOENT',
        });
      }
      if (args[0] === mutex && mutexReads === 2) onSecondRead();
      return (realReadFile as (...a: unknown[]) => Promise<unknown>)(...args);
    }) as typeof fsPromises.readFile);
    try {
      const acquiring = acquireDataLock(dataDir);
      const first = await Promise.race([
        acquiring.then(() => 'took the lock under the third process'),
        secondRead.then(() => 'waits for the third process'),
      ]);

      expect(first).toBe('waits for the third process');
      expect(await realReadFile(mutex, 'utf8')).toBe(third);
      await unlink(mutex); // the third process is done
      const lock = await acquiring;
      expect(JSON.parse(await realReadFile(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({
        pid: process.pid,
      });
      await lock.release();
    } finally {
      spy.mockRestore();
    }
  });

  it('removes a takeover mutex left by a killed process and takes the stale lock', async () => {
    const dataDir = join(dir, 'services');
    await mkdir(dataDir);
    const stale = JSON.stringify({ pid: await deadPid(), dataDir, startedAt: new Date().toISOString() });
    await writeFile(join(dataDir, LOCK_FILE), stale);
    await writeFile(join(dataDir, `${LOCK_FILE}.takeover`), stale);
    const lock = await acquireDataLock(dataDir);
    expect(JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    // Nothing left behind: no mutex, no file moved aside.
    expect(await readdir(dataDir)).toEqual([LOCK_FILE]);
    await lock.release();
  });
});
