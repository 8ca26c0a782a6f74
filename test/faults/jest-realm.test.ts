import { type JsonObject, lowerDistributedMaps } from '../../local/runner/distributed-map';
import { localSubstitutions } from '../../local/runner/local-lambdas';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import { readDefinitionTemplate, substituteDefinition } from '../../statemachine/substitutions';

describe('the local runner under jest', () => {
  // Regression: lowerDistributedMaps once copied with structuredClone, whose objects belong to Node's main
  // realm under jest; the engine then passed nested Parameters templates (the Lambda Payload) on
  // unresolved, and every run under jest read the default source key. Fixed in a5af112.
  it('lowers the definition into plain objects of the caller realm, so nested Parameters resolve', () => {
    const definition = JSON.parse(
      substituteDefinition(readDefinitionTemplate(), localSubstitutions(LOCAL_RESOURCE_NAMES)),
    ) as JsonObject;
    const lowered = lowerDistributedMaps(definition).definition;
    const plan = (lowered.States as JsonObject).Plan as JsonObject;
    const payload = (plan.Parameters as JsonObject).Payload as JsonObject;
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
  });
});
