/** Limits set by AWS. Each carries where it comes from; settings may be lower, never higher. */

// Firehose PutRecordBatch: "up to 500 records" per call (Firehose API reference, PutRecordBatch).
export const MAX_BATCH_RECORDS = 500;
// Firehose PutRecordBatch: "up to 4 MiB for the entire request", counted on raw data before base64.
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
// Firehose record: "maximum size of a record sent to Firehose, before base64-encoding, is 1,000 KiB".
export const MAX_RECORD_BYTES = 1_024_000;
// Firehose pricing: ingestion is billed per record rounded up to the nearest 5 KB (5,120 bytes).
export const BILLING_INCREMENT_BYTES = 5_120;
// Step Functions quota: 256 KiB maximum input or output size for a state.
export const MAX_STATE_PAYLOAD_BYTES = 256 * 1024;
// Step Functions quota: 25,000 events in a Standard workflow's execution history.
export const MAX_EXECUTION_HISTORY_EVENTS = 25_000;
// Step Functions Distributed Map: up to 10,000 parallel child workflow executions.
export const MAX_DISTRIBUTED_MAP_CONCURRENCY = 10_000;
// Step Functions quota: an Express workflow execution (a Distributed Map's EXPRESS child) runs at most 5 minutes.
export const MAX_EXPRESS_EXECUTION_SECONDS = 300;
// Lambda quotas page: "New AWS accounts have reduced concurrency" (no number given; 10 is what new
// accounts commonly report). Defaults must run in an account this small.
export const NEW_ACCOUNT_LAMBDA_CONCURRENCY = 10;
// Lambda Invoke answers a throttled call at once with 429 TooManyRequestsException (Lambda API
// reference, Invoke): the function does not run. A generous bound of that round trip.
export const THROTTLED_INVOKE_SECONDS = 2;
