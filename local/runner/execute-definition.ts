import type { S3Client } from '@aws-sdk/client-s3';
import { StateMachine } from 'aws-local-stepfunctions';
import type { EngineEventShape } from '../../functions/shared/run';
import {
  type JsonObject,
  type LoweredMap,
  lowerDistributedMaps,
  readMapItems,
  writeMapResults,
} from './distributed-map';
import type { DuplicateChildren } from './duplicate-children';
import { invokeLocally, type LambdaHandlers } from './local-lambdas';
import { ensurePromiseWithResolvers } from './promise-with-resolvers';

export interface ExecuteOptions {
  /** The definition with every placeholder substituted. */
  definition: JsonObject;
  input: unknown;
  executionName: string;
  s3: S3Client;
  handlers: LambdaHandlers;
  /** Tests: Wait states and Retry intervals take milliseconds instead of seconds. */
  fastTimers?: boolean;
  /** Retry intervals in ms by state name, over those of fastTimers (every Retry of that state). */
  retryIntervalOverridesMs?: Record<string, number>;
  onEvent?: (event: EngineEventShape) => void;
  /** Start at this state instead of StartAt (a resumed run starts after its last checkpoint). */
  startAt?: string;
  /** The execution's start time as `$$.Execution.StartTime` (a resumed run keeps its first one). */
  startTime?: string;
  /** Names this execution's Map Runs `<mapRunPrefix>-<n>` (default: the execution name). */
  mapRunPrefix?: string;
  /** Aborting stops the engine: no further state starts; the result is `ABORTED`. */
  signal?: AbortSignal;
  /** Fault: every Distributed Map item starts its child twice, at once or one after the other. */
  duplicateChildren?: DuplicateChildren;
}

export interface ExecutionResult {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
}

type LocalHandler = (input: unknown) => Promise<unknown>;

/** Every Task state at any depth, by name, with its Resource. */
function taskStates(states: JsonObject, found = new Map<string, string>()): Map<string, string> {
  for (const [name, state] of Object.entries(states)) {
    const s = state as JsonObject;
    if (s.Type === 'Task') found.set(name, String(s.Resource));
    const processor = (s.ItemProcessor ?? s.Iterator) as JsonObject | undefined;
    if (processor?.States) taskStates(processor.States as JsonObject, found);
    for (const branch of (s.Branches ?? []) as JsonObject[]) taskStates(branch.States as JsonObject, found);
  }
  return found;
}

function fastTimerOverrides(states: Map<string, string>, definition: JsonObject) {
  const waits = Object.entries(definition.States as JsonObject)
    .filter(([, state]) => (state as JsonObject).Type === 'Wait')
    .map(([name]) => [name, 0]);
  return {
    waitTimeOverrides: Object.fromEntries(waits),
    retryIntervalOverrides: Object.fromEntries([...states.keys()].map((name) => [name, 5])),
  };
}

function timerOverrides(states: Map<string, string>, definition: JsonObject, options: ExecuteOptions) {
  const fast = options.fastTimers ? fastTimerOverrides(states, definition) : undefined;
  return {
    ...(fast ? { waitTimeOverrides: fast.waitTimeOverrides } : {}),
    retryIntervalOverrides: { ...fast?.retryIntervalOverrides, ...options.retryIntervalOverridesMs },
  };
}

/**
 * The definition entered at `state` instead of its StartAt, through a Choice whose other branch keeps
 * every state reachable (the engine refuses a definition with an unreachable state). Never taken: no
 * run state has `resumeFromStart`.
 */
function startingAt(definition: JsonObject, state: string): JsonObject {
  const entry = 'ResumeAfterCheckpoint';
  const choice = {
    Type: 'Choice',
    Comment: 'Local resume: goes on at the state after the last checkpoint.',
    Choices: [{ Variable: '$.resumeFromStart', IsPresent: true, Next: definition.StartAt }],
    Default: state,
  };
  return { ...definition, StartAt: entry, States: { [entry]: choice, ...(definition.States as JsonObject) } };
}

/** A Map's `$$.State` as the stand-in reader sets it; the engine sets none itself. */
type StateContext = { Name?: string; EnteredTime?: string };

/**
 * The local handler of every Task state: `lambda:invoke` served by the real handlers, the lowered
 * Maps' reader and writer by map-io. Refuses a definition with a Task it cannot serve.
 */
