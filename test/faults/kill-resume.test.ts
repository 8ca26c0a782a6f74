import { execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from '../../functions/shared/run';
import { type Checkpoint, readCheckpoint } from '../../local/runner/checkpoint';
import { resumeLocalJob } from '../../local/runner/resume';
import { REPO } from '../cli/local/cli';
import { linesOf, tempDataDir } from '../e2e/helpers';

/**
 * kill -9 of every process of a local run (the local services' process first, then the runner) at
 * several points, then `resume`: every record must end delivered, dead-lettered or rejected, and the
 * destination's lines must equal the input's as a multiset, duplicates counted. The points are found
 * from the run's own progress lines, and the checkpoint left behind shows where the kill landed.
 */

let data: Awaited<ReturnType<typeof tempDataDir>>;
beforeAll(async () => {
  data = await tempDataDir();
});
afterAll(() => data.cleanup());

/** `count` distinct short lines: the smallest input whose every record can be found in the output. */
async function linesFile(name: string, count: number): Promise<string> {
  const file = join(data.dir, name);
  const body = Array.from({ length: count }, (_, i) => `{"record":${i},"pad":"${'x'.repeat(40)}"}\n`).join(
    '',
  );
  await writeFile(file, body);
  return file;
}

interface Killed {
  runId: string;
  dataDir: string;
  checkpoint: Checkpoint | undefined;
}

/** Starts `firehose-loader run` as a user would (bin shim), kills every process when stderr matches. */
async function runAndKill(
  args: string[],
  dataDir: string,
  when: RegExp,
  env: Record<string, string> = {},
): Promise<Killed> {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin', 'firehose-loader.cjs'), 'run', ...args, '--data-dir', dataDir],
    {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (when.test(err)) resolve();
    });
    child.once('exit', () => reject(new Error(`the run ended before ${when}:\n${err}`)));
  });
  // Every process: the services' child (a process group of its own) first, so it cannot flush on the
  // runner's death, then the runner.
  const services = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
    .split('\n')
    .map((pid) => Number(pid.trim()))
    .filter((pid) => pid > 0);
  for (const pid of services) process.kill(pid, 'SIGKILL');
  child.kill('SIGKILL');
  await exited;
  const runId = /run (run-\S+): local services/.exec(err)?.[1] as string;
  const checkpoint = await readCheckpoint(join(dataDir, 'runs', runId, 'checkpoint.json'));
  return { runId, dataDir, checkpoint };
}

const quiet = { write: () => undefined, interactive: false };

async function resumeAndCheck(killed: Killed, input: string): Promise<RunSummary> {
  const summary = await resumeLocalJob(killed.runId, { dataDir: killed.dataDir, progress: quiet });
  const r = summary.records;
  expect({ status: summary.status, error: summary.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  expect(r.input).toBe(r.delivered + r.deadLettered + r.rejected);
  expect(r.pending).toBe(0);
  expect(summary.parts).toEqual([{ status: 'KILLED', durationMs: null }]);
  const expected = (await readFile(input, 'utf8')).split('\n').filter(Boolean).sort();
  const delivered = await linesOf(summary.output.files);
  // Duplicates: lines beyond one per input record, each counted among the summary's possible
  // duplicates (a claim an attempt left when it was killed is taken over by the resume).
  const duplicates = delivered.length - expected.length;
  expect(duplicates).toBeGreaterThanOrEqual(0);
  expect(duplicates).toBeLessThanOrEqual(r.possibleDuplicates);
  expect([...new Set(delivered)]).toEqual(expected);
  return summary;
}

const common = ['--format', 'lines', '--individual', '0', '--fast-timers', '--json'];

describe('kill -9 of every process of a local run, then resume', () => {
  it('during planning: resume plans again and delivers every record once', async () => {
    const input = await linesFile('planning.txt', 60_000);
    const killed = await runAndKill(
      ['--input', input, ...common],
      join(data.dir, 'planning'),
      /planning the source file/,
    );
    expect(killed.checkpoint).toBeUndefined();
    await resumeAndCheck(killed, input);
  }, 180_000);

  it('in the middle of the Map: resume sends only the chunks without an outcome', async () => {
    const input = await linesFile('mid-map.txt', 5000);
    const args = ['--input', input, ...common, '--concurrency', '1', '--latency-ms', '1000'];
    const killed = await runAndKill(
      args,
      join(data.dir, 'mid-map'),
      /round 0: [^\n]*\b[1-5]\/10 chunks done/,
    );
    expect(killed.checkpoint?.step).toBe('Plan');
    await resumeAndCheck(killed, input);
  }, 180_000);

  it('in the middle of a re-queue round: resume goes on with that round', async () => {
    const input = await linesFile('requeue.txt', 5000);
    const args = [
      ...['--input', input, ...common, '--concurrency', '1', '--latency-ms', '300'],
      ...['--fault-rate', '0.5', '--requeue-rounds', '10', '--seed', '3'],
    ];
    // One attempt per call: every chunk re-queues about half its entries, so round 1 has 10 chunks.
    const oneAttempt = { RETRY_MAX_ATTEMPTS: '1' };
    const killed = await runAndKill(
      args,
      join(data.dir, 'requeue'),
      /round 1: [^\n]*\b[1-5]\/10 chunks done/,
      oneAttempt,
    );
    expect(killed.checkpoint).toMatchObject({ step: 'AdvanceRound', state: { round: { number: 1 } } });
    const summary = await resumeAndCheck(killed, input);
    expect(summary.plan.rounds).toBeGreaterThan(1);
  }, 180_000);

  it('while accepted records wait in Firehose for delivery: none is lost', async () => {
    const input = await linesFile('flush.txt', 5000);
    const killed = await runAndKill(
      ['--input', input, ...common],
      join(data.dir, 'flush'),
      /checking CloudWatch metrics/,
    );
    // Every record accepted (the last round totalled, CheckMetrics maybe done): all in Firehose's buffer.
    expect(['AdvanceRound', 'CheckMetrics']).toContain(killed.checkpoint?.step);
    expect(killed.checkpoint?.state.round.next).toBe('done');
    await resumeAndCheck(killed, input);
  }, 180_000);
});
