import { handsOnRound } from '../../../functions/shared/run';
import type { MapRunCounts } from './history-events';
import type { StepState } from './history-state';

export interface ProgressSnapshot {
  /** The last RunState in the history and the step that output it. */
  last?: StepState;
  /** How many Map Runs (rounds of chunks) have started, and the latest one's counts. */
  mapRuns: number;
  latestMapRun?: MapRunCounts;
}

const n = (value: number) => value.toLocaleString('en-US');

/** One line saying where a running execution is; pure, so every phase is tested without AWS. */
export function progressLine(snapshot: ProgressSnapshot): string {
  const { last, latestMapRun } = snapshot;
  if (!last) return 'planning the source file…';
  const { step, state } = last;
  const delivered = `${n(state.totals.delivered)} of ${n(state.plan.records)} records delivered`;
  if (!handsOnRound(step, state)) return `checking CloudWatch metrics; ${delivered}`;
  // Map Run k is round k; Plan and AdvanceRound name the round before its Map Run starts.
  if (snapshot.mapRuns - 1 !== state.round.number || !latestMapRun)
    return `round ${state.round.number} starting: ${n(state.round.chunks)} chunks of ${n(state.round.records)} records; ${delivered}`;
  const done = latestMapRun.succeeded + latestMapRun.failed;
  return (
    `round ${state.round.number}: ${n(done)}/${n(latestMapRun.total || state.round.chunks)} chunks done ` +
    `(${n(latestMapRun.failed)} failed, ${n(latestMapRun.running)} running); ${delivered} before this round`
  );
}
