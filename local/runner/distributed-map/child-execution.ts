import type { JsonObject } from './json';

/** A failed child as the item's result, `{ childFailed: true, Error, Cause }`, from the caught error. */
export const childFailedState = (): JsonObject => ({
  Type: 'Pass',
  Parameters: { childFailed: true, 'Error.$': '$.Error', 'Cause.$': '$.Cause' },
  End: true,
});

/**
 * The inline ItemProcessor of a Map with ToleratedFailurePercentage 100: the child's states run in a
 * Parallel whose Catch turns a failure into the item's result, as a tolerated child-execution failure
 * leaves the other items running on AWS. The first branch is the child; its output is the item's.
 */
export function toleratedChildProcessor(branches: JsonObject[]): JsonObject {
  return {
    StartAt: 'ChildExecution',
    States: {
      ChildExecution: {
        Type: 'Parallel',
        Branches: branches,
        OutputPath: '$[0]',
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ChildExecutionFailed' }],
        End: true,
      },
      ChildExecutionFailed: childFailedState(),
    },
  };
}
