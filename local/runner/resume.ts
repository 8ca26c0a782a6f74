import * as putBatchConfig from '../../functions/put-batch/config';
import { ConfigError } from '../../functions/shared/errors';
import type { RunSummary } from '../../functions/shared/run';
import { readDefinitionTemplate } from '../../statemachine/substitutions';
import { readCheckpoint } from './checkpoint';
import type { LocalJobOptions } from './job-options';
import { earlierParts, readRunFiles } from './run-files';
import { checkpointFile, runFolder, runSession } from './run-session';

export type ResumeOptions = Pick<
  LocalJobOptions,
  'dataDir' | 'progress' | 'signal' | 'wrapHandler' | 'openRunFile'
>;

/** The state after `step` in the definition: where a run whose last checkpoint is `step` goes on. */
function stateAfter(step: string): string {
  const states = (JSON.parse(readDefinitionTemplate()) as { States: Record<string, { Next?: string }> })
    .States;
  const next = states[step]?.Next;
  if (!next) throw new ConfigError(`the definition has no state after ${step} to resume at`);
  return next;
}

/**
 * Goes on with a run that was interrupted, failed on an I/O error or killed (kill -9 included), as a
 * redrive does on AWS: the same execution name and input, from the state after the last step whose
 * output was saved (checkpoint.json), or from the start if planning never finished. Every step is
 * idempotent per run: Plan re-plans to the same keys, PutBatch returns an existing outcome instead of
 * sending, AdvanceRound recomputes its round from the outcomes. So only what was not accepted is sent,
 * and the summary adds up over every part.
 */
export async function resumeLocalJob(runId: string, options: ResumeOptions): Promise<RunSummary> {
  const runDir = runFolder(options.dataDir, runId);
  const files = await readRunFiles(runDir, runId);
  if (files.summary?.status === 'SUCCEEDED') {
    throw new ConfigError(`run ${runId} already succeeded: nothing to resume`);
  }
  const checkpoint = await readCheckpoint(checkpointFile(runDir));
  const parts = earlierParts(files);
  return runSession(
    { ...files.options, ...options },
    {
      runId,
      parts,
      // The data-folder lock proves the earlier part's processes gone, so a claim it left without an
      // outcome has no live owner: take it over at once (its records may have been accepted: counted).
      extraEnv: putBatchConfig.toEnvironment({ claimTakeoverAfterMs: 0 }),
      prepare: async () => ({
        input: checkpoint ? checkpoint.state : files.executionInput,
        ...(checkpoint
          ? { startAt: stateAfter(checkpoint.step), startTime: checkpoint.state.startedAt }
          : {}),
        // Map Runs of this part get their own result files; the earlier part's stay as they were.
        mapRunPrefix: `${runId}-part${parts.length + 1}`,
        before: files.before,
      }),
    },
  );
}
