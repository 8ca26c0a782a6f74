/**
 * What the sender counts for a chunk (PutBatch's outcome), summed the same way into the run totals and
 * over the executions of a load. Listed once: the types, the empty totals, the sums and the check of a
 * Map result's output all come from this list.
 */
export const SEND_COUNT_FIELDS = [
  /** Input records accepted. */
  'delivered',
  /** Input records handed to the next round. */
  'requeued',
  'acceptedFirehoseRecords',
  'acceptedBytes',
  'putRecordCalls',
  'putRecordBatchCalls',
  'attempts',
  /** Entry results with ServiceUnavailableException ("Slow down.") in PutRecordBatch responses. */
  'throttledEntries',
  /** Whole calls refused (throttled or failed) before any entry got a result. */
  'refusedRequests',
  'failedPutCount',
  /** Payload bytes put on the wire, retries included (measured by the sender, not planned). */
  'bytesSent',
] as const;
export type SendCountField = (typeof SEND_COUNT_FIELDS)[number];

/** What the sender counted for a chunk; `delivered` and `requeued` count input records. */
export type SendCounts = Record<SendCountField, number>;

/** The counts the run summary reports under `firehose` (the others are under `records`). */
export const FIREHOSE_COUNT_FIELDS = SEND_COUNT_FIELDS.filter(
  (field): field is Exclude<SendCountField, 'delivered' | 'requeued'> =>
    field !== 'delivered' && field !== 'requeued',
);
export type FirehoseCountField = (typeof FIREHOSE_COUNT_FIELDS)[number];

/** A chunk's (or an attempt's) Firehose traffic: its calls, their answers and bytes, no input records. */
export type FirehoseCounts = Record<FirehoseCountField, number>;

/** Each of `fields` at 0. */
export const zeroCounts = <F extends string>(fields: readonly F[]): Record<F, number> =>
  Object.fromEntries(fields.map((field) => [field, 0])) as Record<F, number>;

export const emptySendCounts = (): SendCounts => zeroCounts(SEND_COUNT_FIELDS);

/** `a` with each of `fields` increased by `b`'s; every other field of `a` as it is. */
export function addCounts<T extends Partial<Record<F, number>>, F extends string>(
  a: T,
  b: Partial<Record<F, number>>,
  fields: readonly F[],
): T {
  const sum: Record<string, number> = {};
  for (const field of fields) sum[field] = (a[field] ?? 0) + (b[field] ?? 0);
  return { ...a, ...sum };
}

/** The run totals after one chunk's outcome. */
export const addSendCounts = <T extends SendCounts>(totals: T, outcome: SendCounts): T =>
  addCounts(totals, outcome, SEND_COUNT_FIELDS);
