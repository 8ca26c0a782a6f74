import { accountChunk, inputRecordsIn } from '../../../functions/put-batch/account';
import { emptyOutcome, type SendOutcome } from '../../../functions/shared/firehose/types';

const bytes = (text: string): Uint8Array => Buffer.from(text);

/** The sender's result with the given indexes still failed. */
function sent(records: readonly Uint8Array[], failedIndexes: number[]): SendOutcome {
  return {
    ...emptyOutcome(),
    accepted: records.length - failedIndexes.length,
    failed: failedIndexes.map((index) => ({
      index,
      errorCode: 'ServiceUnavailableException',
      errorMessage: 'Slow down.',
    })),
    attempts: 1,
    calls: 1,
  };
}

describe('inputRecordsIn', () => {
  it('counts one input record for an unpacked Firehose record', () => {
    expect(inputRecordsIn(bytes('{"a":1}\n'))).toBe(1);
  });

  it('counts every newline-terminated input record of a packed Firehose record', () => {
    expect(inputRecordsIn(bytes('{"a":1}\n{"a":2}\n{"a":3}\n'))).toBe(3);
  });

  it('counts nothing in an empty record, and only newline bytes in multi-byte text', () => {
    expect(inputRecordsIn(new Uint8Array())).toBe(0);
    expect(inputRecordsIn(bytes('{"name":"Zoë ☃ 𝄞"}\n{"name":"ñ"}\n'))).toBe(2);
  });
});

describe('accountChunk', () => {
  it('counts every record delivered when nothing failed', () => {
    const records = [bytes('a\n'), bytes('b\n'), bytes('c\n')];
    expect(accountChunk(records, sent(records, []))).toEqual({
      delivered: 3,
      requeued: 0,
      failedRecords: [],
    });
  });

  it('splits unpacked records into delivered and re-queued, keeping the failed ones in order', () => {
    const records = [bytes('a\n'), bytes('b\n'), bytes('c\n'), bytes('d\n'), bytes('e\n')];
    const account = accountChunk(records, sent(records, [1, 3, 4]));
    expect(account.delivered).toBe(2);
    expect(account.requeued).toBe(3);
    expect(account.failedRecords.map((r) => Buffer.from(r).toString())).toEqual(['b\n', 'd\n', 'e\n']);
  });

  it('counts input records, not Firehose records, for packed records', () => {
    const records = [bytes('a\nb\nc\n'), bytes('d\n'), bytes('e\nf\n')];
    const account = accountChunk(records, sent(records, [0, 2]));
    expect(account).toEqual({ delivered: 1, requeued: 5, failedRecords: [records[0], records[2]] });
  });

  it('keeps the failed records in input order even when the sender lists them out of order', () => {
    const records = [bytes('a\n'), bytes('b\nc\n'), bytes('d\n')];
    const outcome: SendOutcome = {
      ...sent(records, []),
      failed: [
        { index: 2, errorCode: 'ServiceUnavailableException', errorMessage: '' },
        { index: 0, errorCode: 'InternalFailure', errorMessage: '' },
      ],
    };
    const account = accountChunk(records, outcome);
    expect(account.failedRecords).toEqual([records[0], records[2]]);
    expect(account.delivered + account.requeued).toBe(4);
  });

  it('re-queues everything when every record failed', () => {
    const records = [bytes('a\nb\n'), bytes('c\n')];
    expect(accountChunk(records, sent(records, [0, 1]))).toEqual({
      delivered: 0,
      requeued: 3,
      failedRecords: records,
    });
  });
});
