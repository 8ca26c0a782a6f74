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

export class FirehoseRequestError extends Error {
  constructor(
    readonly code: FirehoseErrorCode,
    message: string,
    readonly status: number = FirehoseError[code],
  ) {
    super(message);
  }
}
