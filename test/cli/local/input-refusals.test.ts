import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDataDir } from '../../e2e/helpers';
import { npxFirehoseLoader, oneJsonDocument } from './cli';

/**
 * `npx firehose-loader run --input X --json` with an X that is not a regular file: one line on stderr
 * naming the path and what it is, exit code 1, no stack trace, one JSON document on stdout, and no
 * service started (the data folder is not even created).
 */

let data: Awaited<ReturnType<typeof tempDataDir>>;
beforeAll(async () => {
  data = await tempDataDir();
});
afterAll(() => data.cleanup());

async function refuse(input: string, kind: RegExp) {
  const dataDir = join(data.dir, 'never-created');
  const run = npxFirehoseLoader(['run', '--input', input, '--json', '--data-dir', dataDir]);
  const { code } = await run.exit;
  const lines = run.stderr().trimEnd().split('\n');
  expect({ code, lines: lines.length }).toEqual({ code: 1, lines: 1 });
  expect(lines[0]).toContain(`--input ${input}`);
  expect(lines[0]).toMatch(kind);
  expect(lines[0]).not.toMatch(/unexpected error|\bat \//);
  expect(oneJsonDocument<{ status: string; error: { message: string } }>(run.stdout())).toEqual({
    status: 'FAILED',
    error: { name: 'ConfigError', message: expect.stringMatching(kind) },
  });
  expect(existsSync(dataDir)).toBe(false);
}

describe('run --input refuses anything but a regular file before anything starts', () => {
  it('names a missing file', () => refuse(join(data.dir, 'my-records.jsonl'), /does not exist/), 60_000);

  it('names a directory', () => refuse(data.dir, /a directory, not a regular file/), 60_000);

  it('names a FIFO, without waiting for a writer', async () => {
    const fifo = join(data.dir, 'records.fifo');
    execFileSync('mkfifo', [fifo]);
    await refuse(fifo, /a named pipe \(FIFO\), not a regular file/);
  }, 60_000);

  it('names a device', () => refuse('/dev/null', /a character device, not a regular file/), 60_000);

  it('names a link to /dev/zero and where it points', async () => {
    await mkdir(join(data.dir, 'links'), { recursive: true });
    const link = join(data.dir, 'links', 'endless.jsonl');
    await symlink('/dev/zero', link);
    await refuse(link, /a link to \/dev\/zero, a character device, not a regular file/);
  }, 60_000);
});
