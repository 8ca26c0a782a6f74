/** Firehose error codes used locally and their HTTP status (from the Firehose model). */
export const FirehoseError = {
  InvalidArgumentException: 400,
  // Constraint violations of the API model (record count and size) answer with this generic code.
  ValidationException: 400,
  ResourceNotFoundException: 400,
  ResourceInUseException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  ServiceUnavailableException: 503,
  InternalFailure: 500,
} as const;
export type FirehoseErrorCode = keyof typeof FirehoseError;

/**
 * An error the local Firehose answers a request with (its AWS error code and HTTP status). Named apart
 * from the functions' FirehoseRequestError, which the state machine catches on the caller's side.
 */
export class FirehoseErrorResponse extends Error {
  constructor(
    readonly code: FirehoseErrorCode,
    message: string,
    readonly status: number = FirehoseError[code],
  ) {
    super(message);
  }
}
