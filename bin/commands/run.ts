import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InputFormat } from '../../functions/shared/chunk';
import {
  DEFAULT_MOCK_RECORD_COUNT,
  DEFAULT_MOCK_SEED,
  writeMockData,
} from '../../functions/shared/mock-data';
import { runLocalJob } from '../../local/runner/run-job';
import { formatSummary, type RunSummary } from '../../local/runner/summary';
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
  json?: boolean;
}

// The scenario sends its first 100 records one by one with PutRecord, the rest with PutRecordBatch.
const SCENARIO_INDIVIDUAL_RECORDS = 100;

/** `run`: the whole job on this machine; returns the process exit code. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const dataDir = resolve(options.dataDir);
  let inputFile = options.input;
  if (!inputFile) {
    await mkdir(join(dataDir, 'inputs'), { recursive: true });
    inputFile = join(dataDir, 'inputs', `web-traffic-${options.records}-seed-${options.seed}.json`);
    await writeMockData(inputFile, { count: options.records, seed: options.seed, format: 'json' });
    process.stderr.write(
      `generated ${options.records} web-traffic records (seed ${options.seed}) in ${inputFile}\n`,
    );
  }
  const services = localServiceSettings(options);
  const summary = await runLocalJob({
    dataDir,
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
    progress: { interactive: Boolean(process.stderr.isTTY) },
  });
  report(summary, Boolean(options.json));
  const nothing = await explainNothingLoaded(summary, options.input);
  if (nothing) process.stderr.write(`firehose-loader: ${nothing}\n`);
  return exitCode(summary);
}

export function report(summary: RunSummary, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stdout.write(`\n${formatSummary(summary, { deadLetterLineFollows: true })}\n`);
}

/** 0 only when every record was delivered or rejected with a reason; otherwise a one-line reason. */
export function exitCode(summary: RunSummary): number {
  if (summary.status === 'SUCCEEDED') return 0;
  process.stderr.write(`firehose-loader: ${failureLine(summary, RUN_DEFAULTS.dataDir)}\n`);
  return 1;
}

export const RUN_DEFAULTS = {
  records: DEFAULT_MOCK_RECORD_COUNT,
  seed: DEFAULT_MOCK_SEED,
  dataDir: '.local',
} as const;
