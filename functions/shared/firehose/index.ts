/** The Firehose sender: PutRecordBatch and PutRecord with counted retries, backoff and a time budget. */
export { fullJitterDelay } from './backoff';
export { createFirehoseClient } from './client';
export { classifyFirehoseError, describeFatalError, ErrorCategory, type ErrorClass } from './errors-classify';
export { BUDGET_EXHAUSTED_CODE, putRecord, putRecordsIndividually } from './put-record';
export { putRecordBatch } from './put-record-batch';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, resolveRetryPolicy } from './retry-policy';
export { FirehoseSendError } from './send-error';
export type { CallReport, EntryFailure, SenderDeps, SendOutcome } from './types';
