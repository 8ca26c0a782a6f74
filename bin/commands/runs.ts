import { join, resolve } from 'node:path';
import { readDataLock } from '@firehose-loader/local-services';
import type { Command } from 'commander';
import { ConfigError } from '../../functions/shared/errors';
import { dataDirBytes, listRuns, pruneRuns, type RunOnDisk, removeRun } from '../../local/runner/runs-store';
import { wholeNumber, wholeRange } from './options';

/** `runs`, `runs rm <runId>`, `runs prune --keep N`: what local runs keep on disk, and removing it. */

const DATA_DIR_HELP = 'where local services and runs keep their files (default: ".local")';

const runsCount = (n: number) => `${n.toLocaleString('en-US')} run${n === 1 ? '' : 's'}`;

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes.toLocaleString('en-US')} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Runs oldest first, one a line, in under 80 columns. */
export function formatRuns(runs: RunOnDisk[]): string[] {
  const rows = runs.map((run) => [
    run.runId,
    run.status ?? 'no summary',
    run.records === undefined ? '-' : run.records.toLocaleString('en-US'),
    formatBytes(run.bytes),
  ]);
  const header = ['run', 'status', 'records', 'size'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i >= 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)];
}

async function listCommand(options: { dataDir: string }) {
  const dataDir = resolve(options.dataDir);
  const runs = await listRuns(dataDir);
  const total = await dataDirBytes(dataDir);
  const ofRuns = runs.reduce((sum, run) => sum + run.bytes, 0);
  if (runs.length) process.stdout.write(`${formatRuns(runs).join('\n')}\n`);
  process.stdout.write(
    `${runsCount(runs.length)}: ${formatBytes(ofRuns)}; ${dataDir} holds ${formatBytes(total)} in all ` +
      `(the rest: generated inputs and the local services' state)\n`,
  );
  return 0;
}

/** Objects are removed behind local S3's back: never while services serve the folder (data-lock.ts). */
async function refuseWhileServed(dataDir: string): Promise<void> {
  const holder = await readDataLock(join(dataDir, 'services'));
  if (holder) {
    throw new ConfigError(
      `local services (pid ${holder.pid}) are serving ${join(dataDir, 'services')}: remove runs when they ` +
        'have stopped (the run has ended, or Ctrl-C where npm run local:services runs)',
    );
  }
}

async function rmCommand(runIds: string[], options: { dataDir: string }) {
  const dataDir = resolve(options.dataDir);
  await refuseWhileServed(dataDir);
  for (const runId of runIds) {
    const bytes = await removeRun(dataDir, runId);
    process.stdout.write(`removed ${runId} (${formatBytes(bytes)})\n`);
  }
  return 0;
}

async function pruneCommand(options: { dataDir: string; keep: number }) {
  const dataDir = resolve(options.dataDir);
  await refuseWhileServed(dataDir);
  const { removed, running } = await pruneRuns(dataDir, options.keep);
  for (const run of removed) process.stdout.write(`removed ${run.runId} (${formatBytes(run.bytes)})\n`);
  for (const run of running) {
    process.stderr.write(
      `kept ${run.runId}: it has no summary and wrote files in the last minute (still running?)\n`,
    );
  }
  const freed = removed.reduce((sum, run) => sum + run.bytes, 0);
  process.stdout.write(
    `${runsCount(removed.length)} removed, ${formatBytes(freed)} freed; kept the ${options.keep} newest\n`,
  );
  return 0;
}

export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('list local runs with the disk space each one takes (run while no run is in progress)')
    // Only here: `runs rm … --data-dir D` and `runs prune … --data-dir D` read it from this command.
    .option('--data-dir <dir>', DATA_DIR_HELP, '.local')
    .action(async (options) => {
      process.exitCode = await listCommand(options);
    });
  runs
    .command('rm')
    .description('remove local runs: their folder, staged input, artefacts and delivered output')
    .argument('<runId...>', 'runs as listed by `runs`')
    .action(async (runIds: string[], _options, command: Command) => {
      process.exitCode = await rmCommand(runIds, command.optsWithGlobals());
    });
  runs
    .command('prune')
    .description('remove all local runs but the newest ones')
    .requiredOption(
      '--keep <n>',
      `how many of the newest runs to keep, a whole number ${wholeRange(0)}`,
      wholeNumber('--keep', 0),
    )
    .action(async (_options, command: Command) => {
      process.exitCode = await pruneCommand(command.optsWithGlobals());
    });
}
