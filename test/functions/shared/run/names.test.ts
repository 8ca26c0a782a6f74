import { DEAD_LETTERED, RunErrorName, StepName } from '../../../../functions/shared/run';
import { readDefinitionTemplate } from '../../../../statemachine/substitutions';

type States = Record<string, { Type: string; Error?: string; ItemProcessor?: { States: States } }>;

/** Every state of the definition at any depth, by name. */
function statesOf(states: States, found = new Map<string, States[string]>()) {
  for (const [name, state] of Object.entries(states)) {
    found.set(name, state);
    if (state.ItemProcessor) statesOf(state.ItemProcessor.States, found);
  }
  return found;
}

const states = statesOf((JSON.parse(readDefinitionTemplate()) as { States: States }).States);

describe('the run contract names', () => {
  it.each(Object.values(StepName))('names %s, a state of the state machine', (name) => {
    expect(states.has(name)).toBe(true);
  });

  it('names the error of the Fail state that ends a run with dead letters', () => {
    const fail = states.get(StepName.recordsDeadLettered);
    expect(fail).toMatchObject({ Type: 'Fail', Error: RunErrorName.deadLettered });
    expect(DEAD_LETTERED).toBe(fail?.Error);
  });
});
