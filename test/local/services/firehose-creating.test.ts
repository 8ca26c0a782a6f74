import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { waitUntilDeliveryStreamActive } from '../../../local/runner/local-resources';
import { errorOf, startTestServices, type TestServices } from '../../../local/services/test/helpers';

/** A new stream is CREATING for a while, as on AWS, and refuses records until it is ACTIVE. */

// A minute: far longer than any test runs, so the calls after CreateDeliveryStream see CREATING.
const SLOW_CREATING_MS = 60_000;
const QUICK_CREATING_MS = 300;
let slow: TestServices;
let quick: TestServices;
beforeAll(async () => {
  slow = await startTestServices({ streamCreatingMs: SLOW_CREATING_MS });
  quick = await startTestServices({ streamCreatingMs: QUICK_CREATING_MS });
  for (const { s3 } of [slow, quick]) await s3.send(new CreateBucketCommand({ Bucket: 'creating-bucket' }));
});
afterAll(async () => {
  await slow.close();
  await quick.close();
});

const create = (t: TestServices, name: string) =>
  t.firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: 'arn:aws:s3:::creating-bucket',
      },
    }),
  );
const status = async (t: TestServices, name: string) =>
  (await t.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name })))
    .DeliveryStreamDescription?.DeliveryStreamStatus;

describe('a new local delivery stream', () => {
  it('is CREATING at first and refuses records (ResourceNotFoundException) and deletion (ResourceInUseException)', async () => {
    const t = slow;
    await create(t, 'young');
    expect(await status(t, 'young')).toBe('CREATING');
    const batch = await errorOf(
      t.firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'young', Records: [{ Data: Buffer.from('x\n') }] }),
      ),
    );
    expect(batch).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    expect(batch.message).toContain('CREATING');
    const single = await errorOf(
      t.firehose.send(
        new PutRecordCommand({ DeliveryStreamName: 'young', Record: { Data: Buffer.from('x\n') } }),
      ),
    );
    expect(single).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    const deleted = await errorOf(
      t.firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'young' })),
    );
    expect(deleted).toMatchObject({ name: 'ResourceInUseException', status: 400 });
  });

  it('makes waitUntilDeliveryStreamActive give up, naming the stream and its status, after maxWaitMs', async () => {
    await create(slow, 'waited');
    await expect(
      waitUntilDeliveryStreamActive(slow.firehose, 'waited', { maxWaitMs: 100, pollMs: 20 }),
    ).rejects.toThrow(/delivery stream waited was still CREATING after 100 ms/);
  });

  it('becomes ACTIVE after streamCreatingMs, which waitUntilDeliveryStreamActive waits for, and then takes records', async () => {
    const t = quick;
    const createdAt = Date.now();
    await create(t, 'grown');
    await waitUntilDeliveryStreamActive(t.firehose, 'grown', { pollMs: 20 });
    expect(Date.now() - createdAt).toBeGreaterThanOrEqual(QUICK_CREATING_MS);
    expect(await status(t, 'grown')).toBe('ACTIVE');
    const put = await t.firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'grown', Records: [{ Data: Buffer.from('x\n') }] }),
    );
    expect(put.FailedPutCount).toBe(0);
  });
});
