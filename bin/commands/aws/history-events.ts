import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { EngineEventShape } from '../../../functions/shared/run';

/**
 * Converts a Step Functions execution history into the engine-style events local/graph counts, so the
 * AWS graph is coloured by the same code as a local run's.
 *
 * A history has no "retried" or "caught" event: a Task that failed is retried when it is scheduled
 * again, caught when it exits anyway, and fatal when the execution fails next. A Distributed Map's
 * children are separate executions outside this history; their counts come from DescribeMapRun and
 * are drawn on the ItemProcessor's first state.
 */

export interface MapRunCounts {
  succeeded: number;
  failed: number;
  running: number;
  total: number;
}

export interface ConvertOptions {
  /** Child outcomes per Map Run ARN (DescribeMapRun); without them the ItemProcessor shows "not run". */
  mapRunCounts?: ReadonlyMap<string, MapRunCounts>;
  /** Map state name → its ItemProcessor's StartAt (see itemStartStates). */
  itemStartStates?: Readonly<Record<string, string>>;
}

// TaskStateEntered, MapStateExited, FailStateEntered…: the state type is the prefix.
const STATE_EVENT = /^(Task|Choice|Pass|Wait|Map|Parallel|Succeed|Fail)State(Entered|Exited)$/;
// A state's attempt failed; what follows (scheduled again, exited, execution failed) says how it ended.
const ATTEMPT_FAILED = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'ActivityFailed',
  'ActivityTimedOut',
  'ActivityScheduleFailed',
  'EvaluationFailed',
  'MapRunFailed',
  'MapStateFailed',
  'ParallelStateFailed',
]);
const ATTEMPT_STARTED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const MAP_RUN_ENDED = new Set(['MapRunSucceeded', 'MapRunFailed', 'MapRunAborted']);
const EXECUTION_ENDED_BADLY = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

interface OpenState {
  name: string;
  type: string;
  /** A StateFailed was emitted and nothing has yet said whether it was retried, caught or fatal. */
  failurePending: boolean;
}

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

function errorOf(event: HistoryEvent): string | undefined {
  const details =
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.evaluationFailedEventDetails ??
    event.mapRunFailedEventDetails ??
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails;
  return details?.error;
}

export function eventsFromHistory(
  history: readonly HistoryEvent[],
  options: ConvertOptions = {},
): EngineEventShape[] {
  const out: EngineEventShape[] = [];
  let open: OpenState | undefined;
  let mapRun: { arn: string; map: string } | undefined;
  let timestamp = 0;
  const stateEvent = (type: string, state: OpenState, extra: Partial<EngineEventShape> = {}) =>
    out.push({ type, timestamp, state: { name: state.name, type: state.type, input: undefined }, ...extra });

  const settleFailure = (how: 'StateRetried' | 'StateCaught') => {
    if (open?.failurePending) stateEvent(how, open);
    if (open) open.failurePending = false;
  };

  for (const event of history) {
    timestamp = event.timestamp?.getTime() ?? timestamp;
    const type = event.type ?? '';
    const match = STATE_EVENT.exec(type);
    if (match?.[2] === 'Entered') {
      // Entering a new state while a failure is unsettled means the old one was caught.
      if (open) {
        settleFailure('StateCaught');
        stateEvent('StateExited', open);
      }
      open = {
        name: event.stateEnteredEventDetails?.name ?? '?',
        type: match[1] ?? '?',
        failurePending: false,
      };
      stateEvent('StateEntered', open);
    } else if (match?.[2] === 'Exited' && open) {
      settleFailure('StateCaught');
      stateEvent('StateExited', open);
      const output = parseJson(event.stateExitedEventDetails?.output);
      const last = out[out.length - 1];
      if (last?.state) last.state.output = output;
      open = undefined;
    } else if (ATTEMPT_STARTED.has(type)) {
      settleFailure('StateRetried');
    } else if (ATTEMPT_FAILED.has(type) && open) {
      // A failed Map Run is reported twice (MapRunFailed, MapStateFailed): count the state once.
      if (!open.failurePending) stateEvent('StateFailed', open, { Error: errorOf(event) });
      open.failurePending = true;
    } else if (type === 'MapRunStarted' && open) {
      mapRun = { arn: event.mapRunStartedEventDetails?.mapRunArn ?? '', map: open.name };
    } else if (type === 'ExecutionStarted') {
      out.push({ type, timestamp });
    } else if (type === 'ExecutionRedriven') {
      // The failed state is entered again; its earlier failure stays counted.
      open = undefined;
    } else if (EXECUTION_ENDED_BADLY.has(type)) {
      if (open && !open.failurePending) stateEvent('StateFailed', open, { Error: errorOf(event) });
      open = undefined;
      out.push({ type: 'ExecutionFailed', timestamp, Error: errorOf(event) });
    } else if (type === 'ExecutionSucceeded') {
      if (open) stateEvent('StateExited', open);
      open = undefined;
      out.push({ type, timestamp });
    }
    if (MAP_RUN_ENDED.has(type) || (type === 'MapStateExited' && mapRun)) {
      if (mapRun) out.push(...childEvents(mapRun, options, timestamp));
      mapRun = undefined;
    }
  }
  // A Map Run still going (status while RUNNING): its finished and running children so far.
  if (mapRun) out.push(...childEvents(mapRun, options, timestamp));
  return out;
}

/** One synthetic iteration per child execution, on the ItemProcessor's first state. */
function childEvents(
  run: { arn: string; map: string },
  options: ConvertOptions,
  timestamp: number,
): EngineEventShape[] {
  const counts = options.mapRunCounts?.get(run.arn);
  const inner = options.itemStartStates?.[run.map];
  if (!counts || !inner) return [];
  const parentState = { name: run.map, type: 'Map', input: undefined };
  const state = { name: inner, type: 'Task', input: undefined };
  const events: EngineEventShape[] = [];
  const fates: ['succeeded' | 'failed' | 'running', number][] = [
    ['succeeded', counts.succeeded],
    ['failed', counts.failed],
    ['running', counts.running],
  ];
  let index = 0;
  for (const [fate, count] of fates) {
    for (let i = 0; i < count; i++, index++) {
      events.push(
        { type: 'MapIterationStarted', timestamp, index, parentState },
        { type: 'StateEntered', timestamp, index, state },
      );
      if (fate === 'succeeded')
        events.push(
          { type: 'StateExited', timestamp, index, state },
          { type: 'MapIterationSucceeded', timestamp, index, parentState },
        );
      if (fate === 'failed')
        events.push(
          { type: 'StateFailed', timestamp, index, state },
          { type: 'MapIterationFailed', timestamp, index, parentState },
        );
    }
  }
  return events;
}

/** Map state name → the first state of its ItemProcessor, from a definition (any depth not needed here). */
export function itemStartStates(definition: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  const states = (definition as { States?: Record<string, unknown> } | undefined)?.States ?? {};
  for (const [name, value] of Object.entries(states)) {
    const state = value as {
      Type?: string;
      ItemProcessor?: { StartAt?: string };
      Iterator?: { StartAt?: string };
    };
    const startAt = (state.ItemProcessor ?? state.Iterator)?.StartAt;
    if (state.Type === 'Map' && startAt) result[name] = startAt;
  }
  return result;
}
