import { basename, resolve } from 'node:path';
import type { LocalServices } from '@firehose-loader/local-services';
import { ConfigError } from '../../functions/shared/errors';
import type { RunSummary } from '../../functions/shared/run';
import type { ExecutionInput } from '../../functions/shared/run-state';
import { listKeys } from '../../functions/shared/s3-io';
import { handlerThreadCount } from './handler-thread-count';
import type { LocalJobOptions } from './job-options';
import { LOCAL_RESOURCE_NAMES, type LocalResourceNames } from './local-resources';
import { saveRunFiles } from './run-files';
import { collect } from './run-output';
import { runSession } from './run-session';

export { AUTO_THREADS_MIN_BYTES, handlerThreadCount } from './handler-thread-count';
export type { LocalJobOptions } from './job-options';

export const newRunId = () =>
  `run-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${Math.random().toString(36).slice(2, 6)}`;

/**
 * Runs the whole job on this machine: local services on 127.0.0.1, the state-machine file from
 * `statemachine/` on aws-local-stepfunctions, the real handlers in this process. Keeps everything of
 * the run under `<dataDir>/runs/<runId>/` (with what `resume` needs to go on after a stop or a kill)
 * and returns the summary.
 */
export async function runLocalJob(options: LocalJobOptions): Promise<RunSummary> {
  const names = options.names ?? LOCAL_RESOURCE_NAMES;
  const runId = options.runId ?? newRunId();
  const resolved = { ...options, handlerThreads: await handlerThreadCount(options) };
  return runSession(resolved, {
    runId,
    prepare: async ({ s3, services, runDir }) => {
      const source = options.sourceObject ?? (await stageInput(services, names, runId, options.inputFile));
      const input: ExecutionInput = {
        source,
        ...(options.format ? { format: options.format } : {}),
        ...(options.individualRecords !== undefined ? { individualRecords: options.individualRecords } : {}),
        ...(options.pack !== undefined ? { pack: options.pack } : {}),
        ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
        ...(options.requeueRounds !== undefined ? { requeueRounds: options.requeueRounds } : {}),
      };
      const executionInput = options.rawExecutionInput ?? input;
      const before = new Set(await collect(listKeys(s3, names.destinationBucket, '')));
      await saveRunFiles(runDir, { executionInput, before, options: resolved });
      return { input: executionInput, before };
    },
  });
}

/** Puts the input file in the local source bucket (as `aws s3 cp` would on AWS; no need for HTTP here). */
async function stageInput(
  services: LocalServices,
  names: LocalResourceNames,
  runId: string,
  file: string | undefined,
) {
  if (!file) throw new ConfigError('a local run needs an input file or a source object');
  const key = `inputs/${runId}/${basename(file)}`;
  await services.putFile(names.sourceBucket, key, resolve(file));
  return { bucket: names.sourceBucket, key };
}
