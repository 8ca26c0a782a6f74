import { DescribeDeliveryStreamCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { LoaderError } from '../../functions/shared/errors';

/**
 * Waits until a delivery stream is ACTIVE. A new stream is CREATING for a while and refuses records
 * until then (CreateDeliveryStream API reference); the Firehose SDK has no waiter for it, so this is
 * the one the project uses after every CreateDeliveryStream.
 */

export interface WaitForStreamOptions {
  /** Give up after this long (AWS usually takes well under a minute). */
  maxWaitMs?: number;
  pollMs?: number;
}

const DEFAULT_MAX_WAIT_MS = 5 * 60_000;
const DEFAULT_POLL_MS = 100;

/** A LoaderError, so the CLI reports it in one line naming the stream. */
export class StreamNotActiveError extends LoaderError {
  constructor(message: string) {
    super(message);
    this.name = 'StreamNotActiveError';
  }
}

export async function waitUntilDeliveryStreamActive(
  client: FirehoseClient,
  streamName: string,
  options: WaitForStreamOptions = {},
): Promise<void> {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + maxWaitMs;
  let status: string | undefined;
  for (;;) {
    const { DeliveryStreamDescription } = await client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: streamName }),
    );
    status = DeliveryStreamDescription?.DeliveryStreamStatus;
    if (status === 'ACTIVE') return;
    if (status === 'CREATING_FAILED' || status === 'DELETING' || status === 'DELETING_FAILED') {
      const reason = DeliveryStreamDescription?.FailureDescription?.Details;
      throw new StreamNotActiveError(
        `delivery stream ${streamName} is ${status}${reason ? `: ${reason}` : ''}; it will not become ACTIVE`,
      );
    }
    if (Date.now() + pollMs > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new StreamNotActiveError(
    `delivery stream ${streamName} was still ${status ?? 'not described'} after ${maxWaitMs} ms`,
  );
}
