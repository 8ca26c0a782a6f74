import { type Env, optionalString, requireString } from '../shared/env';
import { DEFAULT_METRICS_NAMESPACE } from '../shared/metrics-namespace';

export interface AdvanceRoundConfig {
  artifactBucket: string;
  streamName: string;
  metricsNamespace: string;
}

export function loadAdvanceRoundConfig(env: Env = process.env): AdvanceRoundConfig {
  return {
    artifactBucket: requireString(env, 'ARTIFACT_BUCKET'),
    streamName: requireString(env, 'DELIVERY_STREAM_NAME'),
    metricsNamespace: optionalString(env, 'METRICS_NAMESPACE', DEFAULT_METRICS_NAMESPACE),
  };
}
