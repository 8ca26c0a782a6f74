import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startTestServices, type TestServices } from './helpers';

/**
 * With `msPerRequest` the local Firehose quota clock moves per request, not with real time: a test of
 * throttling then gets the same answer on a fast machine and on a loaded CI runner.
 */

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices({ quotas: { recordsPerSecond: 1000, msPerRequest: 100 } });
  await t.s3.send(new CreateBucketCommand({ Bucket: 'quota-clock' }));
  await t.firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'quota-clock',
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: 'arn:aws:s3:::quota-clock',
      },
    }),
  );
  // A new stream may be CREATING for a while (as on AWS): wait until it takes records.
  for (let poll = 0; poll < 100; poll++) {
    const { DeliveryStreamDescription } = await t.firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'quota-clock' }),
    );
    if (DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
afterAll(() => t.close());

const batch = (records: number) =>
  new PutRecordBatchCommand({
    DeliveryStreamName: 'quota-clock',
    Records: Array.from({ length: records }, (_, i) => ({ Data: Buffer.from(`${i}\n`) })),
  });

it('throttles by requests, not by wall-clock time, when the quota clock runs per request', async () => {
  // 1,000 records/s and 100 ms per request: the bucket starts with 1,000 and gets 100 back per request.
  const failed: number[] = [];
  for (let request = 0; request < 4; request++) {
    failed.push((await t.firehose.send(batch(500))).FailedPutCount ?? -1);
    // Real time passing between requests gives nothing back.
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  // 1,000 → 500 left; +100 → 100 left; +100 → 200 accepted, 300 throttled; +100 → 100 accepted.
  expect(failed).toEqual([0, 0, 300, 400]);
});
