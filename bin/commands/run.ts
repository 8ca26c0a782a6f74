import { writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LocalServicesError } from '@firehose-loader/local-services';
import type { InputFormat } from '../../functions/shared/chunk';
import { LoaderError } from '../../functions/shared/errors';
import {
  DEFAULT_MOCK_RECORD_COUNT,
  DEFAULT_MOCK_SEED,
  MockFormat,
  writeMockData,
} from '../../functions/shared/mock-data';
import {
  DEFAULT_DATA_DIR,
  formatSummary,
  type RunSummary,
  resumeCommandLine,
} from '../../functions/shared/run';
import type { DuplicateChildren } from '../../local/runner/duplicate-children';
import { checkInputFile } from '../../local/runner/input-file';
import { resumeLocalJob } from '../../local/runner/resume';
import { runLocalJob } from '../../local/runner/run-job';
import { oneLine } from '../../local/runner/stop-run';
import { failureLine } from './failure-line';
import { type LocalServiceOptionValues, localServiceSettings } from './local-service-options';
import { explainNothingLoaded } from './nothing-loaded';

export interface RunCommandOptions extends LocalServiceOptionValues {
  input?: string;
  records: number;
  seed: number;
  format?: InputFormat;
  individual?: number;
  pack?: boolean;
  concurrency?: number;
  requeueRounds?: number;
  dataDir: string;
  fastTimers?: boolean;
  duplicateChildren?: DuplicateChildren;
  json?: boolean;
  /** The run id (the console names a run before it starts); default: from the time. */
  runId?: string;
}

// The scenario sends its first 100 records one by one with PutRecord, the rest with PutRecordBatch.
const SCENARIO_INDIVIDUAL_RECORDS = 100;

/** `run`: the whole job on this machine; returns the process exit code. */
export function runCommand(options: RunCommandOptions): Promise<number> {
  return withInterrupt(
    Boolean(options.json),
    (signal) => runJob(options, signal),
    (summary) => explainNothingLoaded(summary, options.input),
  );
}

/** `resume RUN_ID`: goes on with an interrupted, failed or killed local run. */
export function resumeCommand(runId: string, options: { dataDir: string; json?: boolean }): Promise<number> {
  return withInterrupt(Boolean(options.json), (signal) =>
    resumeLocalJob(runId, {
      dataDir: resolve(options.dataDir),
      signal,
      progress: { interactive: Boolean(process.stderr.isTTY) },
    }),
  );
}

/**
 * Runs a job with Ctrl-C handled: the first SIGINT stops sending and lets the job total what happened
 * (an INTERRUPTED summary), a second one exits at once. Errors that a person can act on (a refused
 * input, a full disk) end in one line, and with --json in one JSON document on stdout as well, so
 * stdout always holds exactly one document.
 */
async function withInterrupt(
  json: boolean,
  job: (signal: AbortSignal) => Promise<RunSummary>,
  explainNothing?: (summary: RunSummary) => Promise<string | undefined>,
): Promise<number> {
  const interrupt = new AbortController();
  // Straight to the terminal: while a run is in progress, process.stderr goes to the run's log file.
  const say = (text: string) => writeSync(2, text);
  const onSigint = () => {
    if (interrupt.signal.aborted) {
      say('firehose-loader: interrupted again: exiting now\n');
      process.exit(130);
    }
    say(
      'firehose-loader: interrupted: no new calls; waiting for those in flight (Ctrl-C again exits at once)\n',
    );
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await job(interrupt.signal);
    report(summary, json);
    const nothing = await explainNothing?.(summary);
    if (nothing) process.stderr.write(`firehose-loader: ${nothing}\n`);
    return exitCode(summary);
  } catch (error) {
    if (!isPersonFacing(error)) throw error;
    const { name, message } = oneLine(error);
    if (json)
      process.stdout.write(`${JSON.stringify({ status: 'FAILED', error: { name, message } }, null, 2)}\n`);
    process.stderr.write(`firehose-loader: ${name}: ${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Our own errors and the system's (ENOSPC, EACCES…) are for the person; anything else is a bug. */
const isPersonFacing = (error: unknown) =>
  error instanceof LoaderError ||
  error instanceof LocalServicesError ||
  (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error);

async function runJob(options: RunCommandOptions, signal: AbortSignal): Promise<RunSummary> {
  const dataDir = resolve(options.dataDir);
  // Refused before any service starts or any file is generated.
  let inputFile = options.input === undefined ? undefined : await checkInputFile(options.input);
  if (!inputFile) {
    await mkdir(join(dataDir, 'inputs'), { recursive: true });
    inputFile = join(dataDir, 'inputs', `web-traffic-${options.records}-seed-${options.seed}.json`);
    await writeMockData(inputFile, { count: options.records, seed: options.seed, format: MockFormat.json });
    process.stderr.write(
      `generated ${options.records} web-traffic records (seed ${options.seed}) in ${inputFile}\n`,
    );
  }
  const services = localServiceSettings(options);
  return runLocalJob({
    dataDir,
    signal,
    inputFile,
    format: options.format,
    individualRecords: options.individual ?? (options.input ? 0 : SCENARIO_INDIVIDUAL_RECORDS),
    pack: options.pack,
    maxConcurrency: options.concurrency,
    requeueRounds: options.requeueRounds,
    faults: { ...services.faults, seed: options.seed },
    quotas: services.quotas,
    metricPublishDelayMs: services.metricPublishDelayMs,
    streamCreatingMs: services.streamCreatingMs,
    fastTimers: options.fastTimers,
    duplicateChildren: options.duplicateChildren,
    ...(options.runId ? { runId: options.runId } : {}),
    progress: { interactive: Boolean(process.stderr.isTTY) },
  });
}

export function report(summary: RunSummary, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stdout.write(`\n${formatSummary(summary, { deadLetterLineFollows: true })}\n`);
}

/**
 * 0 only when every record was delivered or rejected with a reason; otherwise a one-line reason.
 * 130 (as a shell reports Ctrl-C) for an interrupted run, with the command that resumes it.
 */
export function exitCode(summary: RunSummary): number {
  if (summary.status === 'SUCCEEDED') return 0;
  if (summary.status === 'INTERRUPTED') {
    process.stderr.write(
      `firehose-loader: run ${summary.runId} interrupted with ${summary.records.pending} records pending; to finish it: ${resumeCommandLine(summary)}\n`,
    );
    return 130;
  }
  const reason = failureLine(summary, RUN_DEFAULTS.dataDir);
  const rest = summary.records.pending
    ? `; ${summary.records.pending} records pending, to finish: ${resumeCommandLine(summary)}`
    : '';
  process.stderr.write(`firehose-loader: ${reason}${rest}\n`);
  return 1;
}

export const RUN_DEFAULTS = {
  records: DEFAULT_MOCK_RECORD_COUNT,
  seed: DEFAULT_MOCK_SEED,
  dataDir: DEFAULT_DATA_DIR,
} as const;
