import { FirehoseRequestError } from '../errors';
import type { SendOutcome } from './types';

/**
 * A non-retryable Firehose error, carrying what was already accepted before it (a later round can
 * fail after earlier ones succeeded), so the caller does not resend those and duplicate them.
 * Its `name` stays 'FirehoseRequestError', the name the state machine's Catch blocks know.
 */
export class FirehoseSendError extends FirehoseRequestError {
  readonly outcome: SendOutcome;
  readonly errorCode: string;

  constructor(message: string, errorCode: string, outcome: SendOutcome, options?: ErrorOptions) {
    super(message, options);
    this.errorCode = errorCode;
    this.outcome = outcome;
  }
}
