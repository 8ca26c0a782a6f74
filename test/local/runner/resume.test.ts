import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../../functions/shared/run';
import { resumeLocalJob } from '../../../local/runner/resume';
import { earlierParts } from '../../../local/runner/run-files';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'firehose-loader-resume-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const summaryOf = (status: RunSummary['status'], durationMs: number, parts?: RunSummary['parts']) =>
  ({ status, durationMs, ...(parts ? { parts } : {}) }) as RunSummary;

describe('resume', () => {
  it('names the folder when there is no such run (before any service starts)', async () => {
    await expect(resumeLocalJob('run-none', { dataDir })).rejects.toThrow(
      `no local run run-none: ${join(dataDir, 'runs', 'run-none')} does not exist`,
    );
  });

  it('says a run stopped before staging its input sent nothing', async () => {
    await mkdir(join(dataDir, 'runs', 'run-early'), { recursive: true });
    await expect(resumeLocalJob('run-early', { dataDir })).rejects.toThrow(
      /nothing was sent; start it again/,
    );
  });

  it('refuses a run that already succeeded', async () => {
    const dir = join(dataDir, 'runs', 'run-done');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'input.json'), '{}');
    await writeFile(join(dir, 'destination-before.json'), '[]');
    await writeFile(join(dir, 'local-options.json'), '{}');
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summaryOf('SUCCEEDED', 10)));
    await expect(resumeLocalJob('run-done', { dataDir })).rejects.toThrow('run run-done already succeeded');
  });
});

describe('the earlier parts of a resumed run', () => {
  it('are those the last summary lists, its own part, then a killed part for each start since', () => {
    const summary = summaryOf('INTERRUPTED', 300, [
      { status: 'KILLED', durationMs: null },
      { status: 'FAILED', durationMs: 100 },
    ]);
    expect(earlierParts({ attempts: 5, summary })).toEqual([
      { status: 'KILLED', durationMs: null },
      { status: 'FAILED', durationMs: 100 },
      { status: 'INTERRUPTED', durationMs: 200 },
      { status: 'KILLED', durationMs: null },
      { status: 'KILLED', durationMs: null },
    ]);
  });

  it('are all killed when no part wrote a summary', () => {
    expect(earlierParts({ attempts: 2 })).toEqual([
      { status: 'KILLED', durationMs: null },
      { status: 'KILLED', durationMs: null },
    ]);
  });
});
