import type { EngineEventShape } from '../../functions/shared/run';

export interface StateStats {
  entered: number;
  succeeded: number;
  /** Visits that ended in an error no Retry or Catch handled. */
  failed: number;
  retried: number;
  caught: number;
  /** Map states and the states inside their ItemProcessor: child executions by outcome. */
  iterations?: { succeeded: number; failed: number };
}

/**
 * `caught` also covers a state that recovered by retrying, and a Map whose failed children were
 * tolerated: the run went on past it, but not cleanly, which is what the amber colour tells.
 */
export type StateOutcome = 'succeeded' | 'failed' | 'caught' | 'not-run' | 'running';

export interface GraphRunInfo {
  runId: string;
  status: 'SUCCEEDED' | 'FAILED';
  states: Record<string, StateStats & { outcome: StateOutcome }>;
}

interface Raw {
  entered: number;
  exited: number;
  failedEvents: number;
  retried: number;
  caught: number;
}

interface Iteration {
  map: string;
  /** States of the ItemProcessor in the order they were entered; the last one is where it ended. */
  states: string[];
  failed: boolean;
  done: boolean;
}

// What the local Distributed Map lowering (local/runner/distributed-map/) adds: ReadItems/WriteResults
// around the Map, and per item a Parallel whose Catch turns a failed child into a result. The AWS graph
// has none of them.
const SPLIT_PARTS = /^(.*)\.(ReadItems|WriteResults)$/;
const ITEM_WRAPPER = 'ChildExecution';
const ITEM_FAILED = 'ChildExecutionFailed';

// Inner (per-item) states are counted apart from any top-level state of the same name until folding.
const INNER = '\u0000';

const zero = (): Raw => ({ entered: 0, exited: 0, failedEvents: 0, retried: 0, caught: 0 });

export function outcomeOf(stats: StateStats): StateOutcome {
  if (stats.entered === 0) return 'not-run';
  if (stats.failed > 0) return 'failed';
  if (stats.succeeded + stats.caught < stats.entered) return 'running';
  if (stats.caught > 0 || stats.retried > 0 || (stats.iterations?.failed ?? 0) > 0) return 'caught';
  return 'succeeded';
}

/** Aggregates the engine's events (run on the lowered definition) per state of the AWS definition. */
export function statsFromEvents(events: Iterable<EngineEventShape>): GraphRunInfo['states'] {
  const raw = new Map<string, Raw>();
  const rawOf = (name: string) => raw.get(name) ?? raw.set(name, zero()).get(name) ?? zero();
  const iterations = new Map<string, Iteration>();
  const mapRuns = new Map<string, number>();
  let currentMap = '';
  const iterationOf = (map: string, index: number) => {
    const key = `${map}#${mapRuns.get(map) ?? 0}:${index}`;
    const found = iterations.get(key) ?? { map, states: [], failed: false, done: false };
    iterations.set(key, found);
    return found;
  };

  for (const event of events) {
    if (event.type.startsWith('MapIteration') && event.parentState && event.index !== undefined) {
      const iteration = iterationOf(event.parentState.name, event.index);
      if (event.type === 'MapIterationFailed') iteration.failed = true;
      if (event.type !== 'MapIterationStarted') iteration.done = true;
      continue;
    }
    const name = event.state?.name;
    if (!name) continue;
    const inner = event.index !== undefined;
    if (inner) {
      // Inner events carry only the item index; a Map's items all run between its Entered and Exited.
      const iteration = iterationOf(currentMap, event.index ?? 0);
      if (name === ITEM_FAILED && event.type === 'StateEntered') iteration.failed = true;
      if (name === ITEM_WRAPPER || name === ITEM_FAILED) continue;
      if (event.type === 'StateEntered') iteration.states.push(name);
    } else if (event.type === 'StateEntered' && event.state?.type === 'Map') {
      currentMap = name;
      mapRuns.set(name, (mapRuns.get(name) ?? 0) + 1);
    }
    const r = rawOf(inner ? `${INNER}${name}` : name);
    if (event.type === 'StateEntered') r.entered += 1;
    else if (event.type === 'StateExited') r.exited += 1;
    else if (event.type === 'StateFailed') r.failedEvents += 1;
    else if (event.type === 'StateRetried') r.retried += 1;
    else if (event.type === 'StateCaught') r.caught += 1;
  }
  return fold(raw, iterations);
}

function fold(raw: Map<string, Raw>, iterations: Map<string, Iteration>): GraphRunInfo['states'] {
  const bases = new Set(
    [...raw.keys()].map((key) =>
      (key.startsWith(INNER) ? key.slice(INNER.length) : key).replace(SPLIT_PARTS, '$1'),
    ),
  );
  const result: GraphRunInfo['states'] = {};
  for (const base of bases) {
    const parts = [`${base}.ReadItems`, base, `${base}.WriteResults`, `${INNER}${base}`]
      .map((key) => raw.get(key))
      .filter((r): r is Raw => r !== undefined);
    const sum = (pick: (r: Raw) => number) => parts.reduce((total, r) => total + pick(r), 0);
    // A lowered Map visit starts with ReadItems and ends with WriteResults: count the visit once.
    const first = raw.get(`${base}.ReadItems`) ?? raw.get(base) ?? raw.get(`${INNER}${base}`) ?? zero();
    const last = raw.get(`${base}.WriteResults`) ?? raw.get(base) ?? raw.get(`${INNER}${base}`) ?? zero();
    const caught = sum((r) => r.caught);
    const stats: StateStats = {
      entered: first.entered,
      succeeded: last.exited - last.caught,
      failed: sum((r) => r.failedEvents - r.retried - r.caught),
      retried: sum((r) => r.retried),
      caught,
    };
    result[base] = { ...stats, outcome: outcomeOf(stats) };
  }
  for (const iteration of iterations.values()) {
    if (!iteration.done && !iteration.failed) continue;
    const count = (name: string, failed: boolean) => {
      const entry = result[name];
      if (!entry) return;
      entry.iterations ??= { succeeded: 0, failed: 0 };
      entry.iterations[failed ? 'failed' : 'succeeded'] += 1;
    };
    count(iteration.map, iteration.failed);
    const lastState = iteration.states[iteration.states.length - 1];
    for (const name of new Set(iteration.states)) count(name, iteration.failed && name === lastState);
  }
  for (const entry of Object.values(result)) entry.outcome = outcomeOf(entry);
  return result;
}

/** The run's status from its events: FAILED unless the execution reported success. */
export function runInfoFromEvents(runId: string, events: Iterable<EngineEventShape>): GraphRunInfo {
  const list = [...events];
  const succeeded = list.some((event) => event.type === 'ExecutionSucceeded');
  return { runId, status: succeeded ? 'SUCCEEDED' : 'FAILED', states: statsFromEvents(list) };
}
