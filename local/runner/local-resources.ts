import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  type FirehoseClient,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { waitUntilDeliveryStreamActive } from './stream-active';

export { StreamNotActiveError, waitUntilDeliveryStreamActive } from './stream-active';

/** The names the local job uses; on AWS the CDK stack creates the real ones. */
export interface LocalResourceNames {
  sourceBucket: string;
  artifactBucket: string;
  destinationBucket: string;
  streamName: string;
  region: string;
  accountId: string;
}

export const LOCAL_RESOURCE_NAMES: LocalResourceNames = {
  sourceBucket: 'firehose-loader-source',
  artifactBucket: 'firehose-loader-artifacts',
  destinationBucket: 'firehose-loader-destination',
  streamName: 'firehose-loader-stream',
  region: 'us-east-1',
  // The account id AWS documentation uses for examples; nothing here talks to a real account.
  accountId: '000000000000',
};

// Delivery buffering like the CDK stack's defaults: 5 MiB or 60 s, whichever comes first.
const BUFFER_SIZE_MIB = 5;
const BUFFER_INTERVAL_SECONDS = 60;

const alreadyThere = (error: unknown, names: string[]) =>
  error instanceof Error && names.includes(error.name);

/** Creates the buckets and the delivery stream if they are not there yet; safe to call before every run. */
export async function ensureLocalResources(
  s3: S3Client,
  firehose: FirehoseClient,
  names: LocalResourceNames,
) {
  for (const bucket of [names.sourceBucket, names.artifactBucket, names.destinationBucket]) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (!alreadyThere(error, ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'])) throw error;
    }
  }
  if (!(await streamExists(firehose, names.streamName))) {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: names.streamName,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: `arn:aws:s3:::${names.destinationBucket}`,
          RoleARN: `arn:aws:iam::${names.accountId}:role/firehose-loader-delivery`,
          ErrorOutputPrefix: 'errors/',
          BufferingHints: { SizeInMBs: BUFFER_SIZE_MIB, IntervalInSeconds: BUFFER_INTERVAL_SECONDS },
        },
      }),
    );
  }
  // A new stream is CREATING for a while and refuses records until it is ACTIVE, as on AWS; one made
  // by a run stopped a moment after creating it may still be.
  await waitUntilDeliveryStreamActive(firehose, names.streamName);
}

async function streamExists(firehose: FirehoseClient, streamName: string): Promise<boolean> {
  try {
    await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: streamName }));
    return true;
  } catch (error) {
    if (alreadyThere(error, ['ResourceNotFoundException'])) return false;
    throw error;
  }
}
