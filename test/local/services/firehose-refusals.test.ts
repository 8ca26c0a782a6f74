import {
  CreateDeliveryStreamCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { classifyFirehoseError, describeFatalError } from '../../../functions/shared/firehose';
import { waitUntilDeliveryStreamActive } from '../../../local/runner/local-resources';
import { startTestServices, type TestServices } from '../../../local/services/test/helpers';

/**
 * Firehose refuses oversized calls with the code and message shape real clients report: the model's
 * constraints with ValidationException, the 4 MiB total with InvalidArgumentException.
 */

const STREAM = 'refusals';
let t: TestServices;

beforeAll(async () => {
  t = await startTestServices();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'refusals-bucket' }));
  await t.firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: STREAM,
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: 'arn:aws:s3:::refusals-bucket',
      },
    }),
  );
  await waitUntilDeliveryStreamActive(t.firehose, STREAM);
});
afterAll(() => t.close());

const putBatch = (records: Buffer[]) =>
  t.firehose.send(
    new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: records.map((Data) => ({ Data })) }),
  );

async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to be refused');
}

const context = { operation: 'PutRecordBatch', streamName: STREAM, region: 'us-east-1' };

describe('local Firehose refusals of oversized calls', () => {
  it('refuses 501 records with ValidationException in the shape of the API model, not retryable', async () => {
    const error = await refusal(putBatch(Array.from({ length: 501 }, (_, i) => Buffer.from(`${i}\n`))));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      "1 validation error detected: Value '[501 records]' at 'records' failed to satisfy constraint: " +
        'Member must have length less than or equal to 500',
    );
    const cls = classifyFirehoseError(error);
    expect(cls).toMatchObject({ category: 'validation', retryable: false, code: 'ValidationException' });
    expect(describeFatalError(cls, error, context)).toContain('at most 500 records per batch');
  });

  it('refuses records over 1,024,000 bytes with one ValidationException naming each by position', async () => {
    const big = Buffer.alloc(1_024_001, 1);
    const error = await refusal(putBatch([Buffer.from('ok\n'), big, big]));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      '2 validation errors detected: ' +
        "Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at 'records.2.member.data' failed to " +
        'satisfy constraint: Member must have length less than or equal to 1024000; ' +
        "Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at 'records.3.member.data' failed to " +
        'satisfy constraint: Member must have length less than or equal to 1024000',
    );
    const single = await refusal(
      t.firehose.send(new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: big } })),
    );
    expect(single.name).toBe('ValidationException');
    expect(single.message).toContain("at 'record.data' failed to satisfy constraint");
    expect(classifyFirehoseError(single)).toMatchObject({ category: 'validation', retryable: false });
  });

  it('refuses more than 4 MiB in one call with InvalidArgumentException "Records size exceeds 4 MB limit"', async () => {
    const error = await refusal(putBatch(Array.from({ length: 5 }, () => Buffer.alloc(1_000_000, 2))));
    expect(error.name).toBe('InvalidArgumentException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe('Records size exceeds 4 MB limit');
    const cls = classifyFirehoseError(error);
    expect(cls).toMatchObject({ category: 'invalidArgument', retryable: false });
    expect(describeFatalError(cls, error, context)).toContain('4 MiB');
  });

  it('accepts a call exactly at the limits', async () => {
    const atLimit = [
      Buffer.alloc(1_024_000, 3),
      ...Array.from({ length: 3 }, () => Buffer.alloc(1_000_000, 4)),
    ];
    expect((await putBatch(atLimit)).FailedPutCount).toBe(0);
  });
});
