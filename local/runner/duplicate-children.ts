import { childFailedState, toleratedChildProcessor } from './distributed-map/child-execution';
import { isObject, type Json, type JsonObject } from './distributed-map/json';

/**
 * A fault of the local runner: every Distributed Map item starts its child execution twice, as AWS
 * may (Express children run at least once: "Execution guarantees", Step Functions developer guide).
 * `concurrent`: both copies run at the same time; `late`: the second starts after the first ended.
 * The item's result is the first copy's, as the Map tracks one execution; the second's result and
 * failure are dropped. Each copy is the whole ItemProcessor, with its own Retry rules.
 */
export const DuplicateChildren = { concurrent: 'concurrent', late: 'late' } as const;
export type DuplicateChildren = (typeof DuplicateChildren)[keyof typeof DuplicateChildren];

const SUFFIX = '.Duplicate';

/** The child's states renamed (`<name>.Duplicate`), so every state name stays unique in the definition. */
function renamedCopy(startAt: string, states: JsonObject): JsonObject {
  const rename = (name: Json | undefined) => (typeof name === 'string' ? `${name}${SUFFIX}` : name);
  const copy: JsonObject = {};
  for (const [name, value] of Object.entries(JSON.parse(JSON.stringify(states)) as JsonObject)) {
    const state = value as JsonObject;
    if (state.Next !== undefined) state.Next = rename(state.Next) as Json;
    if (state.Default !== undefined) state.Default = rename(state.Default) as Json;
    for (const list of [state.Choices, state.Catch]) {
      if (!Array.isArray(list)) continue;
      for (const rule of list)
        if (isObject(rule) && rule.Next !== undefined) rule.Next = rename(rule.Next) as Json;
    }
    copy[`${name}${SUFFIX}`] = state;
  }
  return { StartAt: `${startAt}${SUFFIX}`, States: copy };
}

const catchAll = (next: string, resultPath?: string | null): JsonObject[] => [
  {
    ErrorEquals: ['States.ALL'],
    ...(resultPath !== undefined ? { ResultPath: resultPath } : {}),
    Next: next,
  },
];

/** The second copy: its failure is caught, so it never fails the item. */
function duplicateBranch(startAt: string, states: JsonObject): JsonObject {
  return {
    StartAt: 'DuplicateChild',
    States: {
      DuplicateChild: {
        Type: 'Parallel',
        Branches: [renamedCopy(startAt, states)],
        Catch: catchAll('DuplicateChildFailed'),
        End: true,
      },
      DuplicateChildFailed: { Type: 'Pass', End: true },
    },
  };
}

/**
 * The inline ItemProcessor for a Map with ToleratedFailurePercentage 100 whose children start twice;
 * like the single-child one, a failed first copy becomes `{ childFailed: true, Error, Cause }`.
 */
export function duplicatedChildProcessor(
  startAt: string,
  states: JsonObject,
  mode: DuplicateChildren,
): JsonObject {
  if (mode === DuplicateChildren.concurrent) {
    return toleratedChildProcessor([{ StartAt: startAt, States: states }, duplicateBranch(startAt, states)]);
  }
  // Late: the item is kept aside, the first copy runs, then the second on the same item.
  return {
    StartAt: 'KeepItem',
    States: {
      KeepItem: { Type: 'Pass', Parameters: { 'item.$': '$' }, Next: 'ChildExecution' },
      ChildExecution: {
        Type: 'Parallel',
        Branches: [{ StartAt: startAt, States: states }],
        InputPath: '$.item',
        ResultPath: '$.tracked',
        Catch: catchAll('LateDuplicate', '$.trackedError'),
        Next: 'LateDuplicate',
      },
      LateDuplicate: {
        Type: 'Parallel',
        Branches: [duplicateBranch(startAt, states)],
        InputPath: '$.item',
        ResultPath: null,
        Next: 'FirstCopyResult',
      },
      FirstCopyResult: {
        Type: 'Choice',
        Choices: [{ Variable: '$.trackedError', IsPresent: true, Next: 'ChildExecutionFailed' }],
        Default: 'ChildSucceeded',
      },
      ChildSucceeded: { Type: 'Pass', OutputPath: '$.tracked[0]', End: true },
      ChildExecutionFailed: { ...childFailedState(), InputPath: '$.trackedError' },
    },
  };
}
