/**
 * The one classifier of AWS SDK errors: "retry it" (throttling, 5xx, network, timeouts, clock skew) or
 * "stop and say what to fix", from the SDK's error `name`, `$metadata.httpStatusCode` and Node's
 * socket error `code`. The Firehose sender (firehose/errors-classify.ts) and the handlers'
 * TransientAwsError (transient.ts) both decide with it, so they cannot disagree.
 */

export const ErrorCategory = {
  throttled: 'throttled',
  server: 'server',
  network: 'network',
  timeout: 'timeout',
  clockSkew: 'clockSkew',
  notFound: 'notFound',
  invalidArgument: 'invalidArgument',
  invalidSource: 'invalidSource',
  streamBusy: 'streamBusy',
  kms: 'kms',
  credentials: 'credentials',
  validation: 'validation',
  clientError: 'clientError',
  badResponse: 'badResponse',
  unknown: 'unknown',
} as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

const RETRYABLE: ReadonlySet<ErrorCategory> = new Set([
  ErrorCategory.throttled,
  ErrorCategory.server,
  ErrorCategory.network,
  ErrorCategory.timeout,
  // The SDK corrects its clock offset from the failed response's Date header, so a retry can succeed.
  ErrorCategory.clockSkew,
]);

export interface ErrorClass {
  category: ErrorCategory;
  retryable: boolean;
  /** The name to report as an entry's errorCode: SDK error name, else Node error code, else 'Error'. */
  code: string;
  httpStatus: number | undefined;
}

// Firehose answers over-quota puts with ServiceUnavailableException "Slow down.", S3 with SlowDown;
// the rest are the SDK's generic throttling names, which a local emulator or a proxy may send.
const THROTTLING_NAMES = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
  'KMSThrottlingException',
]);
const SERVER_NAMES = new Set(['InternalFailure', 'InternalFailureException', 'InternalServerError']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const CLOCK_SKEW_NAMES = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);
// Socket failures: the SDK's own lists (@smithy/core service-error-classification constants,
// NODEJS_TIMEOUT_ERROR_CODES and NODEJS_NETWORK_ERROR_CODES), plus ECONNABORTED (an aborted socket).
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const CREDENTIAL_NAMES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'CredentialsProviderError',
]);
/** Thrown by the sender when RequestResponses do not line up with the records sent. */
export const UNALIGNED_RESPONSE_ERROR = 'UnalignedResponseError';

const FATAL_BY_NAME: ReadonlyMap<string, ErrorCategory> = new Map<string, ErrorCategory>([
  ['ResourceNotFoundException', ErrorCategory.notFound],
  ['InvalidArgumentException', ErrorCategory.invalidArgument],
  ['InvalidSourceException', ErrorCategory.invalidSource],
  ['ResourceInUseException', ErrorCategory.streamBusy],
  ['InvalidKMSResourceException', ErrorCategory.kms],
  ['ValidationException', ErrorCategory.validation],
  ['SerializationException', ErrorCategory.validation],
  [UNALIGNED_RESPONSE_ERROR, ErrorCategory.badResponse],
]);

/** Which kind of failure an AWS SDK error is; `retryable` is what every caller retries on. */
export function classifyAwsError(error: unknown): ErrorClass {
  const name = stringField(error, 'name');
  const nodeCode = stringField(error, 'code');
  const httpStatus = httpStatusOf(error);
  const code = name && name !== 'Error' ? name : (nodeCode ?? name ?? 'Error');
  const result = (category: ErrorCategory): ErrorClass => ({
    category,
    retryable: RETRYABLE.has(category),
    code,
    httpStatus,
  });

  if (name && THROTTLING_NAMES.has(name)) return result(ErrorCategory.throttled);
  if (name && SERVER_NAMES.has(name)) return result(ErrorCategory.server);
  if ((name && TIMEOUT_NAMES.has(name)) || nodeCode === 'ETIMEDOUT') return result(ErrorCategory.timeout);
  // Node puts the socket code in `code`; some wrappers leave it only as the error's name.
  const socket = nodeCode ?? name;
  if (socket && NETWORK_CODES.has(socket)) return result(ErrorCategory.network);
  if (name && CLOCK_SKEW_NAMES.has(name)) return result(ErrorCategory.clockSkew);
  if (name && CREDENTIAL_NAMES.has(name)) return result(ErrorCategory.credentials);
  const byName = name ? FATAL_BY_NAME.get(name) : undefined;
  if (byName) return result(byName);
  // KMSAccessDeniedException, KMSDisabledException, KMSNotFoundException, KMSInvalidStateException …
  if (name?.startsWith('KMS')) return result(ErrorCategory.kms);
  if (httpStatus === 429) return result(ErrorCategory.throttled);
  if (httpStatus !== undefined && httpStatus >= 500) return result(ErrorCategory.server);
  if (httpStatus === 401 || httpStatus === 403) return result(ErrorCategory.credentials);
  if (httpStatus !== undefined && httpStatus >= 400) return result(ErrorCategory.clientError);
  // No HTTP status and no socket code: most likely a bug on our side, which retrying only hides.
  return result(ErrorCategory.unknown);
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const metadata = (error as { $metadata?: unknown }).$metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const status = (metadata as { httpStatusCode?: unknown }).httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
