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

export interface CheckMetricsConfig {
  streamName: string;
  metricsNamespace: string;
}

/** The variables CheckMetrics reads, by the config field each sets. */
export const CHECK_METRICS_VARIABLES = {
  streamName: RESOURCE_VARIABLES.streamName,
  metricsNamespace: RESOURCE_VARIABLES.metricsNamespace,
} as const satisfies Record<keyof CheckMetricsConfig, string>;

const VARIABLES = CHECK_METRICS_VARIABLES;

export function load(env: Env = process.env): CheckMetricsConfig {
  return {
    streamName: requireString(env, VARIABLES.streamName),
    metricsNamespace: optionalString(env, VARIABLES.metricsNamespace, DEFAULT_METRICS_NAMESPACE),
  };
}

/** The environment `load` reads `config` back from; a field left out is left to load's fallback. */
export function toEnvironment(config: ConfigPart<CheckMetricsConfig>): Environment {
  return environmentOf(VARIABLES, config);
}
