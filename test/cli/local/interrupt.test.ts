import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from '../../../functions/shared/run';
import { expectedLines, linesOf, mockFile, tempDataDir } from '../../e2e/helpers';
import { npxFirehoseLoader, oneJsonDocument, signalGroup } from './cli';

/**
 * Ctrl-C as a person presses it: `npx firehose-loader run --json` in a process group of its own, SIGINT
 * to the whole group. The local Firehose answers each request after 1.5 s and one chunk is in flight at
 * a time, so a run of 16 chunks is still sending when the first progress line shows, whatever the
 * machine's speed; stopping waits for at most the one call in flight.
 */

const RECORDS = 8000;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let input: string;

beforeAll(async () => {
  data = await tempDataDir();
  input = await mockFile(data.dir, RECORDS, 'jsonl');
});
afterAll(() => data.cleanup());

const slowRun = (dataDir: string) => [
  'run',
  '--input',
  input,
  '--json',
  '--fast-timers',
  '--concurrency',
  '1',
  '--latency-ms',
  '1500',
  '--data-dir',
  dataDir,
];

/**
 * The command ends as a shell reports Ctrl-C: the CLI exits 130; npx (npm exec) itself dies of the
 * SIGINT the terminal sent the group, which a shell also shows as 130.
 */
function expectInterruptExit(exit: { code: number | null; signal: NodeJS.Signals | null }) {
  expect(exit.code === 130 || exit.signal === 'SIGINT').toBe(true);
}

function expectAddsUp(summary: RunSummary) {
  const r = summary.records;
  expect(r.input).toBe(r.delivered + r.deadLettered + r.rejected + r.pending);
}

describe('Ctrl-C during a local run, then resume', () => {
  it('stops sending, writes an INTERRUPTED summary that adds up, and resume delivers the rest exactly once', async () => {
    const dataDir = join(data.dir, 'once');
    const run = npxFirehoseLoader(slowRun(dataDir));
    await run.waitFor(/round 0: [^\n]*\b\d+\/\d+ chunks done/);
    signalGroup(run, 'SIGINT');
    expectInterruptExit(await run.exit);
    const stopped = oneJsonDocument<RunSummary>(run.stdout());
    expect(stopped.status).toBe('INTERRUPTED');
    expect(stopped.records.input).toBe(RECORDS);
    expectAddsUp(stopped);
    expect(stopped.records.delivered).toBeGreaterThan(0);
    expect(stopped.records.pending).toBeGreaterThan(0);
    expect(run.stderr()).toMatch(
      /interrupted with \d+ records pending; to finish it: npx firehose-loader resume/,
    );
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    // What the summary counts as delivered is in the destination already (flushed when stopping).
    expect((await linesOf(stopped.output.files)).length).toBe(stopped.records.delivered);
    const saved = JSON.parse(await readFile(join(stopped.runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(saved.status).toBe('INTERRUPTED');

    const resumed = npxFirehoseLoader(['resume', stopped.runId, '--json', '--data-dir', dataDir]);
    const end = await resumed.exit;
    const summary = oneJsonDocument<RunSummary>(resumed.stdout());
    expect({ code: end.code, status: summary.status }).toEqual({ code: 0, status: 'SUCCEEDED' });
    expect(summary.records).toMatchObject({
      input: RECORDS,
      delivered: RECORDS,
      pending: 0,
      deadLettered: 0,
    });
    expect(summary.parts).toEqual([{ status: 'INTERRUPTED', durationMs: stopped.durationMs }]);
    expect(summary.durationMs).toBeGreaterThan(stopped.durationMs);
    // Every record once: the destination's lines equal the input's as a multiset.
    expect(await linesOf(summary.output.files)).toEqual(await expectedLines(input));
  }, 240_000);

  it('exits at once on a second Ctrl-C, and the run can still be resumed to a complete load', async () => {
    const dataDir = join(data.dir, 'twice');
    const run = npxFirehoseLoader(slowRun(dataDir));
    await run.waitFor(/round 0: [^\n]*\b\d+\/\d+ chunks done/);
    signalGroup(run, 'SIGINT');
    await run.waitFor(/Ctrl-C again exits at once/);
    signalGroup(run, 'SIGINT');
    expectInterruptExit(await run.exit);
    expect(run.stderr()).toMatch(/interrupted again: exiting now/);
    expect(run.stdout()).toBe('');
    const runId = /run (run-\S+): local services/.exec(run.stderr())?.[1] as string;

    const resumed = npxFirehoseLoader(['resume', runId, '--json', '--data-dir', dataDir]);
    const end = await resumed.exit;
    const summary = oneJsonDocument<RunSummary>(resumed.stdout());
    expect({ code: end.code, status: summary.status }).toEqual({ code: 0, status: 'SUCCEEDED' });
    expect(summary.records).toMatchObject({ input: RECORDS, delivered: RECORDS, pending: 0 });
    expect(summary.parts).toEqual([{ status: 'KILLED', durationMs: null }]);
    // A chunk in flight at the exit left a claim without an outcome: the resume takes it over and
    // counts its records as possible duplicates. Every input line is there; no more duplicates than counted.
    const lines = await linesOf(summary.output.files);
    const expected = await expectedLines(input);
    expect([...new Set(lines)]).toEqual([...new Set(expected)]);
    expect(lines.length - expected.length).toBeLessThanOrEqual(summary.records.possibleDuplicates);
  }, 240_000);
});
