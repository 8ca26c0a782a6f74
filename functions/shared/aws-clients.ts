import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { createFirehoseClient } from './firehose/client';

/**
 * Clients are created once per Lambda container and reused. The SDK reads AWS_ENDPOINT_URL itself,
 * which is how the same code talks to the local services; the cache is keyed by that endpoint so a
 * process that runs against several local service instances (tests) never talks to a stale port.
 */
const cache = new Map<string, S3Client | CloudWatchClient | FirehoseClient>();

function cached<T extends S3Client | CloudWatchClient | FirehoseClient>(kind: string, create: () => T): T {
  const key = `${kind}|${process.env.AWS_ENDPOINT_URL ?? ''}`;
  let client = cache.get(key) as T | undefined;
  if (!client) {
    client = create();
    cache.set(key, client);
  }
  return client;
}

export const s3Client = (): S3Client =>
  cached('s3', () => new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }));
export const cloudWatchClient = (): CloudWatchClient => cached('cloudwatch', () => new CloudWatchClient({}));
export const firehoseClient = (): FirehoseClient => cached('firehose', () => createFirehoseClient());
