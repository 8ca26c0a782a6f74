import { isTransientAwsError } from '../shared/transient';

/**
 * Retries one of the small S3 writes that record what Firehose accepted (the re-queue object, the
 * outcome). Failing one would leave the claim unreleased and resend the chunk next round although this
 * attempt knows exactly what was accepted; a few retries on a transient error (5xx, throttling,
 * network) cost a second at most. The SDK has already retried each call 3 times.
 */
export interface WriteRetryDeps {
  /** No retry sleep may end past this (epoch ms): the Lambda timeout must still leave room. */
  untilMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

// 200, 400, 800 ms: three retries within 1.4 s, well inside the headroom left after the send.
export const WRITE_RETRIES = 3;
export const WRITE_RETRY_FIRST_MS = 200;

export async function retryTransientWrite<T>(write: () => Promise<T>, deps: WriteRetryDeps): Promise<T> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let retry = 0; ; retry++) {
    try {
      return await write();
    } catch (error) {
      const delayMs = WRITE_RETRY_FIRST_MS * 2 ** retry;
      if (retry >= WRITE_RETRIES || !isTransientAwsError(error) || now() + delayMs > deps.untilMs)
        throw error;
      await sleep(delayMs);
    }
  }
}
