import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type LocalServices, startLocalServices } from '@firehose-loader/local-services';
import { cloudWatchClient, firehoseClient, s3Client } from '../../functions/shared/aws-clients';
import {
  ensureLocalResources,
  LOCAL_RESOURCE_NAMES,
  type LocalResourceNames,
} from '../../local/runner/local-resources';

const ENV_NAMES = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export interface LocalAws {
  services: LocalServices;
  names: LocalResourceNames;
  /** Where the services keep their data (a test may watch an upload in progress there). */
  dataDir: string;
  /** Creates another delivery stream into its own destination bucket, so a test sees only its own deliveries. */
  stream(name: string): Promise<LocalResourceNames>;
  stop(): Promise<void>;
}

/**
 * Starts the local S3/Firehose/CloudWatch in a temp directory, points the SDK at them through the
 * same environment variables a Lambda would see, and creates the job's buckets and stream.
 */
export async function startLocalAws(): Promise<LocalAws> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'functions-test-'));
  const services = await startLocalServices({ dataDir });
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  process.env.AWS_ENDPOINT_URL = services.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  const names = LOCAL_RESOURCE_NAMES;
  await ensureLocalResources(s3Client(), firehoseClient(), names);
  return {
    services,
    names,
    dataDir,
    async stream(name) {
      const more = { ...names, streamName: name, destinationBucket: `dest-${name}` };
      await ensureLocalResources(s3Client(), firehoseClient(), more);
      return more;
    },
    async stop() {
      await services.stop();
      for (const name of ENV_NAMES) {
        const value = saved[name];
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function putText(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Buffer,
): Promise<string> {
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return put.ETag ?? '';
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await got.Body?.transformToString()) ?? '';
}

export async function keysUnder(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])).sort();
}

/** Everything a stream delivered to its destination bucket so far, in delivery order. */
export async function deliveredText(s3: S3Client, bucket: string): Promise<string> {
  const parts: string[] = [];
  for (const key of await keysUnder(s3, bucket)) parts.push(await getText(s3, bucket, key));
  return parts.join('');
}

/** Sum of each metric over the last ten minutes, for one delivery stream, read back with GetMetricData. */
export async function metricSums(
  namespace: string,
  streamName: string,
  metricNames: readonly string[],
): Promise<Record<string, number>> {
  const now = Date.now();
  const page = await cloudWatchClient().send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 10 * 60_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: metricNames.map((name, index) => ({
        Id: `m${index}`,
        MetricStat: {
          Metric: {
            Namespace: namespace,
            MetricName: name,
            Dimensions: [{ Name: 'DeliveryStreamName', Value: streamName }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      })),
    }),
  );
  const sums: Record<string, number> = {};
  metricNames.forEach((name, index) => {
    const result = page.MetricDataResults?.find((r) => r.Id === `m${index}`);
    sums[name] = (result?.Values ?? []).reduce((total, value) => total + value, 0);
  });
  return sums;
}
