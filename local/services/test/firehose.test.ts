import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  type PutRecordBatchResponseEntry,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startLocalServices } from '../src';
import { errorOf, startTestServices, type TestServices, waitUntilDeliveryStreamActive } from './helpers';

const BUCKET = 'delivery-bucket';
let t: TestServices;
let streamCount = 0;

beforeAll(async () => {
  t = await startTestServices();
  await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(() => t.close());

/** A fresh stream with its own prefix; a large buffer so only flush() or the test's hints deliver. */
async function createStream(
  hints: { SizeInMBs?: number; IntervalInSeconds?: number } = {},
  client: FirehoseClient = t.firehose,
): Promise<{ name: string; prefix: string }> {
  streamCount++;
  const name = `stream-${streamCount}`;
  const prefix = `out/${name}/`;
  await client.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: `arn:aws:s3:::${BUCKET}`,
        Prefix: prefix,
        ErrorOutputPrefix: 'errors/',
        BufferingHints: {
          SizeInMBs: hints.SizeInMBs ?? 128,
          IntervalInSeconds: hints.IntervalInSeconds ?? 900,
        },
      },
    }),
  );
  await waitUntilDeliveryStreamActive(client, name);
  return { name, prefix };
}

/** Every delivered object under a prefix, in key order, read back through GetObject. */
async function delivered(prefix: string, s3: S3Client = t.s3): Promise<{ keys: string[]; bytes: Buffer }> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  const keys = (listed.Contents ?? []).map((c) => c.Key as string);
  const bodies: Buffer[] = [];
  for (const key of keys) {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    bodies.push(
      Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
    );
  }
  return { keys, bytes: Buffer.concat(bodies) };
}

function records(count: number, tag: string): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(`{"tag":"${tag}","i":${i},"pad":"${'x'.repeat(i % 37)}"}\n`),
  );
}

/** Puts one batch and returns the records that were accepted, in order. */
async function putBatch(
  client: FirehoseClient,
  name: string,
  data: Buffer[],
): Promise<{ accepted: Buffer[]; entries: PutRecordBatchResponseEntry[] }> {
  const out = await client.send(
    new PutRecordBatchCommand({ DeliveryStreamName: name, Records: data.map((Data) => ({ Data })) }),
  );
  const entries = out.RequestResponses ?? [];
  expect(entries).toHaveLength(data.length);
  expect(out.FailedPutCount).toBe(entries.filter((e) => e.ErrorCode).length);
  return { accepted: data.filter((_, i) => entries[i].RecordId !== undefined), entries };
}

describe('local Firehose delivery streams', () => {
  it('creates, describes, lists and deletes a delivery stream', async () => {
    const { name, prefix } = await createStream({ SizeInMBs: 2, IntervalInSeconds: 60 });
    const { DeliveryStreamDescription: d } = await t.firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }),
    );
    expect(d).toMatchObject({
      DeliveryStreamName: name,
      DeliveryStreamARN: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
    });
    expect(d?.CreateTimestamp).toBeInstanceOf(Date);
    expect(d?.Destinations?.[0].ExtendedS3DestinationDescription).toMatchObject({
      BucketARN: `arn:aws:s3:::${BUCKET}`,
      Prefix: prefix,
      ErrorOutputPrefix: 'errors/',
      BufferingHints: { SizeInMBs: 2, IntervalInSeconds: 60 },
      CompressionFormat: 'UNCOMPRESSED',
    });
    const listed = await t.firehose.send(new ListDeliveryStreamsCommand({ Limit: 100 }));
    expect(listed.DeliveryStreamNames).toContain(name);
    await t.firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name }));
    const gone = await errorOf(
      t.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name })),
    );
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
  });

  it('accepts the plain S3DestinationConfiguration and refuses a duplicate name with ResourceInUseException', async () => {
    const create = () =>
      t.firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'plain-s3',
          S3DestinationConfiguration: {
            RoleARN: 'arn:aws:iam::000000000000:role/r',
            BucketARN: `arn:aws:s3:::${BUCKET}`,
          },
        }),
      );
    await create();
    expect(await errorOf(create())).toMatchObject({ name: 'ResourceInUseException', status: 400 });
    const { DeliveryStreamDescription: d } = await t.firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'plain-s3' }),
    );
    expect(d?.Destinations?.[0].S3DestinationDescription?.BufferingHints).toEqual({
      SizeInMBs: 5,
      IntervalInSeconds: 300,
    });
  });

  it('answers an unknown stream with ResourceNotFoundException', async () => {
    const error = await errorOf(
      t.firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'nope', Records: [{ Data: Buffer.from('x') }] }),
      ),
    );
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
  });
});

