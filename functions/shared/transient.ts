import { classifyAwsError } from './aws-error-class';
import { TransientAwsError } from './errors';

/**
 * True for an AWS SDK error a later attempt can fix (throttling, 5xx, network, timeouts, clock skew):
 * the same decision the Firehose sender makes, from the one classifier.
 */
export function isTransientAwsError(error: unknown): boolean {
  return classifyAwsError(error).retryable;
}

/**
 * Runs a handler's work and gives transient AWS failures one name the state machine retries natively
 * (`TransientAwsError`); every other error passes through unchanged.
 */
export async function withTransientErrorsNamed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isTransientAwsError(error)) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new TransientAwsError(
        `an AWS call failed after the SDK's retries (${message}); retrying the step`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
