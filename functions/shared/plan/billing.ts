import * as limits from '../limits';

// A local copy: CommonJS output (tsx, swc, jest) reads imported constants through getters, and this
// runs three times per record while planning.
const { BILLING_INCREMENT_BYTES } = limits;

/** What Firehose bills for one record: its size rounded up to the 5 KB increment, at least one. */
export function billedBytesOf(firehoseRecordBytes: number): number {
  return Math.max(1, Math.ceil(firehoseRecordBytes / BILLING_INCREMENT_BYTES)) * BILLING_INCREMENT_BYTES;
}
