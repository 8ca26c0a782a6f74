import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startLocalServices } from '../src';
import { errorOf, startTestServices, type TestServices } from './helpers';

/**
 * CreateBucket keeps the bucket's LocationConstraint, and a repeat create answers as S3 does: 409
 * BucketAlreadyOwnedByYou everywhere but us-east-1, where it is 200 (S3 API reference, CreateBucket).
 */

let t: TestServices;
const clients: S3Client[] = [];
beforeAll(async () => {
  t = await startTestServices();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await t.close();
});

/** An S3 client that signs for `region`, as one configured for that region's endpoint would. */
function s3In(region: string, endpoint = t.config.endpoint): S3Client {
  const client = new S3Client({ ...t.config, endpoint, region });
  clients.push(client);
  return client;
}

const create = (client: S3Client, bucket: string, location?: string) =>
  client.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(location
        ? { CreateBucketConfiguration: { LocationConstraint: location as BucketLocationConstraint } }
        : {}),
    }),
  );
const locationOf = async (client: S3Client, bucket: string) =>
  (await client.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint ?? '';

describe('local S3 bucket regions', () => {
  it('keeps a LocationConstraint: GetBucketLocation and HeadBucket give it back', async () => {
    const ireland = s3In('eu-west-1');
    await create(ireland, 'in-ireland', 'eu-west-1');
    expect(await locationOf(ireland, 'in-ireland')).toBe('eu-west-1');
    expect((await ireland.send(new HeadBucketCommand({ Bucket: 'in-ireland' }))).BucketRegion).toBe(
      'eu-west-1',
    );
    // us-east-1 may create a bucket in another region; it is then that region's.
    const virginia = s3In('us-east-1');
    await create(virginia, 'in-frankfurt', 'eu-central-1');
    expect(await locationOf(virginia, 'in-frankfurt')).toBe('eu-central-1');
    await create(virginia, 'in-virginia');
    expect(await locationOf(virginia, 'in-virginia')).toBe('');
  });

  it('answers a repeat create with 409 BucketAlreadyOwnedByYou outside us-east-1 and 200 in us-east-1', async () => {
    const ireland = s3In('eu-west-1');
    await create(ireland, 'twice-ireland', 'eu-west-1');
    expect(await errorOf(create(ireland, 'twice-ireland', 'eu-west-1'))).toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      status: 409,
    });
    const virginia = s3In('us-east-1');
    await create(virginia, 'twice-frankfurt', 'eu-central-1');
    expect(await errorOf(create(virginia, 'twice-frankfurt', 'eu-central-1'))).toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      status: 409,
    });
    await create(virginia, 'twice-virginia');
    await expect(create(virginia, 'twice-virginia')).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
  });

  it('refuses a constraint the endpoint cannot create, and an explicit us-east-1', async () => {
    // The SDK adds its region as LocationConstraint by itself; the AWS CLI and boto3 do not.
    const unspecified = await fetch(`${t.config.endpoint}/nowhere-a`, {
      method: 'PUT',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20261130/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=0',
      },
    });
    expect(unspecified.status).toBe(400);
    const text = await unspecified.text();
    expect(text).toContain('<Code>IllegalLocationConstraintException</Code>');
    expect(text).toContain(
      'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
    );
    const ireland = s3In('eu-west-1');
    expect(await errorOf(create(ireland, 'nowhere-b', 'eu-central-1'))).toMatchObject({
      name: 'IllegalLocationConstraintException',
      status: 400,
    });
    expect(await errorOf(create(s3In('us-east-1'), 'nowhere-c', 'us-east-1'))).toMatchObject({
      name: 'InvalidLocationConstraint',
      status: 400,
    });
  });

  it('keeps the region across a restart of the services', async () => {
    await create(s3In('eu-west-1'), 'kept-region', 'eu-west-1');
    await t.services.stop();
    const again = await startLocalServices({ dataDir: t.dataDir, port: 0 });
    try {
      expect(await locationOf(s3In('eu-west-1', again.endpoint), 'kept-region')).toBe('eu-west-1');
    } finally {
      await again.stop();
    }
  });
});
