import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputFormat } from '../../functions/shared/chunk';
import type { RunSummary } from '../../functions/shared/run';
import { type LocalJobOptions, runLocalJob } from '../../local/runner/run-job';

export const FIXTURES = join(__dirname, 'fixtures');

export interface RejectLine {
  record: number;
  offset: number;
  line: number;
  reason: string;
  excerpt: string;
}

export interface InputRun {
  summary: RunSummary;
  /** Every delivered line, in output order (Firehose objects concatenated). */
  delivered: string[];
  rejects: RejectLine[];
}

let runs = 0;

/** Runs the whole workflow locally over one input file, quietly and with fast timers. */
export async function runInput(
  dataDir: string,
  inputFile: string,
  format: InputFormat,
  options: Partial<LocalJobOptions> = {},
): Promise<InputRun> {
  runs += 1;
  const summary = await runLocalJob({
    dataDir,
    inputFile,
    format,
    fastTimers: true,
    maxConcurrency: 8,
    requeueRounds: 2,
    runId: `run-bad-input-${runs}`,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 2000 },
    progress: { write: () => undefined, interactive: false },
    ...options,
  });
  const delivered: string[] = [];
  for (const file of summary.output.files) {
    const text = await readFile(file, 'utf8');
    for (const line of text.split('\n').slice(0, -1)) delivered.push(line);
  }
  const rejects = summary.rejects.file
    ? (await readFile(summary.rejects.file, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RejectLine)
    : [];
  return { summary, delivered, rejects };
}

/** The summary's arithmetic holds for every run that got past planning. */
export function expectAccounted(summary: RunSummary): void {
  expect(summary.records.input).toBe(
    summary.records.delivered + summary.records.deadLettered + summary.records.rejected,
  );
}

export interface RefusedRun {
  /** The summary, or undefined when runLocalJob itself threw (see `thrown`). */
  summary: RunSummary | undefined;
  thrown: Error | undefined;
  /** The ExecutionFailed event of the run's events.jsonl: what Step Functions reports. */
  execution: { error: string; cause: string } | undefined;
}

/** Runs a job expected to be refused, keeping what the engine reported even if building the summary throws. */
export async function runRefused(dataDir: string, options: Partial<LocalJobOptions>): Promise<RefusedRun> {
  runs += 1;
  const runId = `run-refused-${runs}`;
  let summary: RunSummary | undefined;
  let thrown: Error | undefined;
  try {
    summary = await runLocalJob({
      dataDir,
      fastTimers: true,
      runId,
      progress: { write: () => undefined, interactive: false },
      ...options,
    });
  } catch (error) {
    thrown = error as Error;
  }
  const events = await readFile(join(dataDir, 'runs', runId, 'events.jsonl'), 'utf8').catch(() => '');
  let execution: RefusedRun['execution'];
  for (const line of events.split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as { type: string; Error?: string; Cause?: unknown };
    if (event.type === 'ExecutionFailed')
      execution = { error: String(event.Error), cause: String(event.Cause) };
  }
  return { summary, thrown, execution };
}
