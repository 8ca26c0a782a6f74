import {
  type ConfigPart,
  type Env,
  type Environment,
  environmentOf,
  optionalString,
  RESOURCE_VARIABLES,
  requireString,
} from '../shared/env';
import { DEFAULT_METRICS_NAMESPACE } from '../shared/metrics-namespace';

export interface AdvanceRoundConfig {
  artifactBucket: string;
  streamName: string;
  metricsNamespace: string;
}

/** The variables AdvanceRound reads, by the config field each sets. */
export const ADVANCE_ROUND_VARIABLES = {
  artifactBucket: RESOURCE_VARIABLES.artifactBucket,
  streamName: RESOURCE_VARIABLES.streamName,
  metricsNamespace: RESOURCE_VARIABLES.metricsNamespace,
} as const satisfies Record<keyof AdvanceRoundConfig, string>;

const VARIABLES = ADVANCE_ROUND_VARIABLES;

export function load(env: Env = process.env): AdvanceRoundConfig {
  return {
    artifactBucket: requireString(env, VARIABLES.artifactBucket),
    streamName: requireString(env, VARIABLES.streamName),
    metricsNamespace: optionalString(env, VARIABLES.metricsNamespace, DEFAULT_METRICS_NAMESPACE),
  };
}

/** The environment `load` reads `config` back from; a field left out is left to load's fallback. */
export function toEnvironment(config: ConfigPart<AdvanceRoundConfig>): Environment {
  return environmentOf(VARIABLES, config);
}
