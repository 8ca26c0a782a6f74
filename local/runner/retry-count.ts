import type { Json, JsonObject } from './lower-distributed-map';

/**
 * aws-local-stepfunctions has no `$$.State.RetryCount` (its context object holds only what the runner
 * passes in, once per execution). The runner supplies it for Task Parameters instead: `markRetryCounts`
 * swaps each `"key.$": "$$.State.RetryCount"` for a marker the engine leaves alone, and the Task's
 * stand-in fills in the count with `fillRetryCounts` when it is invoked.
 *
 * The count is the number of earlier invocations of the same Task state with the same parameters in
 * this run: a retry repeats its input exactly, and in this definition no two Map items, rounds or
 * runs share one. A definition that re-entered a Task with an identical input would see a count above
 * 0 where AWS says 0; for PutBatch that only means one more outcome lookup.
 */
export const RETRY_COUNT_PATH = '$$.State.RetryCount';
const MARKER = '\u0000local:$$.State.RetryCount';

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function markTemplate(template: Json): Json {
  if (Array.isArray(template)) return template.map(markTemplate);
  if (!isObject(template)) return template;
  return Object.fromEntries(
    Object.entries(template).map(([key, value]) =>
      key.endsWith('.$') && value === RETRY_COUNT_PATH
        ? [key.slice(0, -2), MARKER]
        : [key, markTemplate(value)],
    ),
  );
}

/**
 * A copy of `states` (at any depth: Map processors, Parallel branches) with Task Parameters marked,
 * and the names of the Task states that use the count.
 */
export function markRetryCounts(states: JsonObject, counted = new Set<string>()) {
  const marked = Object.fromEntries(
    Object.entries(states).map(([name, state]) => {
      if (!isObject(state)) return [name, state];
      const copy: JsonObject = { ...state };
      if (state.Type === 'Task' && state.Parameters !== undefined) {
        copy.Parameters = markTemplate(state.Parameters);
        if (JSON.stringify(copy.Parameters).includes(JSON.stringify(MARKER))) counted.add(name);
      }
      for (const field of ['ItemProcessor', 'Iterator'] as const) {
        const processor = state[field];
        if (isObject(processor) && isObject(processor.States))
          copy[field] = { ...processor, States: markRetryCounts(processor.States, counted).states };
      }
      if (Array.isArray(state.Branches)) {
        copy.Branches = state.Branches.map((branch) =>
          isObject(branch) && isObject(branch.States)
            ? { ...branch, States: markRetryCounts(branch.States, counted).states }
            : branch,
        );
      }
      return [name, copy];
    }),
  ) as JsonObject;
  return { states: marked, counted };
}

/** The evaluated parameters with every marker replaced by `retryCount`. */
export function fillRetryCounts(parameters: unknown, retryCount: number): unknown {
  if (parameters === MARKER) return retryCount;
  if (Array.isArray(parameters)) return parameters.map((value) => fillRetryCounts(value, retryCount));
  if (typeof parameters !== 'object' || parameters === null) return parameters;
  return Object.fromEntries(
    Object.entries(parameters).map(([key, value]) => [key, fillRetryCounts(value, retryCount)]),
  );
}

/** Counts invocations per Task state and exact parameters: the n-th identical one is retry n - 1. */
export class RetryCounter {
  private readonly seen = new Map<string, number>();

  next(stateName: string, parameters: unknown): number {
    const key = `${stateName}\u0000${JSON.stringify(parameters)}`;
    const count = this.seen.get(key) ?? 0;
    this.seen.set(key, count + 1);
    return count;
  }
}
