import { advanceRound } from '../../functions/advance-round/advance';
import { loadAdvanceRoundConfig } from '../../functions/advance-round/config';
import { cloudWatchClient, s3Client } from '../../functions/shared/aws-clients';
import type { LoggerLike } from '../../functions/shared/logger';
import { handsOnRound } from '../../functions/shared/run';
import type { RunState } from '../../functions/shared/run-state';

/** The last step whose output was a run state, and that state. */
export interface LastStep {
  step: string;
  state: RunState;
}

/**
 * True when the run stopped with a round that was never totalled: after Plan, or after an
 * AdvanceRound that asked for another round (a step failed when its retries ran out).
 */
export function needsSalvage(last: LastStep | undefined, status: 'SUCCEEDED' | 'FAILED'): last is LastStep {
  if (status === 'SUCCEEDED' || !last) return false;
  return handsOnRound(last.step, last.state);
}

/**
 * Local counterpart of redriving a run that stopped mid-way: the round it stopped in is totalled as the
 * last one by the same AdvanceRound code, so what the chunk outcomes prove delivered is counted and
 * everything else is dead-lettered (a file `rerun-failed` can send again). Nothing is left unaccounted.
 * The state it has comes from before the round's Map finished, so there are no Map results to go by:
 * AdvanceRound lists and reads every outcome object of the round.
 * On AWS the execution stays failed and is redriven (`redrive`), which reruns the failed step.
 */
export async function salvageRun(state: RunState, logger: LoggerLike): Promise<RunState> {
  const lastRound = { ...state, settings: { ...state.settings, requeueRounds: state.round.number } };
  return advanceRound(lastRound, {
    s3: s3Client(),
    cloudWatch: cloudWatchClient(),
    config: loadAdvanceRoundConfig(),
    logger,
  });
}
