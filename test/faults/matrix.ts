import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeMockData } from '../../functions/shared/mock-data';
import type { RunSummary } from '../../functions/shared/run';
import { type LocalJobOptions, runLocalJob } from '../../local/runner/run-job';

/** Shared by the fault-matrix files: the workload, the run settings, the record audit and the report. */

export const SMALL_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 2000 } as const;
export const FAULT_SEED = 20_240_611;
export const MATRIX_RECORDS = 3000;

export interface Workspace {
  dir: string;
  dataDir: string;
  input: string;
  records: number;
  /** The input records, re-serialised compactly, with how often each occurs. */
  expected: Map<string, number>;
  remove(): Promise<void>;
}

/** A temp directory with `records` generated web-traffic records as JSON Lines. */
export async function createWorkspace(name: string, records = MATRIX_RECORDS, seed = 7): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), `faults-${name}-`));
  const input = join(dir, 'input.jsonl');
  await writeMockData(input, { count: records, seed, format: 'jsonl' });
  const expected = await countLines([input], (line) => JSON.stringify(JSON.parse(line)));
  return {
    dir,
    dataDir: join(dir, 'data'),
    input,
    records: [...expected.values()].reduce((sum, n) => sum + n, 0),
    expected,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The non-empty lines of files as a multiset. */
export async function countLines(
  files: readonly string[],
  normalise: (line: string) => string = (line) => line,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line === '') continue;
      const key = normalise(line);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

export interface Audit {
  /** Input records found neither in the delivered output nor in the dead letters. */
  lost: number;
  /** Output multiset minus input multiset: records delivered more often than they occur in the input. */
  duplicates: number;
  /** Output or dead-letter lines that are no input record at all. */
  foreign: number;
  deliveredLines: number;
  deadLetterLines: number;
}

/** Compares the input records with what the run delivered and dead-lettered, as multisets of lines. */
export async function audit(expected: Map<string, number>, summary: RunSummary): Promise<Audit> {
  const delivered = await countLines(summary.output.files);
  const deadLettered = await countLines(summary.deadLetter.files);
  let lost = 0;
  let duplicates = 0;
  let foreign = 0;
  for (const [line, count] of expected) {
    const out = delivered.get(line) ?? 0;
    const dead = deadLettered.get(line) ?? 0;
    lost += Math.max(0, count - out - dead);
    duplicates += Math.max(0, out - count);
  }
  for (const seen of [delivered, deadLettered]) {
    for (const [line, count] of seen) if (!expected.has(line)) foreign += count;
  }
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);
  return {
    lost,
    duplicates,
    foreign,
    deliveredLines: total(delivered),
    deadLetterLines: total(deadLettered),
  };
}

export interface CellResult {
  summary: RunSummary;
  audit: Audit;
}

const rows: string[] = [];

/** Runs one cell of the matrix: the whole workflow locally, quiet, with fast timers and a small retry policy. */
export async function runCell(
  cell: string,
  workspace: Workspace,
  options: Partial<LocalJobOptions> = {},
): Promise<CellResult> {
  const summary = await runLocalJob({
    dataDir: workspace.dataDir,
    inputFile: workspace.input,
    format: 'jsonl',
    fastTimers: true,
    maxConcurrency: 8,
    requeueRounds: 5,
    retry: SMALL_RETRY,
    runId: `run-${cell.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`,
    progress: { write: () => undefined, interactive: false },
    ...options,
  });
  const result = { summary, audit: await audit(workspace.expected, summary) };
  record(cell, result);
  return result;
}

/** Adds a row to this file's report table. */
export function record(cell: string, { summary, audit: a }: CellResult): void {
  const r = summary.records;
  const f = summary.firehose;
  rows.push(
    `| ${cell} | ${summary.status} | ${r.input} | ${r.delivered} | ${r.deadLettered} | ${r.rejected} | ${a.duplicates} | ` +
      `${f.putRecordBatchCalls + f.putRecordCalls} | ${f.throttledEntries} | ${summary.plan.rounds} | ` +
      `${summary.plan.failedChunks} | ${summary.metrics.verdict} | ${(summary.durationMs / 1000).toFixed(2)} s |`,
  );
}

/** With FAULT_MATRIX_REPORT=1 the figures of every cell go to stdout as a Markdown table; tests write no files. */
export function printReport(title: string): void {
  if (process.env.FAULT_MATRIX_REPORT !== '1' || rows.length === 0) return;
  const header =
    '| cell | status | records | delivered | dead-lettered | rejected | duplicates | calls | throttled entries | rounds | failed chunks | metrics | duration |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  process.stdout.write(`\n### ${title}\n\n${header}\n${rows.join('\n')}\n`);
}
