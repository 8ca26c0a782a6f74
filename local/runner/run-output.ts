import { copyFile, link, open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LocalServices } from '@firehose-loader/local-services';
import {
  buildSummary,
  RunErrorName,
  type RunPart,
  type RunStatus,
  type RunSummary,
  type SummaryInputs,
} from '../../functions/shared/run';
import type { RunState } from '../../functions/shared/run-state';
import { listKeys } from '../../functions/shared/s3-io';
import type { LocalEnvironment } from './local-environment';
import type { LocalResourceNames } from './local-resources';
import { oneLine } from './stop-run';

export interface DeliveredOutput {
  files: string[];
  bytes: number;
  /**
   * Lines in those files (one per delivered input record, duplicates included): what reached the disk.
   * Counted only when the bytes on disk fall short of what Firehose accepted (or delivery failed);
   * otherwise undefined, as reading a large output again costs seconds (BENCHMARKS.md).
   */
  lines?: number;
  /** The delivery to the destination failed (a full disk): what is not on disk is not delivered. */
  error?: { name: string; message: string };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Delivers what Firehose still buffers, then links the run's new destination objects into
 * `<runDir>/output/`. A record counts as delivered only once it is on disk: when fewer bytes are there
 * than Firehose accepted (`acceptedBytes`), or the delivery failed (a full disk), the lines are
 * counted so that what Firehose acknowledged and did not deliver shows in the summary.
 */
export async function deliveredOutput(context: {
  services: LocalServices;
  s3: S3Client;
  names: LocalResourceNames;
  servicesDir: string;
  runDir: string;
  before: ReadonlySet<string>;
  acceptedBytes: number;
}): Promise<DeliveredOutput> {
  const { names, servicesDir, runDir } = context;
  let error: DeliveredOutput['error'];
  await context.services.flush().catch((cause: unknown) => {
    error = oneLine(cause);
  });
  const files: string[] = [];
  let bytes = 0;
  let lines: number | undefined;
  try {
    const keys = await collect(listKeys(context.s3, names.destinationBucket, ''));
    for (const key of keys.filter((k) => !context.before.has(k))) {
      const source = join(servicesDir, 's3', names.destinationBucket, key);
      const target = join(runDir, 'output', key.replaceAll('/', '_'));
      await link(source, target).catch(() => copyFile(source, target));
      files.push(target);
      bytes += (await stat(target)).size;
    }
    if (error || bytes < context.acceptedBytes) {
      lines = 0;
      for (const file of files) lines += countLines(await readFile(file));
    }
  } catch (cause) {
    error ??= oneLine(cause);
  }
  return { files, bytes, ...(lines === undefined ? {} : { lines }), ...(error ? { error } : {}) };
}

function countLines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) count += 1;
  return count;
}

/** How a part of a run ended, before its output is looked at. */
export interface Ending {
  status: RunStatus;
  error?: { name: string; message: string };
  state?: RunState;
  /** The runner totalled the round the run stopped in (salvage.ts). */
  salvaged: boolean;
}

/** Delivers what Firehose holds, links the output, counts what is on disk, writes the summary. */
export async function summariseRun(part: {
  env: Pick<LocalEnvironment, 'services' | 's3' | 'names' | 'servicesDir'>;
  runId: string;
  runDir: string;
  parts?: RunPart[];
  before: ReadonlySet<string>;
  ending: Ending;
  durationMs: number;
}): Promise<RunSummary> {
  const { env, ending } = part;
  const { names, servicesDir } = env;
  const state = ending.state;
  const delivered = await deliveredOutput({
    ...env,
    runDir: part.runDir,
    before: part.before,
    acceptedBytes: state?.totals.acceptedBytes ?? 0,
  });
  const notOnDisk =
    delivered.lines === undefined ? 0 : Math.max(0, (state?.totals.delivered ?? 0) - delivered.lines);
  const error = delivered.error ?? ending.error ?? (notOnDisk ? notOnDiskError(notOnDisk) : undefined);
  const artifact = (key: string) => join(servicesDir, 's3', names.artifactBucket, key);
  return writeRunSummary({
    runId: part.runId,
    status: delivered.error || notOnDisk ? 'FAILED' : ending.status,
    ...(error ? { error } : {}),
    state,
    salvaged: ending.salvaged,
    streamName: names.streamName,
    outputFiles: delivered.files,
    outputBytes: delivered.bytes,
    notOnDisk,
    deadLetterFiles: state?.deadLetter ? [artifact(state.deadLetter.recordsKey)] : [],
    deadLetterManifest: state?.deadLetter ? artifact(state.deadLetter.manifestKey) : null,
    rejectsFile: state?.plan?.rejectsKey ? artifact(state.plan.rejectsKey) : null,
    runDir: part.runDir,
    parts: part.parts,
    durationMs: part.durationMs,
  });
}

/** Firehose acknowledged records that never reached the destination: never reported as delivered. */
function notOnDiskError(records: number): { name: string; message: string } {
  return {
    name: RunErrorName.notDelivered,
    message: `${records} records Firehose accepted are not in the destination bucket (the local services stopped before delivering them)`,
  };
}

/**
 * Builds the summary (durations of earlier parts added) and writes `summary.json`, fsynced. If it
 * cannot be written, the run is reported FAILED with that error (the summary still goes to stdout).
 */
export async function writeRunSummary(inputs: SummaryInputs): Promise<RunSummary> {
  const earlier = (inputs.parts ?? []).reduce((sum, part) => sum + (part.durationMs ?? 0), 0);
  const summary = buildSummary({ ...inputs, durationMs: inputs.durationMs + earlier });
  const file = join(inputs.runDir, 'summary.json');
  try {
    await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
    const handle = await open(file, 'r+');
    await handle.sync().finally(() => handle.close());
    return summary;
  } catch (cause) {
    const error = oneLine(cause);
    return {
      ...summary,
      status: summary.status === 'SUCCEEDED' ? 'FAILED' : summary.status,
      error: summary.error ?? { name: error.name, message: `could not write ${file}: ${error.message}` },
    };
  }
}
