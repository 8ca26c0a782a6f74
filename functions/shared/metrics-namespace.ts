/** The job's own CloudWatch metrics (FailedPutCount and chunk outcomes) live in this namespace by default. */
export const DEFAULT_METRICS_NAMESPACE = 'FirehoseLoader';
