import { open, readFile, rename } from 'node:fs/promises';
import { StepName } from '../../functions/shared/run';
import type { RunState } from '../../functions/shared/run-state';
import { type LambdaHandler, type LambdaHandlers, localDefinitionRefs } from './local-lambdas';
import type { LocalResourceNames } from './local-resources';

/** The top-level steps whose output is the whole run state, so a resumed run can start after them. */
export const CHECKPOINT_STEPS = [StepName.plan, StepName.advanceRound, StepName.checkMetrics] as const;
export type CheckpointStep = (typeof CHECKPOINT_STEPS)[number];

/** The functions whose output is checkpointed, by ARN, with the step each serves. */
export function checkpointStepsByArn(names: LocalResourceNames): ReadonlyMap<string, CheckpointStep> {
  const refs = localDefinitionRefs(names);
  return new Map([
    [refs.planFunctionArn, StepName.plan],
    [refs.advanceRoundFunctionArn, StepName.advanceRound],
    [refs.checkMetricsFunctionArn, StepName.checkMetrics],
  ]);
}

/** The last step of a run that finished, and the state it handed on: where `resume` starts again. */
export interface Checkpoint {
  step: CheckpointStep;
  state: RunState;
}

/**
 * Writes the checkpoint so that a kill -9 at any moment leaves either the old one or the new one, whole:
 * a temporary file, fsynced, renamed over the old one (rename is atomic within a file system).
 */
export async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(checkpoint)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

export async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as Checkpoint);
}

/**
 * Saves each step's output before the state machine sees it. The engine goes on only when the handler
 * returns, so nothing of the next step (say, the next round's Map) can have started without the
 * checkpoint that a resume needs to start after this step; a kill before the save resumes at the step
 * before, which every step allows: Plan re-plans to the same keys, PutBatch returns an existing
 * outcome instead of sending, AdvanceRound recomputes the round from its outcomes.
 */
export function withCheckpoints(
  handlers: LambdaHandlers,
  stepOf: ReadonlyMap<string, CheckpointStep>,
  file: string,
): LambdaHandlers {
  const wrap = (step: CheckpointStep, handler: LambdaHandler): LambdaHandler => {
    return async (event: never) => {
      const state = (await handler(event)) as RunState;
      await saveCheckpoint(file, { step, state });
      return state;
    };
  };
  return new Map(
    [...handlers].map(([arn, handler]) => {
      const step = stepOf.get(arn);
      return [arn, step ? wrap(step, handler) : handler];
    }),
  );
}
