import { advanceRound } from '../../functions/advance-round/advance';
import { load as loadAdvanceRoundConfig } from '../../functions/advance-round/config';
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
 * Salvage is a deliberate local rule, not an emulation of AWS.
 *
 * Why it exists: a local run is one process that ends with a summary, and the runner's promise is that
 * every summary adds up (input = delivered + dead-lettered + rejected). When a step fails after its
 * retries in the middle of a round, the round's chunks have outcomes nobody totalled; left as they
 * are, those records would be neither delivered nor dead-lettered. So the runner totals the round it
 * stopped in as the last one, with the same AdvanceRound code: what the chunk outcomes prove delivered
 * is counted, everything else is dead-lettered (a file `rerun-failed` sends again), and the summary
 * says `salvaged: true`. The state it has comes from before the round's Map finished, so there are no
 * Map results to go by: AdvanceRound lists and reads every outcome object of the round.
 *
 * What AWS does instead: nothing like it. The execution stays FAILED with its last state in the
 * history; the CLI's summary of it shows the untotalled records as `pending`; `redrive`
 * (RedriveExecution, within 14 days) reruns the failed step, and a Distributed Map reruns only its
 * unsuccessful children. So a salvaged local run dead-letters records that a redrive on AWS would
 * still send. A run stopped from outside (Ctrl-C, kill -9, a full disk) is not salvaged: `resume`
 * goes on with it, as a redrive would.
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
