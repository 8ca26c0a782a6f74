import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { isRunState, STATE_STEPS } from '../../../functions/shared/run';
import type { RunState } from '../../../functions/shared/run-state';

function parsed(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface StepState {
  /** The step that output it: Plan, AdvanceRound, CheckMetrics, MetricsStillLagging or Execution. */
  step: string;
  state: RunState;
}

/** The run state as the execution history last showed it, and the step that output it. */
export function lastStepState(history: readonly HistoryEvent[]): StepState | undefined {
  let found: StepState | undefined;
  for (const event of history) {
    const exited = event.stateExitedEventDetails;
    const step = exited ? (exited.name ?? '') : 'Execution';
    const output =
      exited && STATE_STEPS.has(step) && !exited.outputDetails?.truncated
        ? parsed(exited.output)
        : event.type === 'ExecutionSucceeded'
          ? parsed(event.executionSucceededEventDetails?.output)
          : undefined;
    if (isRunState(output)) found = { step, state: output };
  }
  return found;
}

export const lastRunState = (history: readonly HistoryEvent[]): RunState | undefined =>
  lastStepState(history)?.state;

/** The Map Run ARNs of the execution, in the order the rounds started them. */
export function mapRunArnsOf(history: readonly HistoryEvent[]): string[] {
  return history
    .map((event) => event.mapRunStartedEventDetails?.mapRunArn)
    .filter((arn): arn is string => typeof arn === 'string');
}
