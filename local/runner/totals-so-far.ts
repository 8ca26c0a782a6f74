import type { S3Client } from '@aws-sdk/client-s3';
import { roundOutcomes } from '../../functions/advance-round/outcomes';
import { addOutcome } from '../../functions/advance-round/rounds';
import type { LoggerLike } from '../../functions/shared/logger';
import { handsOnRound } from '../../functions/shared/run';
import type { RunState } from '../../functions/shared/run-state';
import type { Checkpoint } from './checkpoint';

/** True when the checkpoint's state hands on a round whose Map may have sent chunks since. */
export function roundInProgress(checkpoint: Checkpoint): boolean {
  return handsOnRound(checkpoint.step, checkpoint.state);
}

/**
 * What a stopped run has done, read without changing anything (unlike salvage, nothing is dead-lettered:
 * the run is to be resumed): the totals of the last checkpoint plus the outcome objects of the round in
 * progress. Undefined before planning finished, when nothing was sent.
 */
export async function totalsSoFar(
  checkpoint: Checkpoint | undefined,
  deps: { s3: S3Client; artifactBucket: string; logger: LoggerLike },
): Promise<RunState | undefined> {
  if (!checkpoint) return undefined;
  if (!roundInProgress(checkpoint)) return checkpoint.state;
  // Without Map results every outcome object of the round is listed and read.
  const { mapRun: _none, ...state } = checkpoint.state;
  const { outcomes } = await roundOutcomes(state, [], deps);
  return { ...state, totals: outcomes.reduce(addOutcome, state.totals) };
}
