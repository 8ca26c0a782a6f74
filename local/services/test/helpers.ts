import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalServices, type LocalServicesOptions, startLocalServices } from '../src';

export interface TestServices {
  services: LocalServices;
  dataDir: string;
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  s3: S3Client;
  firehose: FirehoseClient;
  cloudwatch: CloudWatchClient;
  /** Stops the services and removes the data directory. */
  close(): Promise<void>;
}

/** Starts the services on an ephemeral port with a fresh temp data directory, and real SDK clients. */
export async function startTestServices(options: Partial<LocalServicesOptions> = {}): Promise<TestServices> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'local-services-'));
  const services = await startLocalServices({ dataDir, port: 0, ...options });
  const config = {
    endpoint: services.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const s3 = new S3Client(config);
  const firehose = new FirehoseClient(config);
  const cloudwatch = new CloudWatchClient(config);
  return {
    services,
    dataDir,
    config,
    s3,
    firehose,
    cloudwatch,
    async close() {
      s3.destroy();
      firehose.destroy();
      cloudwatch.destroy();
      await services.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An SDK error's name and HTTP status, for asserting on error shapes. */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

/**
 * Waits until a new delivery stream is ACTIVE: it refuses records while CREATING, as on AWS
 * (CreateDeliveryStream API reference), and the Firehose SDK has no waiter.
 */
export async function waitUntilDeliveryStreamActive(
  client: FirehoseClient,
  streamName: string,
): Promise<void> {
  for (;;) {
    const { DeliveryStreamDescription } = await client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: streamName }),
    );
    if (DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Creates `bucket` and a Direct PUT delivery stream into it (buffering `hints`, else Firehose's
 * defaults), and waits until the stream is ACTIVE.
 */
export async function createDeliveryStream(
  clients: { s3: S3Client; firehose: FirehoseClient },
  stream: string,
  bucket: string,
  hints?: { SizeInMBs: number; IntervalInSeconds: number },
): Promise<void> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await clients.firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: stream,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: `arn:aws:s3:::${bucket}`,
        ...(hints ? { BufferingHints: hints } : {}),
      },
    }),
  );
  await waitUntilDeliveryStreamActive(clients.firehose, stream);
}

/** Whether a process with this pid exists (signal 0 only checks). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
