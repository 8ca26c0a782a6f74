import * as advanceRoundConfig from '../../functions/advance-round/config';
import * as checkMetricsConfig from '../../functions/check-metrics/config';
import * as planConfig from '../../functions/plan/config';
import * as putBatchConfig from '../../functions/put-batch/config';
import type { Environment } from '../../functions/shared/env';
import type { RetryPolicy } from '../../functions/shared/firehose';
import type { LocalResourceNames } from './local-resources';

/** Sets the process environment the handlers read (as Lambda's would be) and gives back a restorer. */
export function applyEnvironment(values: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * The functions' environment, as the CDK stack sets it on AWS (each from its own config.ts), pointed at
 * the local services. One process runs all four, so they share it. A setting not written here is left
 * to the function's fallback, or to a variable already in the process environment (tests use that).
 */
export function functionEnvironment(
  endpoint: string,
  names: LocalResourceNames,
  retry: Partial<RetryPolicy> = {},
  paceToQuota = true,
): Environment {
  const { sourceBucket, artifactBucket, streamName } = names;
  return combineEnvironments([
    {
      AWS_ENDPOINT_URL: endpoint,
      // Lambda sets AWS_REGION for every function; Plan reads it for the region's default quota.
      AWS_REGION: names.region,
      // The local services do not check signatures; these keep the SDK from looking for real credentials.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    // No stated quota (STREAM_*_PER_SECOND): the job finds the local stream's quota in the local
    // CloudWatch, as on AWS.
    planConfig.toEnvironment({ sourceBucket, artifactBucket, quota: { streamName } }),
    // Pacing is PutBatch's default; only turning it off is written.
    putBatchConfig.toEnvironment({
      streamName,
      sourceBucket,
      artifactBucket,
      retry,
      pacing: paceToQuota ? undefined : false,
    }),
    advanceRoundConfig.toEnvironment({ artifactBucket, streamName }),
    checkMetricsConfig.toEnvironment({ streamName }),
  ]);
}

/** One environment from several; a variable two of them set must have one value (one process). */
function combineEnvironments(parts: Environment[]): Environment {
  const combined: Environment = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part)) {
      if (name in combined && combined[name] !== value) {
        throw new Error(`${name} is "${combined[name]}" for one function and "${value}" for another`);
      }
      combined[name] = value;
    }
  }
  return combined;
}
