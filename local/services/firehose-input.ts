import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../../functions/shared/limits';
import { FirehoseRequestError } from './firehose-errors';
import { isObject } from './http-util';

/** Validation of Firehose requests, with the errors Firehose gives for them. */

export const ACCOUNT_ID = '000000000000';
// Firehose API reference: stream names are 1-64 characters of [a-zA-Z0-9_.-].
export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;
// Firehose API reference, BufferingHints: SizeInMBs 1-128 (default 5), IntervalInSeconds 0-900 (default 300).
const BUFFER_SIZE_MB = { min: 1, max: 128, default: 5 } as const;
const BUFFER_INTERVAL_SECONDS = { min: 0, max: 900, default: 300 } as const;
// S3 bucket ARNs: arn:<partition>:s3:::<bucket name>.
export const BUCKET_ARN_PATTERN = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;

export interface S3Destination {
  RoleARN: string;
  BucketARN: string;
  Prefix?: string;
  ErrorOutputPrefix?: string;
  BufferingHints: { SizeInMBs: number; IntervalInSeconds: number };
  CompressionFormat: string;
}

export function parseDestination(source: Record<string, unknown>): S3Destination {
  const invalid = (message: string) => new FirehoseRequestError('InvalidArgumentException', message);
  const bucketArn = source.BucketARN;
  if (typeof bucketArn !== 'string' || !BUCKET_ARN_PATTERN.test(bucketArn)) {
    throw invalid(`BucketARN must look like arn:aws:s3:::<bucket>, got ${String(bucketArn)}`);
  }
  const hints = isObject(source.BufferingHints) ? source.BufferingHints : {};
  const size = hints.SizeInMBs ?? BUFFER_SIZE_MB.default;
  const interval = hints.IntervalInSeconds ?? BUFFER_INTERVAL_SECONDS.default;
  if (
    typeof size !== 'number' ||
    !Number.isInteger(size) ||
    size < BUFFER_SIZE_MB.min ||
    size > BUFFER_SIZE_MB.max
  ) {
    throw invalid(`BufferingHints.SizeInMBs must be ${BUFFER_SIZE_MB.min}-${BUFFER_SIZE_MB.max}`);
  }
  if (
    typeof interval !== 'number' ||
    !Number.isInteger(interval) ||
    interval < BUFFER_INTERVAL_SECONDS.min ||
    interval > BUFFER_INTERVAL_SECONDS.max
  ) {
    throw invalid(
      `BufferingHints.IntervalInSeconds must be ${BUFFER_INTERVAL_SECONDS.min}-${BUFFER_INTERVAL_SECONDS.max}`,
    );
  }
  const compression = source.CompressionFormat ?? 'UNCOMPRESSED';
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') {
    throw invalid(
      `Local Firehose supports CompressionFormat UNCOMPRESSED or GZIP, not ${String(compression)}`,
    );
  }
  const prefix = typeof source.Prefix === 'string' ? source.Prefix : undefined;
  const errorPrefix = typeof source.ErrorOutputPrefix === 'string' ? source.ErrorOutputPrefix : undefined;
  // Firehose rejects a Prefix with expressions unless ErrorOutputPrefix is set too (custom prefixes docs).
  if (prefix?.includes('!{') && !errorPrefix) {
    throw invalid('ErrorOutputPrefix cannot be null or empty when Prefix contains expressions');
  }
  return {
    RoleARN:
      typeof source.RoleARN === 'string' ? source.RoleARN : `arn:aws:iam::${ACCOUNT_ID}:role/firehose-local`,
    BucketARN: bucketArn,
    Prefix: prefix,
    ErrorOutputPrefix: errorPrefix,
    BufferingHints: { SizeInMBs: size, IntervalInSeconds: interval },
    CompressionFormat: compression,
  };
}

export function decodeRecord(record: unknown): Buffer {
  if (!isObject(record) || typeof record.Data !== 'string') {
    throw new FirehoseRequestError('InvalidArgumentException', 'Record.Data must be a base64 string');
  }
  const data = Buffer.from(record.Data, 'base64');
  if (data.length > MAX_RECORD_BYTES) {
    throw new FirehoseRequestError(
      'InvalidArgumentException',
      `Record size ${data.length} bytes exceeds the limit of ${MAX_RECORD_BYTES} bytes (1,000 KiB) before base64 encoding`,
    );
  }
  return data;
}

export function decodeBatch(records: unknown): Buffer[] {
  if (!Array.isArray(records) || records.length === 0) {
    throw new FirehoseRequestError('InvalidArgumentException', 'Records must contain at least 1 record');
  }
  if (records.length > MAX_BATCH_RECORDS) {
    throw new FirehoseRequestError(
      'InvalidArgumentException',
      `Records has ${records.length} records; PutRecordBatch takes at most ${MAX_BATCH_RECORDS}`,
    );
  }
  const data = records.map(decodeRecord);
  const total = data.reduce((sum, record) => sum + record.length, 0);
  if (total > MAX_BATCH_BYTES) {
    throw new FirehoseRequestError(
      'InvalidArgumentException',
      `Records total ${total} bytes; PutRecordBatch takes at most ${MAX_BATCH_BYTES} bytes (4 MiB) before base64 encoding`,
    );
  }
  return data;
}
