/**
 * @firehose-loader/local-services: local Amazon S3, Amazon Data Firehose (Direct PUT to S3) and Amazon
 * CloudWatch on one 127.0.0.1 port, wire-compatible with the AWS SDKs and CLI. This file is the whole
 * public API; everything else in the package is internal and may change.
 */

export { type CloudWatchErrorCode, CloudWatchRequestError } from './cloudwatch/errors';
export type {
  GetMetricDataOutput,
  GetMetricStatisticsOutput,
  ListMetricsOutput,
  MetricDataResult,
  StatisticsDatapoint,
} from './cloudwatch/operations';
export {
  type GetMetricDataInput,
  type GetMetricStatisticsInput,
  type ListMetricsInput,
  openMetricStore,
  type StoredMetrics,
} from './cloudwatch/stored-metrics';
export { DataFolderInUseError, LOCK_FILE, type LockInfo, readDataLock } from './data-lock';
export { LocalServicesError } from './errors';
export { CrashPoint } from './firehose/delivery';
export { DEFAULT_FIREHOSE_LIMITS, type FirehoseLimits } from './firehose/limits';
export { LOCAL_FIREHOSE_NAMESPACE, LocalFirehoseMetric } from './firehose/metrics';
export {
  DEFAULT_FAULTS,
  DEFAULT_QUOTAS,
  DEFAULT_STREAM_CREATING_MS,
  type FaultSettings as FirehoseFaultSettings,
  type FirehoseQuotas,
} from './firehose/settings';
export {
  type FaultSettings,
  type LocalServices,
  type LocalServicesOptions,
  startLocalServices,
} from './local-services';
export { mulberry32 } from './prng';
export { startLocalServicesProcess } from './process';
export { DEFAULT_S3_FAULTS, type S3FaultSettings } from './s3/faults';
