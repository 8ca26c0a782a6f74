import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rerunFailed } from '../../../local/runner/rerun-failed';

/** rerun-failed redrives dead letters only: a run that has not finished is sent to `resume` first. */

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'firehose-loader-rerun-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function runFolder(runId: string, files: Record<string, unknown>) {
  const dir = join(dataDir, 'runs', runId);
  await mkdir(dir, { recursive: true });
  for (const [name, value] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(value));
}

describe('rerun-failed on a run that did not finish', () => {
  it('refuses an interrupted run with records pending and names the resume command', async () => {
    const summary = {
      runId: 'run-stopped',
      status: 'INTERRUPTED',
      records: { input: 10, delivered: 4, deadLettered: 0, rejected: 0, pending: 6, requeued: 0 },
      runDir: join(dataDir, 'runs', 'run-stopped'),
    };
    await runFolder('run-stopped', { 'summary.json': summary, 'input.json': {} });
    await expect(rerunFailed('run-stopped', { dataDir })).rejects.toThrow(
      `run run-stopped has 6 records pending (INTERRUPTED); go on with it first: npx firehose-loader resume run-stopped --data-dir ${dataDir}`,
    );
  });

  it('refuses a killed run (no summary) and names the resume command', async () => {
    await runFolder('run-killed', { 'input.json': {} });
    await expect(rerunFailed('run-killed', { dataDir })).rejects.toThrow(
      /run run-killed did not finish \(it has no summary\.json\); go on with it first: npx firehose-loader resume run-killed/,
    );
  });

  it('still says when there is no such run', async () => {
    await expect(rerunFailed('run-none', { dataDir })).rejects.toThrow(/no local run run-none/);
  });
});
