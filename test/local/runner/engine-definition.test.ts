import validator from 'asl-validator';
import type { JsonObject } from '../../../local/runner/distributed-map';
import { DuplicateChildren } from '../../../local/runner/duplicate-children';
import { engineDefinition } from '../../../local/runner/execute-definition';
import { localSubstitutions } from '../../../local/runner/local-lambdas';
import { LOCAL_RESOURCE_NAMES } from '../../../local/runner/local-resources';
import { readDefinitionTemplate, substituteDefinition } from '../../../statemachine/substitutions';

// The engine runs these without its own check (execute-definition.ts), so every variant the runner can
// build is checked here, with the options the engine's check used (local ARNs are not real ones).
const projectDefinition = () =>
  JSON.parse(
    substituteDefinition(readDefinitionTemplate(), localSubstitutions(LOCAL_RESOURCE_NAMES)),
  ) as JsonObject;
const validate = (definition: JsonObject) => validator(definition, { checkArn: false, checkPaths: true });

describe('the definition the local engine runs', () => {
  it('is valid ASL as a run starts it, and with every duplicate-children fault', () => {
    for (const duplicateChildren of [undefined, ...Object.values(DuplicateChildren)]) {
      const result = validate(
        engineDefinition({ definition: projectDefinition(), duplicateChildren }).definition,
      );
      expect({ duplicateChildren, errors: result.errors }).toEqual({ duplicateChildren, errors: [] });
      expect(result.isValid).toBe(true);
    }
  });

  it('is valid ASL when a resumed run enters it at any of its top-level states', () => {
    const states = Object.keys(projectDefinition().States as JsonObject);
    expect(states.length).toBeGreaterThan(3);
    for (const startAt of states) {
      const result = validate(engineDefinition({ definition: projectDefinition(), startAt }).definition);
      expect({ startAt, errors: result.errors }).toEqual({ startAt, errors: [] });
    }
  });

  it('would be refused by the same check if lowering left a transition to a missing state', () => {
    const { definition } = engineDefinition({ definition: projectDefinition() });
    const states = definition.States as Record<string, JsonObject>;
    const withNext = Object.values(states).find((state) => typeof state.Next === 'string') as JsonObject;
    withNext.Next = 'NoSuchState';
    expect(validate(definition).isValid).toBe(false);
  });
});
