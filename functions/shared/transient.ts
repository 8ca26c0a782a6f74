import { TransientAwsError } from './errors';

// Socket-level failures the SDK reports by code; a later attempt may well succeed.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'TimeoutError',
]);
// S3 and CloudWatch throttling answers that are not always 5xx.
const THROTTLING_NAMES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** True for an AWS SDK error a later attempt can fix: 5xx, throttling, or a network failure. */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const shaped = error as Error & SdkErrorShape;
  const status = shaped.$metadata?.httpStatusCode ?? 0;
  return status >= 500 || THROTTLING_NAMES.has(shaped.name) || NETWORK_CODES.has(shaped.code ?? shaped.name);
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
