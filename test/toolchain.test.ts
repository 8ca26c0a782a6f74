import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../functions/shared/limits';

describe('the toolchain', () => {
  it('runs the tests on Node.js 22, the Lambda runtime', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(22);
  });

  it('keeps the Firehose limits the job is built around', () => {
    expect([MAX_BATCH_RECORDS, MAX_BATCH_BYTES, MAX_RECORD_BYTES]).toEqual([500, 4_194_304, 1_024_000]);
  });
});
