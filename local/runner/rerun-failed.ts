import { access, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { artifactKeys } from '../../functions/shared/artifacts';
import { RecordFormat } from '../../functions/shared/chunk';
import { ConfigError } from '../../functions/shared/errors';
import {
  combineRerun,
  type LoadSummary,
  type RunSummary,
  resumeCommandLine,
} from '../../functions/shared/run';
import { LOCAL_RESOURCE_NAMES } from './local-resources';
import { type LocalJobOptions, runLocalJob } from './run-job';

export interface RerunResult {
  rerun: RunSummary | undefined;
  updated: RunSummary;
}

/**
 * The local counterpart of RedriveExecution: a new execution over exactly the records a run could not
 * deliver (its dead-letter file, which holds the failed entries and the records of failed chunks), then
 * the original run's summary is updated with what the rerun delivered.
 */
export async function rerunFailed(
  runId: string,
  options: Omit<LocalJobOptions, 'inputFile' | 'sourceObject' | 'format' | 'individualRecords'>,
): Promise<RerunResult> {
  const runDir = join(resolve(options.dataDir), 'runs', runId);
  const summaryFile = join(runDir, 'summary.json');
  const original = JSON.parse(
    await readFile(summaryFile, 'utf8').catch(async () => {
      const started = await access(join(runDir, 'input.json')).then(
        () => true,
        () => false,
      );
      throw new ConfigError(
        started
          ? `run ${runId} did not finish (it has no summary.json); go on with it first: ${resumeCommandLine({ runId, runDir })}`
          : `no local run ${runId}: ${summaryFile} does not exist`,
      );
    }),
  ) as LoadSummary;
  // Records a stopped run has not sent yet are not dead letters: resume sends them.
  if ((original.records.pending ?? 0) > 0) {
    throw new ConfigError(
      `run ${runId} has ${original.records.pending} records pending (${original.status}); go on with it first: ${resumeCommandLine(original)}`,
    );
  }
  if (original.records.deadLettered === 0) return { rerun: undefined, updated: original };
  const names = options.names ?? LOCAL_RESOURCE_NAMES;
  // After an earlier rerun, what is still undelivered is in that rerun's dead-letter file.
  const previous = original.reruns ?? [];
  const holder = previous.at(-1) ?? runId;
  const rerun = await runLocalJob({
    ...options,
    sourceObject: { bucket: names.artifactBucket, key: artifactKeys.deadLetterRecords(holder) },
    format: RecordFormat.lines,
    individualRecords: 0,
  });
  if (rerun.records.input !== original.records.deadLettered) {
    // The rerun did not get as far as planning those records (its summary says why): the original's
    // dead letters are still where they were, and the next rerun-failed starts from them again.
    return { rerun, updated: original };
  }
  // Every line of the updated summary is for the whole load; each execution's own numbers are in `parts`.
  const updated = combineRerun(original, rerun);
  await writeFile(summaryFile, `${JSON.stringify(updated, null, 2)}\n`);
  return { rerun, updated };
}
