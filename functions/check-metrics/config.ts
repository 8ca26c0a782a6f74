import { type Env, optionalString, requireString } from '../shared/env';
import { DEFAULT_METRICS_NAMESPACE } from '../shared/metrics-namespace';

export interface CheckMetricsConfig {
  streamName: string;
  metricsNamespace: string;
}

export function loadCheckMetricsConfig(env: Env = process.env): CheckMetricsConfig {
  return {
    streamName: requireString(env, 'DELIVERY_STREAM_NAME'),
    metricsNamespace: optionalString(env, 'METRICS_NAMESPACE', DEFAULT_METRICS_NAMESPACE),
  };
}
