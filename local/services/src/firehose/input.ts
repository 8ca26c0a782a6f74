import { isObject } from '../http/util';
import { FirehoseErrorResponse } from './errors';
import type { FirehoseLimits } from './limits';

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
  const invalid = (message: string) => new FirehoseErrorResponse('InvalidArgumentException', message);
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

/**
 * Firehose checks the API model's constraints first and answers all violations at once with
 * ValidationException ("N validation error(s) detected: Value '...' at 'records.97.member.data' failed to
 * satisfy constraint: Member must have length less than or equal to 1024000", as reported in
 * osquery/osquery#3568 and postmates/cernan#210); only then the 4 MiB total, with InvalidArgumentException
 * "Records size exceeds 4 MB limit" (osquery/osquery#3568; PutRecordBatch API reference: 500 records,
 * 1,000 KiB each, 4 MiB per call).
 */
function lengthViolation(value: string, path: string, max: number): string {
  return `Value '${value}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`;
}

function validationError(violations: string[]): FirehoseErrorResponse {
  const count = violations.length;
  return new FirehoseErrorResponse(
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
  );
}

// AWS shows the Java buffer that held the data; its length is the part that matters.
const bufferValue = (length: number) => `java.nio.HeapByteBuffer[pos=0 lim=${length} cap=${length}]`;

function dataOf(record: unknown, name: string): Buffer {
  if (!isObject(record) || typeof record.Data !== 'string') {
    throw new FirehoseErrorResponse('InvalidArgumentException', `${name}.Data must be a base64 string`);
  }
  return Buffer.from(record.Data, 'base64');
}

export function decodeRecord(record: unknown, limits: FirehoseLimits): Buffer {
  const data = dataOf(record, 'Record');
  if (data.length > limits.recordBytes) {
    throw validationError([lengthViolation(bufferValue(data.length), 'record.data', limits.recordBytes)]);
  }
  return data;
}

export function decodeBatch(records: unknown, limits: FirehoseLimits): Buffer[] {
  if (!Array.isArray(records)) {
    throw validationError(["Value null at 'records' failed to satisfy constraint: Member must not be null"]);
  }
  if (records.length === 0) {
    throw validationError([
      "Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ]);
  }
  const violations: string[] = [];
  if (records.length > limits.batchRecords) {
    violations.push(lengthViolation(`[${records.length} records]`, 'records', limits.batchRecords));
  }
  const data = records.map((record) => dataOf(record, 'Records.member'));
  data.forEach((record, index) => {
    if (record.length > limits.recordBytes) {
      const path = `records.${index + 1}.member.data`;
      violations.push(lengthViolation(bufferValue(record.length), path, limits.recordBytes));
    }
  });
  if (violations.length > 0) throw validationError(violations);
  const total = data.reduce((sum, record) => sum + record.length, 0);
  if (total > limits.batchBytes) {
    throw new FirehoseErrorResponse('InvalidArgumentException', 'Records size exceeds 4 MB limit');
  }
  return data;
}