describe('local Firehose limits', () => {
  it('rejects more than 500 records and a record over 1,024,000 bytes with ValidationException, more than 4 MiB with InvalidArgumentException', async () => {
    const { name } = await createStream();
    const put = (data: Buffer[]) =>
      t.firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: name, Records: data.map((Data) => ({ Data })) }),
      );
    expect(await errorOf(put(records(501, 'too-many')))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    const big = Array.from({ length: 5 }, () => Buffer.alloc(1_000_000, 1));
    expect(await errorOf(put(big))).toMatchObject({ name: 'InvalidArgumentException', status: 400 });
    expect(await errorOf(put([Buffer.alloc(1_024_001)]))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    const single = t.firehose.send(
      new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: Buffer.alloc(1_024_001) } }),
    );
    expect(await errorOf(single)).toMatchObject({ name: 'ValidationException', status: 400 });
    // Exactly at the limits is fine.
    const atLimit = await put([
      Buffer.alloc(1_024_000, 2),
      ...Array.from({ length: 3 }, () => Buffer.alloc(1_000_000, 3)),
    ]);
    expect(atLimit.FailedPutCount).toBe(0);
    await t.services.flush();
  });
});

describe('local Firehose delivery to S3', () => {
  it('delivers the accepted records byte-exact and in order, via GetObject and as plain files', async () => {
    const { name, prefix } = await createStream();
    const sent: Buffer[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const { accepted } = await putBatch(t.firehose, name, records(500, `b${batch}`));
      sent.push(...accepted);
    }
    const single = await t.firehose.send(
      new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: Buffer.from('last\n') } }),
    );
    expect(single.RecordId).toEqual(expect.any(String));
    sent.push(Buffer.from('last\n'));
    expect((await delivered(prefix)).keys).toHaveLength(0);
    await t.services.flush();

    const { keys, bytes } = await delivered(prefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(Buffer.compare(bytes, Buffer.concat(sent))).toBe(0);
    const now = new Date();
    const hour = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}/`;
    for (const key of keys) {
      expect(key).toMatch(
        new RegExp(
          `^${prefix}\\d{4}/\\d{2}/\\d{2}/\\d{2}/${name}-1-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f-]{36}$`,
        ),
      );
      expect(key.startsWith(`${prefix}${hour}`)).toBe(true);
    }
    const files = await Promise.all(
      keys.map((key) => readFile(path.join(t.dataDir, 's3', BUCKET, ...key.split('/')))),
    );
    expect(Buffer.compare(Buffer.concat(files), Buffer.concat(sent))).toBe(0);
  });

  it('delivers on its own when the buffer reaches SizeInMBs and when IntervalInSeconds passes', async () => {
    const bySize = await createStream({ SizeInMBs: 1, IntervalInSeconds: 900 });
    const chunk = Array.from({ length: 4 }, () => randomBytes(300_000));
    await putBatch(t.firehose, bySize.name, chunk);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Buffer.compare((await delivered(bySize.prefix)).bytes, Buffer.concat(chunk))).toBe(0);

    const byTime = await createStream({ SizeInMBs: 128, IntervalInSeconds: 1 });
    await putBatch(t.firehose, byTime.name, [Buffer.from('tick\n')]);
    expect((await delivered(byTime.prefix)).keys).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect((await delivered(byTime.prefix)).bytes.toString()).toBe('tick\n');
  });

  it('counts and orders correctly when 20 clients put at once', async () => {
    const { name, prefix } = await createStream();
    const clients = Array.from({ length: 20 }, () => new FirehoseClient(t.config));
    const acceptedPerClient = await Promise.all(
      clients.map(async (client, c) => {
        const accepted: Buffer[] = [];
        for (let batch = 0; batch < 5; batch++)
          accepted.push(...(await putBatch(client, name, records(100, `c${c}-b${batch}`))).accepted);
        return accepted;
      }),
    );
    await t.services.flush();
    const text = (await delivered(prefix)).bytes.toString();
    const lines = text.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(20 * 5 * 100);
    for (const [c, accepted] of acceptedPerClient.entries()) {
      const mine = lines.filter((line) => line.startsWith(`{"tag":"c${c}-`));
      expect(mine).toEqual(accepted.map((record) => record.toString().trimEnd()));
    }
    for (const client of clients) client.destroy();
  });

  it('flushes buffered records on stop(), and keeps streams across a restart', async () => {
    const services = await startLocalServices({ dataDir: path.join(t.dataDir, 'restart'), port: 0 });
    const config = { ...t.config, endpoint: services.endpoint };
    const firehose = new FirehoseClient(config);
    const s3 = new S3Client(config);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const { name, prefix } = await createStream({}, firehose);
    const sent = records(300, 'stop');
    await putBatch(firehose, name, sent);
    firehose.destroy();
    s3.destroy();
    await services.stop();

    const dir = path.join(t.dataDir, 'restart', 's3', BUCKET, ...prefix.split('/').filter(Boolean));
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : 1,
      )) {
        if (entry.isDirectory()) await walk(path.join(d, entry.name));
        else files.push(path.join(d, entry.name));
      }
    };
    await walk(dir);
    const onDisk = Buffer.concat(await Promise.all(files.map((file) => readFile(file))));
    expect(Buffer.compare(onDisk, Buffer.concat(sent))).toBe(0);

    const again = await startLocalServices({ dataDir: path.join(t.dataDir, 'restart'), port: 0 });
    const firehose2 = new FirehoseClient({ ...t.config, endpoint: again.endpoint });
    const s3Again = new S3Client({ ...t.config, endpoint: again.endpoint });
    const described = await firehose2.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    expect(described.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');
    expect(Buffer.compare((await delivered(prefix, s3Again)).bytes, Buffer.concat(sent))).toBe(0);
    firehose2.destroy();
    s3Again.destroy();
    await again.stop();
  });
});

