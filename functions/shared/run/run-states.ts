import { RoundNext, type RunState } from '../run-state';
import { StepName } from './names';

/**
 * The top-level steps whose output is the whole RunState: each has OutputPath `$.Payload` (or is a
 * Pass that keeps its input), so its StateExited output is the run state, locally and on AWS.
 */
export const STATE_STEPS: ReadonlySet<string> = new Set<string>([
  StepName.plan,
  StepName.advanceRound,
  StepName.checkMetrics,
  StepName.metricsStillLagging,
]);

/**
 * True when the state `step` output hands on a round to send (after Plan, or after an AdvanceRound that
 * asked for another round): that round's Map may have sent chunks since, and nothing has totalled them.
 */
export function handsOnRound(step: string, state: RunState): boolean {
  return step === StepName.plan || (step === StepName.advanceRound && state.round.next === RoundNext.requeue);
}

/** Plan's output after a caught refusal is the input plus an error, not a RunState: tell them apart. */
export function isRunState(value: unknown): value is RunState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<Record<keyof RunState, unknown>>;
  const isObject = (field: unknown) => typeof field === 'object' && field !== null;
  return (
    typeof state.runId === 'string' && isObject(state.plan) && isObject(state.round) && isObject(state.totals)
  );
}

/**
 * A Fail state's cause is already a sentence; a Lambda error's cause is JSON with a stack: keep
 * its type and message only.
 */
export function failureOf(error = 'Error', cause = ''): { name: string; message: string } {
  try {
    const json = JSON.parse(cause) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof json.errorMessage === 'string')
      return {
        name: typeof json.errorType === 'string' ? json.errorType : error,
        message: json.errorMessage,
      };
  } catch {
    // Not JSON: the Fail state's own cause.
  }
  return { name: error, message: cause };
}
