import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { putRecordCommand } from '../../../bin/commands/local-commands';
import { LOCAL_RESOURCE_NAMES } from '../../runner/local-resources';
import { runLocalJob } from '../../runner/run-job';
import { startLocalServices } from '../src';
import { acquireDataLock, DataFolderInUseError, LOCK_FILE } from '../src/data-lock';
import { startLocalServicesProcess } from '../src/process';

const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const MAIN = join(__dirname, '../../../bin/local-services.ts');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const names = LOCAL_RESOURCE_NAMES;
// The module object itself (an `import * as` is a copy under the test transform): a spy on it is seen
// by data-lock.ts.
const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');

let dir: string;
const spawned: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'data-lock-'));
});
afterEach(async () => {
  // A standalone that was not refused (a failing test) must not outlive it.
  for (const child of spawned.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
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

/** How many files under `root` contain `text`. */
async function grep(root: string, text: string): Promise<number> {
  let found = 0;
  for (const name of await readdir(root, { recursive: true })) {
    const file = join(root, name);
    if ((await stat(file)).isFile() && (await readFile(file, 'utf8')).includes(text)) found++;
  }
  return found;
}

/** The pid of a process that has exited (and was reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

/** `npm run local:services` as a user starts it: its own process, with its own stdout and stderr. */
function startStandalone(dataDir: string): {
  child: ChildProcess;
  output: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, '--port', '0', '--data-dir', dataDir]);
  spawned.push(child);
  let stderr = '';
  child.stderr?.on('data', (piece: Buffer) => {
    stderr += piece.toString();
  });
  const output = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
  return { child, output };
}

async function endpointOf(child: ChildProcess): Promise<string> {
  let stdout = '';
  for await (const piece of child.stdout as AsyncIterable<Buffer>) {
    stdout += piece.toString();
    const match = /AWS_ENDPOINT_URL=(\S+)/.exec(stdout);
    if (match) return match[1];
  }
  throw new Error(`the standalone services printed no endpoint: ${stdout}`);
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

  it('refuses a standalone local:services on the folder of a running run, naming the run', async () => {
    const dataDir = join(dir, 'services');
    // What `npm start` runs its services in: a child process of the run.
    const runServices = await startLocalServicesProcess({ dataDir });
    try {
      const { output } = startStandalone(dataDir);
      const { code, stderr } = await output;
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`process ${runServices.pid} started by process ${process.pid}`);
      expect(stderr).toContain(runServices.endpoint);
      expect(stderr).toContain(dataDir);
    } finally {
      await runServices.stop();
    }
  });

  it('refuses a run on the folder of a standalone local:services while put-record uses them, and runs there once they stopped', async () => {
    const input = join(dir, 'input.jsonl');
    await writeFile(input, '{"a":1}\n{"a":2}\n{"a":3}\n');
    const { child, output } = startStandalone(join(dir, 'services'));
    const endpoint = await endpointOf(child);
    const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'made-by-hand' }));
    s3.destroy();

    const quiet = { write: () => undefined, interactive: false };
    const refusal = await runLocalJob({
      dataDir: dir,
      inputFile: input,
      fastTimers: true,
      progress: quiet,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    // put-record has nothing to control on the services: it uses the ones that own the folder.
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await putRecordCommand('{"by":"put-record"}', { stream: names.streamName, dataDir: dir })).toBe(
        0,
      );
    } finally {
      stdout.mockRestore();
    }

    expect(refusal).toBeInstanceOf(DataFolderInUseError);
    expect((refusal as Error).message).toContain(`process ${child.pid}`);
    expect((refusal as Error).message).toContain(join(dir, 'services'));
    // The refused run wrote nothing: no run folder.
    await expect(readdir(join(dir, 'runs'))).rejects.toThrow(/ENOENT/);

    child.kill('SIGINT');
    expect(await output).toMatchObject({ code: 0, stderr: '' });
    const summary = await runLocalJob({ dataDir: dir, inputFile: input, fastTimers: true, progress: quiet });
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.records.delivered).toBe(3);
    // Same folder: the run's services saw the bucket made through the standalone ones.
    const buckets = await readdir(join(dir, 'services', 's3'));
    expect(buckets).toEqual(expect.arrayContaining(['made-by-hand', names.destinationBucket]));
    // The standalone services delivered the put-record line when they stopped, into the same folder.
    expect(await grep(join(dir, 'services', 's3', names.destinationBucket), '{"by":"put-record"}\n')).toBe(1);
  });
});
