import type { FirehoseLimits } from '@firehose-loader/local-services';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../../functions/shared/limits';

/**
 * The Firehose limits the functions respect (functions/shared/limits.ts, each with its AWS source),
 * handed to the local services so that they refuse exactly what the functions believe AWS refuses.
 */
export const FIREHOSE_LIMITS: FirehoseLimits = {
  batchRecords: MAX_BATCH_RECORDS,
  batchBytes: MAX_BATCH_BYTES,
  recordBytes: MAX_RECORD_BYTES,
};
