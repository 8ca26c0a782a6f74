import { PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { DEFAULT_FIREHOSE_LIMITS } from '../src';
import { createDeliveryStream, errorOf, startTestServices, type TestServices } from './helpers';

/** The Firehose limits are an input: a caller's own values are the ones refused, not AWS's defaults. */

const STREAM = 'limited';
let t: TestServices;

beforeAll(async () => {
  t = await startTestServices({ limits: { batchRecords: 2, recordBytes: 10, batchBytes: 15 } });
  await createDeliveryStream(t, STREAM, 'limited-bucket');
});
afterAll(() => t.close());

const putBatch = (sizes: number[]) =>
  t.firehose.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: STREAM,
      Records: sizes.map((size) => ({ Data: Buffer.alloc(size, 'a') })),
    }),
  );

describe('local Firehose with limits given as options', () => {
  it('defaults to the AWS limits: 500 records and 4 MiB per call, 1,000 KiB per record', () => {
    expect(DEFAULT_FIREHOSE_LIMITS).toEqual({
      batchRecords: 500,
      batchBytes: 4_194_304,
      recordBytes: 1_024_000,
    });
  });

  it('refuses a batch over the given record count with ValidationException naming that count', async () => {
    const error = await errorOf(putBatch([1, 1, 1]));
    expect(error).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(error.message).toContain('Member must have length less than or equal to 2');
  });

  it('refuses a record over the given size, in a batch and alone', async () => {
    const inBatch = await errorOf(putBatch([11]));
    expect(inBatch.name).toBe('ValidationException');
    expect(inBatch.message).toContain('Member must have length less than or equal to 10');
    const alone = await errorOf(
      t.firehose.send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.alloc(11) } }),
      ),
    );
    expect(alone.name).toBe('ValidationException');
  });

  it('refuses a batch over the given total size with InvalidArgumentException', async () => {
    expect(await errorOf(putBatch([8, 8]))).toMatchObject({ name: 'InvalidArgumentException', status: 400 });
  });

  it('accepts a call exactly at the given limits', async () => {
    expect((await putBatch([10, 5])).FailedPutCount).toBe(0);
  });
});
