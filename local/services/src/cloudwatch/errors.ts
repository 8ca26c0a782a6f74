/** The one error local CloudWatch throws for a bad request; CloudWatchService encodes it per protocol. */

/** Query-protocol error code → SDK error shape and HTTP status (from the CloudWatch model). */
export const CloudWatchError = {
  InvalidParameterValue: { shape: 'InvalidParameterValueException', status: 400 },
  InvalidParameterCombination: { shape: 'InvalidParameterCombinationException', status: 400 },
  MissingParameter: { shape: 'MissingRequiredParameterException', status: 400 },
  InvalidAction: { shape: 'InvalidAction', status: 400 },
  // CloudWatch answers a body over its size limit with 413 "Request size N exceeded L bytes".
  RequestEntityTooLarge: { shape: 'RequestEntityTooLarge', status: 413 },
  InternalServiceError: { shape: 'InternalServiceFault', status: 500 },
} as const;
export type CloudWatchErrorCode = keyof typeof CloudWatchError;

export class CloudWatchRequestError extends Error {
  constructor(
    readonly code: CloudWatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}
