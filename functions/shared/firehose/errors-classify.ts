/**
 * What a Firehose caller should do about a failed call: the classification is the shared one
 * (../aws-error-class.ts); this adds a message that says what to fix for the ones not worth retrying.
 */
import { classifyAwsError, ErrorCategory, type ErrorClass } from '../aws-error-class';

export {
  ErrorCategory,
  type ErrorClass,
  UNALIGNED_RESPONSE_ERROR,
} from '../aws-error-class';

/** A Firehose call's error, classified by the shared classifier. */
export const classifyFirehoseError: (error: unknown) => ErrorClass = classifyAwsError;

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
  // Firehose answers a record over 1,000 KiB or more than 500 records with ValidationException too.
  validation: () =>
    'The request did not match the Firehose API: check the stream name and the record data (at most ' +
    '500 records per batch, each at most 1,000 KiB before base64)',
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

// Connections that were never established: the request cannot have reached Firehose.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when a failed call may still have been taken by Firehose: it timed out or lost its connection. */
export function mayHaveReachedFirehose(cls: ErrorClass): boolean {
  if (cls.category === ErrorCategory.timeout) return true;
  return cls.category === ErrorCategory.network && !NEVER_CONNECTED.has(cls.code);
}
