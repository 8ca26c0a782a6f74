import { ConfigError } from '../errors';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../limits';

export interface PlanSettings {
  /** Firehose records per PutRecordBatch call. */
  maxBatchRecords: number;
  /** Payload bytes per PutRecordBatch call. */
  maxBatchBytes: number;
  /** The first N good records are sent one by one with PutRecord. */
  individualRecords: number;
  /** Pack consecutive records into Firehose records of up to MAX_RECORD_BYTES. */
  pack: boolean;
}

/** Fills in the AWS maxima and refuses what Firehose would refuse, naming the setting and its range. */
export function resolvePlanSettings(input: Partial<PlanSettings>): PlanSettings {
  const pack = input.pack ?? false;
  if (typeof pack !== 'boolean') throw new ConfigError(`pack must be true or false, got ${String(pack)}`);
  const maxBatchBytes = integerIn('maxBatchBytes', input.maxBatchBytes, MAX_BATCH_BYTES, 1, MAX_BATCH_BYTES);
  // Packed records grow up to MAX_RECORD_BYTES (PutBatch rebuilds them with that limit), so a lower
  // batch size could not hold one of them.
  if (pack && maxBatchBytes < MAX_RECORD_BYTES) {
    throw new ConfigError(
      `maxBatchBytes must be from ${MAX_RECORD_BYTES} to ${MAX_BATCH_BYTES} when pack is on (a packed record can be ${MAX_RECORD_BYTES} bytes), got ${maxBatchBytes}`,
    );
  }
  return {
    maxBatchRecords: integerIn(
      'maxBatchRecords',
      input.maxBatchRecords,
      MAX_BATCH_RECORDS,
      1,
      MAX_BATCH_RECORDS,
    ),
    maxBatchBytes,
    individualRecords: integerIn('individualRecords', input.individualRecords, 0, 0, Number.MAX_SAFE_INTEGER),
    pack,
  };
}

function integerIn(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
