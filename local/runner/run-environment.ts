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

/** The functions' environment, as the CDK stack sets it on AWS, pointed at the local services. */
export function functionEnvironment(
  endpoint: string,
  names: LocalResourceNames,
  retry: Partial<RetryPolicy> = {},
  paceToQuota = true,
) {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: names.region,
    // The local services do not check signatures; these keep the SDK from looking for real credentials.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    SOURCE_BUCKET: names.sourceBucket,
    ARTIFACT_BUCKET: names.artifactBucket,
    DELIVERY_STREAM_NAME: names.streamName,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  if (retry.maxAttempts !== undefined) env.RETRY_MAX_ATTEMPTS = String(retry.maxAttempts);
  if (retry.baseDelayMs !== undefined) env.RETRY_BASE_DELAY_MS = String(retry.baseDelayMs);
  if (retry.maxDelayMs !== undefined) env.RETRY_MAX_DELAY_MS = String(retry.maxDelayMs);
  if (retry.budgetMs !== undefined) env.RETRY_BUDGET_MS = String(retry.budgetMs);
  if (retry.throttleWindowMs !== undefined) env.RETRY_THROTTLE_WINDOW_MS = String(retry.throttleWindowMs);
  // No STREAM_*_PER_SECOND: the job finds the local stream's quota in the local CloudWatch, as on AWS.
  if (!paceToQuota) env.PACE_TO_QUOTA = 'false';
  return env;
}
