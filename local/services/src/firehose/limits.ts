/**
 * The AWS limits local Firehose enforces on PutRecord and PutRecordBatch. A caller passes the values its
 * own code respects (`LocalServicesOptions.limits`), so the services refuse exactly what that code
 * believes AWS refuses; these defaults are AWS's published values.
 */
export interface FirehoseLimits {
  /** Records in one PutRecordBatch call. */
  batchRecords: number;
  /** Bytes of one PutRecordBatch call, counted on raw data before base64. */
  batchBytes: number;
  /** Bytes of one record before base64. */
  recordBytes: number;
}

export const DEFAULT_FIREHOSE_LIMITS: Readonly<FirehoseLimits> = {
  // Firehose PutRecordBatch: "up to 500 records" per call (Firehose API reference, PutRecordBatch).
  batchRecords: 500,
  // Firehose PutRecordBatch: "up to 4 MiB for the entire request" (Firehose API reference, PutRecordBatch).
  batchBytes: 4 * 1024 * 1024,
  // Firehose record: "maximum size of a record sent to Firehose, before base64-encoding, is 1,000 KiB".
  recordBytes: 1_024_000,
};
