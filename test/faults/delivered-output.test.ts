import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalServices, startLocalServices } from '@firehose-loader/local-services';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import { deliveredOutput } from '../../local/runner/run-output';
import { tempDataDir } from '../e2e/helpers';

/**
 * What the summary may call delivered: only lines in the destination on disk. A delivery that fails
 * (a full disk) or bytes on disk short of what Firehose accepted make the runner count those lines.
 */

const names = LOCAL_RESOURCE_NAMES;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let services: LocalServices;
let s3: S3Client;
let runDir: string;

beforeAll(async () => {
  data = await tempDataDir();
  services = await startLocalServices({ dataDir: join(data.dir, 'services') });
  s3 = new S3Client({
    endpoint: services.endpoint,
    region: names.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: names.destinationBucket }));
  const file = join(data.dir, 'object');
  await writeFile(file, 'a\nb\nc\n');
  await services.putFile(names.destinationBucket, '2026/11/30/19/stream-1', file);
  runDir = join(data.dir, 'runs', 'run-1');
  await mkdir(join(runDir, 'output'), { recursive: true });
});

afterAll(async () => {
  s3.destroy();
  await services.stop();
  await data.cleanup();
});

const context = (overrides: Partial<LocalServices>, acceptedBytes: number) => ({
  services: { ...services, ...overrides },
  s3,
  names,
  servicesDir: join(data.dir, 'services'),
  runDir,
  before: new Set<string>(),
  acceptedBytes,
});

describe('the output a run counts as delivered', () => {
  it('does not read the output again when every accepted byte is on disk', async () => {
    const output = await deliveredOutput(context({}, 6));
    expect(output).toMatchObject({ bytes: 6 });
    expect(output.lines).toBeUndefined();
    expect(output.error).toBeUndefined();
  });

  it('counts the lines on disk when fewer bytes are there than Firehose accepted', async () => {
    const output = await deliveredOutput(context({}, 60));
    expect(output).toMatchObject({ bytes: 6, lines: 3 });
  });

  it('names a failed delivery (a full disk) in one line and counts what is on disk', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    const output = await deliveredOutput(context({ flush: () => Promise.reject(full) }, 6));
    expect(output.error).toEqual({ name: 'ENOSPC', message: 'ENOSPC: no space left on device, write' });
    expect(output.lines).toBe(3);
  });
});
