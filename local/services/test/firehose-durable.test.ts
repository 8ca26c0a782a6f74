import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type LocalServices, startLocalServices } from '../src';
import { readSegment, SegmentFile } from '../src/firehose/buffer';
import { CrashPoint, type DeliveryReport, StreamDelivery } from '../src/firehose/delivery';
import { startLocalServicesProcess } from '../src/process';
import { S3Store } from '../src/s3/store';
import { isRunning, waitUntilDeliveryStreamActive } from './helpers';

const BUCKET = 'durable-destination';
const STREAM = 'durable-stream';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firehose-durable-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const clients = (endpoint: string) => {
  const config = { endpoint, region: 'us-east-1', credentials };
  return { firehose: new FirehoseClient(config), s3: new S3Client({ ...config, forcePathStyle: true }) };
};

async function killHard(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  while (isRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A stream that would hold records for 15 minutes: only the buffer file can keep them over a crash. */
async function createStream(firehose: FirehoseClient): Promise<void> {
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: STREAM,
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::${BUCKET}`,
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 900 },
      },
    }),
  );
  await waitUntilDeliveryStreamActive(firehose, STREAM);
}

/** Sends `batches` batches of 50 distinct records and one PutRecord; returns the acknowledged records. */
async function putAcknowledged(firehose: FirehoseClient, batches: number): Promise<string[]> {
  const acknowledged: string[] = [];
  const sends = Array.from({ length: batches }, async (_, b) => {
    const records = Array.from({ length: 50 }, (_, i) => `{"batch":${b},"i":${i}}\n`);
    const response = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: STREAM,
        Records: records.map((line) => ({ Data: Buffer.from(line) })),
      }),
    );
    response.RequestResponses?.forEach((entry, i) => {
      if (entry.RecordId) acknowledged.push(records[i]);
    });
  });
  await Promise.all(sends);
  const single = '{"single":true}\n';
  await firehose.send(
    new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from(single) } }),
  );
  acknowledged.push(single);
  return acknowledged;
}

async function deliveredObjects(s3: S3Client): Promise<{ keys: string[]; lines: string[] }> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const keys = (listed.Contents ?? []).map((object) => object.Key as string);
  const lines: string[] = [];
  for (const key of keys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const text = (await object.Body?.transformToString()) ?? '';
    lines.push(
      ...text
        .split('\n')
        .filter(Boolean)
        .map((line) => `${line}\n`),
    );
  }
  return { keys, lines: lines.sort() };
}

/** Starts fresh services on the same folder (taking over the dead one's lock) and lists the output. */
async function restartAndCollect(): Promise<{ keys: string[]; lines: string[] }> {
  const services: LocalServices = await startLocalServices({ dataDir: join(dir, 'services') });
  const { s3, firehose } = clients(services.endpoint);
  try {
    // No flush: what a crash left is delivered before the services answer their first request.
    return await deliveredObjects(s3);
  } finally {
    s3.destroy();
    firehose.destroy();
    await services.stop();
  }
}

describe('durable local Firehose', () => {
  it('delivers every acknowledged record exactly once after the services process is killed with SIGKILL', async () => {
    const child = await startLocalServicesProcess({ dataDir: join(dir, 'services') });
    const { firehose } = clients(child.endpoint);
    let acknowledged: string[];
    try {
      await createStream(firehose);
      acknowledged = await putAcknowledged(firehose, 8);
      await killHard(child.pid);
    } finally {
      firehose.destroy();
      // A no-op once killed; stops the child if the test failed before.
      await child.stop().catch(() => undefined);
    }

    const { lines } = await restartAndCollect();

    expect(acknowledged).toHaveLength(401);
    expect(lines).toEqual([...acknowledged].sort());
  });

  it.each([
    ['after the object key is sealed, before the object is written', CrashPoint.afterSeal],
    ['after the object is written, before the buffer is removed', CrashPoint.afterObject],
  ])('neither loses nor duplicates a record when killed during delivery %s', async (_, crashAt) => {
    const child = await startLocalServicesProcess({ dataDir: join(dir, 'services'), crashAt });
    const { firehose } = clients(child.endpoint);
    let acknowledged: string[];
    try {
      await createStream(firehose);
      acknowledged = await putAcknowledged(firehose, 3);
      // The child kills itself (SIGKILL) at the crash point of this flush.
      await expect(child.flush()).rejects.toThrow(/exited/);
    } finally {
      firehose.destroy();
      await child.stop().catch(() => undefined);
    }

    const { keys, lines } = await restartAndCollect();

    expect(lines).toEqual([...acknowledged].sort());
    // One segment, one object: the replay reused the sealed key instead of writing a second object.
    expect(keys).toHaveLength(1);
  });

  it('keeps nothing in the buffer folder once the records are delivered', async () => {
    const services = await startLocalServices({ dataDir: join(dir, 'services') });
    const { firehose } = clients(services.endpoint);
    await createStream(firehose);
    await putAcknowledged(firehose, 2);
    const bufferDir = join(dir, 'services', 'firehose', 'buffers', `stream-${STREAM}`);
    expect((await readdir(bufferDir)).filter((name) => name.endsWith('.log'))).toHaveLength(1);
    await services.flush();
    expect(await readdir(bufferDir)).toEqual([]);
    firehose.destroy();
    await services.stop();
  });
});

describe('delivery after a failed seal', () => {
  it('delivers every acknowledged record once, in order, once the disk has room again, without a restart', async () => {
    const store = new S3Store(join(dir, 'store'));
    await store.init();
    const bufferDir = join(dir, 'buffer');
    const reports: DeliveryReport[] = [];
    const target = {
      streamName: STREAM,
      versionId: '1',
      bucket: BUCKET,
      prefix: '',
      sizeBytes: 1 << 20,
      intervalMs: 900_000,
      gzip: false,
    };
    const delivery = new StreamDelivery(target, store, (report) => reports.push(report), {
      dir: bufferDir,
      sync: true,
    });
    await delivery.init();
    try {
      // The first segment's key file cannot be written (a directory in its place: the rename fails
      // as it would on a full disk), so sealing segment 0 fails until it is removed.
      const blocked = join(bufferDir, '0000000000000000.key');
      await mkdir(blocked);
      await delivery.append([Buffer.from('a1\n'), Buffer.from('a2\n')], Date.UTC(2026, 0, 1, 0, 0, 0));
      await expect(delivery.deliver()).rejects.toThrow();
      await delivery.append([Buffer.from('b1\n')], Date.UTC(2026, 0, 1, 0, 0, 1));
      // The later segment must not overtake the one that could not be sealed.
      await expect(delivery.deliver()).rejects.toThrow();
      expect(reports).toEqual([]);

      await rmdir(blocked); // space freed: the armed retry delivers both, nobody calls deliver()
      // The retry comes after 1 s; the 30 s bound only turns a missing retry into a failure, not a hang.
      for (let waited = 0; reports.length < 2 && waited < 30_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(reports.map((report) => report.records)).toEqual([2, 1]);
      const keys = store.sortedKeys(BUCKET);
      expect(keys).toHaveLength(2);
      const bodies = await Promise.all(
        keys.map((key) =>
          readFile(join(store.dataDir, store.getObject(BUCKET, key)?.dataPath ?? ''), 'utf8'),
        ),
      );
      expect(bodies).toEqual(['a1\na2\n', 'b1\n']);
      expect(await readdir(bufferDir)).toEqual([]);
    } finally {
      delivery.stop();
    }
  });
});

describe('buffer segment files', () => {
  it('read back up to a torn or corrupt frame and no further', async () => {
    const services = await startLocalServices({ dataDir: join(dir, 'services') });
    const { firehose } = clients(services.endpoint);
    await createStream(firehose);
    await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: STREAM,
        Records: [{ Data: Buffer.from('one\n') }, { Data: Buffer.from('two\n') }],
      }),
    );
    firehose.destroy();
    const bufferDir = join(dir, 'services', 'firehose', 'buffers', `stream-${STREAM}`);
    const segment = join(bufferDir, (await readdir(bufferDir))[0]);
    const whole = await readFile(segment);
    // A frame whose length promises more bytes than a crash let reach the file.
    await appendFile(segment, Buffer.from([0, 0, 0, 9, 1, 2, 3, 4, 0x41]));
    expect((await readSegment(segment))?.records.map(String)).toEqual(['one\n', 'two\n']);
    // A frame whose bytes do not match its CRC.
    const corrupt = Buffer.from(whole);
    corrupt[corrupt.length - 1] ^= 0xff;
    await appendFile(join(dir, 'corrupt.log'), corrupt);
    expect((await readSegment(join(dir, 'corrupt.log')))?.records.map(String)).toEqual(['one\n']);
    await services.stop();
  });

  it('share one write and fsync among the appends that arrive together (group commit)', async () => {
    const segment = new SegmentFile(join(dir, 'group.log'), 0, 1_000, true);
    const records = Array.from({ length: 20 }, (_, i) => Buffer.from(`record ${i}\n`));
    // All sent before the first write finishes: the first goes alone, the other 19 share the next one.
    await Promise.all(records.map((record) => segment.append([record])));
    await segment.close();
    expect(segment.commits).toBe(2);
    const read = await readSegment(join(dir, 'group.log'));
    expect(read?.firstArrivalMs).toBe(1_000);
    expect(read?.records.map(String)).toEqual(records.map(String));
  });

  it('reject the appends whose write failed, and keep a whole file for the next ones', async () => {
    const segment = new SegmentFile(join(dir, 'missing', 'seg.log'), 0, 2_000, true);
    await expect(segment.append([Buffer.from('lost\n')])).rejects.toThrow(/ENOENT/);
    await mkdir(join(dir, 'missing'));
    await segment.append([Buffer.from('kept\n')]);
    await segment.close();
    expect(segment.records.map(String)).toEqual(['kept\n']);
    expect((await readSegment(join(dir, 'missing', 'seg.log')))?.records.map(String)).toEqual(['kept\n']);
  });
});