describe('local Firehose quotas', () => {
  afterEach(() =>
    t.services.setQuotas({
      recordsPerSecond: 500_000,
      requestsPerSecond: 2_000,
      bytesPerSecond: 5 * 1024 * 1024,
    }),
  );

  it('throttles the entries over a tight records quota with ServiceUnavailableException "Slow down."', async () => {
    const { name, prefix } = await createStream();
    t.services.setQuotas({ recordsPerSecond: 10 });
    const { accepted, entries } = await putBatch(t.firehose, name, records(50, 'quota'));
    expect(accepted).toHaveLength(10);
    const failed = entries.filter((e) => e.ErrorCode);
    expect(failed).toHaveLength(40);
    for (const entry of failed)
      expect(entry).toEqual({ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' });
    await t.services.flush();
    expect(Buffer.compare((await delivered(prefix)).bytes, Buffer.concat(accepted))).toBe(0);
  });

  it('throttles whole requests over the requests quota, and entries over the bytes quota', async () => {
    const { name } = await createStream();
    t.services.setQuotas({ requestsPerSecond: 1 });
    const client = new FirehoseClient({ ...t.config, maxAttempts: 1 });
    await putBatch(client, name, records(1, 'first'));
    const error = await errorOf(
      client.send(
        new PutRecordBatchCommand({ DeliveryStreamName: name, Records: [{ Data: Buffer.from('x') }] }),
      ),
    );
    expect(error).toMatchObject({ name: 'ServiceUnavailableException', status: 503, message: 'Slow down.' });
    const single = await errorOf(
      client.send(new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: Buffer.from('x') } })),
    );
    expect(single).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });

    t.services.setQuotas({ requestsPerSecond: 2_000, bytesPerSecond: 1000 });
    const { accepted } = await putBatch(
      client,
      name,
      Array.from({ length: 5 }, () => Buffer.alloc(300)),
    );
    expect(accepted).toHaveLength(3);
    client.destroy();
    await t.services.flush();
  });
});

describe('local Firehose fault injection', () => {
  afterEach(() => t.services.setFaults({ entryFailureRate: 0, requestErrorRate: 0, latencyMs: 0 }));

  const pattern = async (name: string) => {
    const out: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const { entries } = await putBatch(t.firehose, name, records(100, 'fault'));
      out.push(entries.map((e) => (e.ErrorCode ? 'F' : '.')).join(''));
    }
    return out.join('|');
  };

  it('fails the same entries for the same seed, and others for another seed', async () => {
    const { name } = await createStream();
    t.services.setFaults({ entryFailureRate: 0.3, entryErrorCode: 'InternalFailure', seed: 42 });
    const first = await pattern(name);
    t.services.setFaults({ seed: 42 });
    expect(await pattern(name)).toBe(first);
    const failures = first.split('').filter((c) => c === 'F').length;
    expect(failures).toBeGreaterThan(40);
    expect(failures).toBeLessThan(140);
    t.services.setFaults({ seed: 7 });
    expect(await pattern(name)).not.toBe(first);
    const { entries } = await putBatch(t.firehose, name, records(100, 'code'));
    expect(entries.find((e) => e.ErrorCode)).toEqual({
      ErrorCode: 'InternalFailure',
      ErrorMessage: 'Internal service failure.',
    });
    await t.services.flush();
  });

  it('changes faults mid-run: whole-request errors with 500 or 503, added latency, then none', async () => {
    const { name } = await createStream();
    const client = new FirehoseClient({ ...t.config, maxAttempts: 1 });
    const put = () =>
      client.send(
        new PutRecordBatchCommand({ DeliveryStreamName: name, Records: [{ Data: Buffer.from('x') }] }),
      );
    t.services.setFaults({ requestErrorRate: 1, requestErrorStatus: 500 });
    expect(await errorOf(put())).toMatchObject({ name: 'InternalFailure', status: 500 });
    t.services.setFaults({ requestErrorStatus: 503 });
    expect(await errorOf(put())).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
    t.services.setFaults({ requestErrorRate: 0, latencyMs: 150 });
    const started = performance.now();
    expect((await put()).FailedPutCount).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    t.services.setFaults({
      latencyMs: 0,
      entryFailureRate: 1,
      entryErrorCode: 'ServiceUnavailableException',
    });
    expect((await put()).RequestResponses).toEqual([
      { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
    ]);
    t.services.setFaults({ entryFailureRate: 0 });
    expect((await put()).FailedPutCount).toBe(0);
    client.destroy();
    await t.services.flush();
  });
});