function localTaskHandlers(
  tasks: Map<string, string>,
  maps: LoweredMap[],
  options: ExecuteOptions,
  stateContext: StateContext,
): Record<string, LocalHandler> {
  const overrides: Record<string, LocalHandler> = {};
  for (const [name, resource] of tasks) {
    if (resource === 'arn:aws:states:::lambda:invoke') {
      overrides[name] = (parameters: unknown) => invokeLocally(options.handlers, parameters);
    }
  }
  let mapRuns = 0;
  const mapRunPrefix = options.mapRunPrefix ?? options.executionName;
  // The engine sets no `$$.State`; ItemSelector reads `$$.State.EnteredTime` (the Map's start, the
  // pacing schedule's zero). The engine copies this object by reference into its context, so the
  // stand-in reader, which runs as the Map begins, sets it for the Map's items.
  for (const map of maps) {
    overrides[map.readItemsState] = (parameters: unknown) => {
      stateContext.Name = map.name;
      stateContext.EnteredTime = new Date().toISOString();
      return readMapItems(options.s3, map, parameters);
    };
    overrides[map.writeResultsState] = (parameters: unknown) =>
      writeMapResults(options.s3, map, parameters, `${mapRunPrefix}-${++mapRuns}`);
  }
  // An aborted execution's engine may still walk its states: it must not read or write anything more.
  for (const [name, override] of Object.entries(overrides)) {
    overrides[name] = (parameters: unknown) =>
      options.signal?.aborted ? Promise.reject(new Error('execution aborted')) : override(parameters);
  }
  const unserved = [...tasks].filter(([name]) => !overrides[name]);
  if (unserved.length) {
    throw new Error(
      `the local runner has no stand-in for Task states ${unserved.map(([n, r]) => `${n} (${r})`).join(', ')}`,
    );
  }
  return overrides;
}

/** What the engine runs: the definition entered at `startAt` (if given), its Distributed Maps lowered. */
export function engineDefinition(
  options: Pick<ExecuteOptions, 'definition' | 'startAt' | 'duplicateChildren'>,
): { definition: JsonObject; maps: LoweredMap[] } {
  const start = options.startAt ? startingAt(options.definition, options.startAt) : options.definition;
  return lowerDistributedMaps(start, { duplicateChildren: options.duplicateChildren });
}

/**
 * Runs a definition with aws-local-stepfunctions: Distributed Maps lowered first, every
 * `lambda:invoke` Task served by the real handler in this process.
 */
export async function executeDefinition(options: ExecuteOptions): Promise<ExecutionResult> {
  ensurePromiseWithResolvers();
  const { definition, maps } = engineDefinition(options);
  const tasks = taskStates(definition.States as JsonObject);
  const stateContext: StateContext = {};
  const overrides = localTaskHandlers(tasks, maps, options, stateContext);
  // Not validated again here: the engine's check compiles the ASL schema anew on every run (~0.5 s of
  // CPU before the first state, BENCHMARKS.md), and a test validates each definition engineDefinition builds.
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const startTime = options.startTime ?? new Date().toISOString();
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: overrides as never,
      ...timerOverrides(tasks, definition, options),
    },
    context: {
      Execution: {
        Id: `arn:aws:states:local:000000000000:execution:firehose-loader:${options.executionName}`,
        Name: options.executionName,
        StartTime: startTime,
        Input: options.input,
      },
      State: stateContext,
    } as never,
  });
  if (options.signal?.aborted) execution.abort();
  options.signal?.addEventListener('abort', () => execution.abort(), { once: true });
  let failure: ExecutionResult | undefined;
  const watching = (async () => {
    for await (const event of execution.eventLogs as AsyncGenerator<EngineEventShape>) {
      if (event.type === 'ExecutionFailed') {
        failure = { status: 'FAILED', error: event.Error, cause: String(event.Cause ?? '') };
      }
      options.onEvent?.(event);
    }
  })();
  try {
    const output = await execution.result;
    await watching;
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    await watching.catch(() => undefined);
    if (options.signal?.aborted) return { status: 'ABORTED' };
    if (failure) return failure;
    return { status: 'FAILED', error: error instanceof Error ? error.name : 'Error', cause: String(error) };
  }
}
