/**
 * Sorts an error thrown by a Firehose call into "retry it" or "stop and say what to fix", from the
 * SDK's error `name`, `$metadata.httpStatusCode` and Node's socket error `code`.
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

// Firehose answers over-quota puts with ServiceUnavailableException "Slow down."; the rest are the
// SDK's generic throttling names, which a local emulator or a proxy may send.
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

export function classifyFirehoseError(error: unknown): ErrorClass {
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
  if (nodeCode && NETWORK_CODES.has(nodeCode)) return result(ErrorCategory.network);
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

export interface FixContext {
  operation: string;
  streamName: string;
  region: string;
}

/** A message for a non-retryable error that says what to change. */
export function describeFatalError(cls: ErrorClass, error: unknown, ctx: FixContext): string {
  const detail = stringField(error, 'message') ?? '';
  const what = `${ctx.operation} to delivery stream "${ctx.streamName}" failed with ${cls.code}${
    cls.httpStatus ? ` (HTTP ${cls.httpStatus})` : ''
  }${detail ? `: ${detail}` : ''}`;
  return `${what}. ${FIXES[cls.category](ctx)}`;
}

const FIXES: Record<ErrorCategory, (ctx: FixContext) => string> = {
  notFound: (c) =>
    `Delivery stream "${c.streamName}" not found in region ${c.region}: check DELIVERY_STREAM_NAME, ` +
    'AWS_REGION and (locally) AWS_ENDPOINT_URL',
  invalidArgument: () =>
    'Firehose rejected the request: each record must be at most 1,000 KiB before base64, a batch at ' +
    'most 500 records and 4 MiB; check how the chunk was planned',
  invalidSource: (c) =>
    `Stream "${c.streamName}" does not take Direct PUT (its source is a Kinesis data stream or MSK): ` +
    'use a Direct PUT delivery stream',
  streamBusy: (c) =>
    `Stream "${c.streamName}" is not ACTIVE (being created, updated or deleted): wait until it is ACTIVE`,
  kms: (c) =>
    `Firehose cannot use the KMS key of stream "${c.streamName}": check that the key exists, is enabled ` +
    'and that its key policy lets Firehose use it',
  credentials: (c) =>
    `The credentials were refused in region ${c.region}: check that they are valid and not expired, that ` +
    `the role may call firehose:${c.operation} on the stream, and the machine clock`,
  validation: () => 'The request did not match the Firehose API: check the stream name and record data',
  clientError: () => 'Firehose refused the request; a retry would get the same answer',
  badResponse: () =>
    'Resending could duplicate records, so nothing was resent: check the Firehose endpoint (AWS_ENDPOINT_URL)',
  unknown: () => 'The error did not come from Firehose; see its cause',
  // Retryable categories only reach here when a caller asks anyway.
  throttled: () => 'Firehose throttled the stream: lower the concurrency or raise the stream quota',
  server: () => 'Firehose failed internally: try again later',
  network: () => 'The endpoint could not be reached: check the network and AWS_ENDPOINT_URL',
  timeout: () => 'The call timed out: check the network and AWS_ENDPOINT_URL',
  clockSkew: () => 'The machine clock is off: synchronise it',
};

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

// Connections that were never established: the request cannot have reached Firehose.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when a failed call may still have been taken by Firehose: it timed out or lost its connection. */
export function mayHaveReachedFirehose(cls: ErrorClass): boolean {
  if (cls.category === ErrorCategory.timeout) return true;
  return cls.category === ErrorCategory.network && !NEVER_CONNECTED.has(cls.code);
}
