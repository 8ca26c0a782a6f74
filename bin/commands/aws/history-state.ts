import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { RunState } from '../../../functions/shared/run-state';

/**
 * The run state as the execution history last showed it. Every step named here has OutputPath
 * `$.Payload` (or is a Pass that keeps its input), so its StateExited output is the whole RunState.
 */
const STATE_STEPS = new Set(['Plan', 'AdvanceRound', 'CheckMetrics', 'MetricsStillLagging']);

/** Plan's output after a caught refusal is the input plus an error, not a RunState: tell them apart. */
export function isRunState(value: unknown): value is RunState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<Record<keyof RunState, unknown>>;
  const isObject = (field: unknown) => typeof field === 'object' && field !== null;
  return (
    typeof state.runId === 'string' && isObject(state.plan) && isObject(state.round) && isObject(state.totals)
  );
}

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
