import { FirehoseClient, type FirehoseClientConfig } from '@aws-sdk/client-firehose';

// Without these the Node handler waits forever on a silent peer; a bounded wait turns into a
// retryable TimeoutError that our loop counts and backs off from. Firehose answers in well under a
// second, so 10 s is generous, and it keeps a call that starts at the end of the retry budget
// inside the PutBatch Lambda's timeout (budget + PUT_BATCH_TIMEOUT_HEADROOM in lib/).
const CONNECTION_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * A Firehose client for the sender. `maxAttempts: 1` switches the SDK's own retries off (it would
 * otherwise retry throttling 3 times unseen): our loop then counts every attempt, call and byte,
 * and retries only the failed entries of a batch. The endpoint comes from AWS_ENDPOINT_URL or
 * AWS_ENDPOINT_URL_FIREHOSE when set, which the SDK reads by itself.
 */
export function createFirehoseClient(config: FirehoseClientConfig = {}): FirehoseClient {
  return new FirehoseClient({
    // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes
    // (measured here: a silent server held the call past 5 s with a 0.5 s requestTimeout).
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    ...config,
    maxAttempts: 1,
  });
}
