import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalServicesProcess } from '../src/process';
import { createDeliveryStream, isRunning } from './helpers';

const names = {
  region: 'us-east-1',
  sourceBucket: 'source',
  destinationBucket: 'destination',
  streamName: 'stream',
};
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
// node itself with tsx's loader, not the tsx CLI: that one runs the script in a grandchild, and a
// SIGKILL of the CLI would leave the real parent running.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'services-process-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** A source bucket and a delivery stream into a destination bucket that buffers 5 MiB or 60 s. */
async function createResources(s3: S3Client, firehose: FirehoseClient): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: names.sourceBucket }));
  await createDeliveryStream({ s3, firehose }, names.streamName, names.destinationBucket, {
    SizeInMBs: 5,
    IntervalInSeconds: 60,
  });
}

describe('startLocalServicesProcess', () => {
  it('stores a file of this machine as an object readable through S3, with the MD5 ETag an upload gets', async () => {
    const services = await startLocalServicesProcess({ dataDir: join(dir, 'services') });
    try {
      const config = { endpoint: services.endpoint, region: names.region, credentials, forcePathStyle: true };
      const s3 = new S3Client(config);
      await createResources(s3, new FirehoseClient(config));
      const file = join(dir, 'input.jsonl');
      const text = '{"a":1}\n{"b":"ü"}\n';
      await writeFile(file, text);

      const etag = await services.putFile(names.sourceBucket, 'inputs/x/input.jsonl', file);

      expect(etag).toBe(`"${createHash('md5').update(text).digest('hex')}"`);
      const object = await s3.send(
        new GetObjectCommand({ Bucket: names.sourceBucket, Key: 'inputs/x/input.jsonl' }),
      );
      expect(object.ETag).toBe(etag);
      expect(await object.Body?.transformToString()).toBe(text);
      await expect(services.putFile('no-such-bucket', 'k', file)).rejects.toThrow(/no bucket no-such-bucket/);
    } finally {
      await services.stop();
    }
  });

  it('serves the same services from a child process, applies quotas and delivers on flush and stop', async () => {
    const services = await startLocalServicesProcess({ dataDir: dir });
    try {
      const { endpoint } = services;
      const config = { endpoint, region: names.region, credentials };
      const firehose = new FirehoseClient(config);
      await createResources(new S3Client({ ...config, forcePathStyle: true }), firehose);
      const put = (count: number) =>
        firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: names.streamName,
            Records: Array.from({ length: count }, (_, i) => ({ Data: Buffer.from(`{"n":${i}}\n`) })),
          }),
        );
      expect((await put(3)).FailedPutCount).toBe(0);
      services.setQuotas({ recordsPerSecond: 2 });
      // setQuotas is asynchronous; flush answers after it, in order.
      await services.flush();
      expect((await put(3)).FailedPutCount).toBe(1);
    } finally {
      await services.stop();
    }
    expect(isRunning(services.pid)).toBe(false);
    const streams = JSON.parse(await readFile(join(dir, 'firehose', 'streams.json'), 'utf8'));
    expect(streams).toHaveLength(1);
  });

  it('keeps serving through a Ctrl-C (SIGINT), which its parent handles, and stops cleanly on SIGTERM', async () => {
    const services = await startLocalServicesProcess({ dataDir: join(dir, 'services') });
    process.kill(services.pid, 'SIGINT');
    // Without a handler the signal would end the child before it could answer this.
    await services.flush();
    expect(isRunning(services.pid)).toBe(true);
    process.kill(services.pid, 'SIGTERM');
    expect(await waitUntil(() => !isRunning(services.pid), 10_000)).toBe(true);
    // A clean stop releases the data folder.
    await expect(readFile(join(dir, 'services', 'services.lock'))).rejects.toThrow(/ENOENT/);
    await services.stop().catch(() => undefined);
  });

  it('stops by itself when its parent process is killed', async () => {
    const script = join(__dirname, 'fixtures', 'services-parent.ts');
    const parent = spawn(process.execPath, ['--import', TSX_LOADER, script, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
      parent.once('exit', () => reject(new Error('the parent exited before starting the services')));
    });
    expect(isRunning(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntil(() => !isRunning(pid), 10_000)).toBe(true);
  }, 30_000);
});
