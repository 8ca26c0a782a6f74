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
  const converter = new HistoryConverter(options);
  for (const event of history) converter.add(event);
  return converter.finish();
}

/** Reads a history in order, keeping the state it is in and the Map Run that state started. */
class HistoryConverter {
  private readonly out: EngineEventShape[] = [];
  private open: OpenState | undefined;
  private mapRun: { arn: string; map: string } | undefined;
  private timestamp = 0;

  constructor(private readonly options: ConvertOptions) {}

  add(event: HistoryEvent): void {
    this.timestamp = event.timestamp?.getTime() ?? this.timestamp;
    const type = event.type ?? '';
    const match = STATE_EVENT.exec(type);
    const open = this.open;
    if (match?.[2] === 'Entered') {
      this.enter(event, match[1] ?? '?');
    } else if (match?.[2] === 'Exited' && open) {
      this.exit(event, open);
    } else if (ATTEMPT_STARTED.has(type)) {
      this.settleFailure('StateRetried');
    } else if (ATTEMPT_FAILED.has(type) && open) {
      // A failed Map Run is reported twice (MapRunFailed, MapStateFailed): count the state once.
      if (!open.failurePending) this.stateEvent('StateFailed', open, { Error: errorOf(event) });
      open.failurePending = true;
    } else if (type === 'MapRunStarted' && open) {
      this.mapRun = { arn: event.mapRunStartedEventDetails?.mapRunArn ?? '', map: open.name };
    } else if (type === 'ExecutionStarted') {
      this.out.push({ type, timestamp: this.timestamp });
    } else if (type === 'ExecutionRedriven') {
      // The failed state is entered again; its earlier failure stays counted.
      this.open = undefined;
    } else if (EXECUTION_ENDED_BADLY.has(type)) {
      this.endBadly(event);
    } else if (type === 'ExecutionSucceeded') {
      if (open) this.stateEvent('StateExited', open);
      this.open = undefined;
      this.out.push({ type, timestamp: this.timestamp });
    }
    if (MAP_RUN_ENDED.has(type) || (type === 'MapStateExited' && this.mapRun)) this.endMapRun();
  }

  finish(): EngineEventShape[] {
    // A Map Run still going (status while RUNNING): its finished and running children so far.
    this.endMapRun();
    return this.out;
  }

  private enter(event: HistoryEvent, stateType: string): void {
    // Entering a new state while a failure is unsettled means the old one was caught.
    if (this.open) {
      this.settleFailure('StateCaught');
      this.stateEvent('StateExited', this.open);
    }
    this.open = { name: event.stateEnteredEventDetails?.name ?? '?', type: stateType, failurePending: false };
    this.stateEvent('StateEntered', this.open);
  }

  private exit(event: HistoryEvent, open: OpenState): void {
    this.settleFailure('StateCaught');
    this.stateEvent('StateExited', open);
    const output = parseJson(event.stateExitedEventDetails?.output);
    const last = this.out[this.out.length - 1];
    if (last?.state) last.state.output = output;
    this.open = undefined;
  }

  private endBadly(event: HistoryEvent): void {
    const open = this.open;
    if (open && !open.failurePending) this.stateEvent('StateFailed', open, { Error: errorOf(event) });
    this.open = undefined;
    this.out.push({ type: 'ExecutionFailed', timestamp: this.timestamp, Error: errorOf(event) });
  }

  private endMapRun(): void {
    if (this.mapRun) this.out.push(...childEvents(this.mapRun, this.options, this.timestamp));
    this.mapRun = undefined;
  }

  private settleFailure(how: 'StateRetried' | 'StateCaught'): void {
    if (this.open?.failurePending) this.stateEvent(how, this.open);
    if (this.open) this.open.failurePending = false;
  }

  private stateEvent(type: string, state: OpenState, extra: Partial<EngineEventShape> = {}): void {
    this.out.push({
      type,
      timestamp: this.timestamp,
      state: { name: state.name, type: state.type, input: undefined },
      ...extra,
    });
  }
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
