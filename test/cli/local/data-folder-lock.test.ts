import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DataFolderInUseError, startLocalServicesProcess } from '@firehose-loader/local-services';
import { putRecordCommand } from '../../../bin/commands/local-commands';
import { LOCAL_RESOURCE_NAMES } from '../../../local/runner/local-resources';
import { runLocalJob } from '../../../local/runner/run-job';

/** `npm run local:services`, a run and put-record share one data folder: one owner at a time. */

const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const MAIN = join(__dirname, '../../../bin/local-services.ts');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const names = LOCAL_RESOURCE_NAMES;

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

/** How many files under `root` contain `text`. */
async function grep(root: string, text: string): Promise<number> {
  let found = 0;
  for (const name of await readdir(root, { recursive: true })) {
    const file = join(root, name);
    if ((await stat(file)).isFile() && (await readFile(file, 'utf8')).includes(text)) found++;
  }
  return found;
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

describe('one owner per local services data folder, across the CLI and the runner', () => {
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
