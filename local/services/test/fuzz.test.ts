import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetMetricStatisticsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { cloudwatchRequest, type FuzzRequest, firehoseRequest, s3Request } from './fuzz-requests';
import { startTestServices, type TestServices } from './helpers';

/**
 * Random and adversarial requests to each of the three local services on their one loopback port.
 * After each one: the answer is not a server fault (a client's error is a 4xx), the services still
 * answer known-good S3, Firehose and CloudWatch requests correctly, no prototype changed, and nothing
 * outside the data folder changed. Runs are bounded by count (numRuns), not by time.
 */

const RUNS_PER_SERVICE = 120;
// The runs are counted, not timed; this is only a generous ceiling for a heavily loaded machine
// (a service's runs take 3-11 s on an idle 2-core machine).
const TEST_TIMEOUT_MS = 5 * 60_000;
// A seed makes a failure replayable; FUZZ_SEED=<n> explores other runs.
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const KNOWN = { bucket: 'known-bucket', key: 'known-key', body: 'known body\n', stream: 'known-stream' };
const KNOWN_METRIC = { Namespace: 'known-ns', MetricName: 'known-metric' };
const KNOWN_TIME = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
// Server faults a client may legitimately get: S3 NotImplemented, Firehose "Slow down.".
const ALLOWED_5XX = new Set([501, 503]);

let root: string;
let t: TestServices;
let outsideBefore: string[];
const prototypesBefore = prototypeKeys();

function prototypeKeys(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((proto) =>
    Object.getOwnPropertyNames(proto).sort().join(','),
  );
}

/** Every file and folder under `root` except the data folder, with its size, mtime and content hash. */
async function outsideSnapshot(dir = root, prefix = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (prefix === '' && entry.name === 'data') continue;
    const full = path.join(dir, entry.name);
    const info = await stat(full);
    if (entry.isDirectory())
      lines.push(
        `${prefix}${entry.name}/ ${info.mtimeMs}`,
        ...(await outsideSnapshot(full, `${prefix}${entry.name}/`)),
      );
    else {
      const hash = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
      lines.push(`${prefix}${entry.name} ${info.size} ${info.mtimeMs} ${hash}`);
    }
  }
  return lines;
}

/** Creates a stream and waits while it is CREATING (as a new stream is on AWS). */
async function createActiveStream(name: string, bucket: string): Promise<void> {
  await t.firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: `arn:aws:s3:::${bucket}`,
        Prefix: 'delivered/',
      },
    }),
  );
  for (let poll = 0; poll < 100; poll++) {
    const described = await t.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    if (described.DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fuzz-'));
  await mkdir(path.join(root, 'sibling'));
  await writeFile(path.join(root, 'outside.txt'), 'must not change\n');
  await writeFile(path.join(root, 'sibling', 'file.txt'), 'must not change either\n');
  t = await startTestServices({ dataDir: path.join(root, 'data') });
  // The fuzz names these, so its requests reach a real bucket and stream too, not only NoSuch* errors.
  await t.s3.send(new CreateBucketCommand({ Bucket: 'fuzz-bucket' }));
  await createActiveStream('fuzz-stream', 'fuzz-bucket');
  await t.s3.send(new CreateBucketCommand({ Bucket: KNOWN.bucket }));
  await t.s3.send(new PutObjectCommand({ Bucket: KNOWN.bucket, Key: KNOWN.key, Body: KNOWN.body }));
  await createActiveStream(KNOWN.stream, KNOWN.bucket);
  await t.cloudwatch.send(
    new PutMetricDataCommand({
      ...KNOWN_METRIC,
      MetricData: [{ ...KNOWN_METRIC, Timestamp: KNOWN_TIME, Value: 42 }],
    }),
  );
  outsideBefore = await outsideSnapshot();
});

afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

/**
 * Sends one request on a connection of its own. Content-Length is always set: node:http sends a GET
 * body without one, and the server would rightly read those bytes as a second (malformed) request.
 */
function send(fuzz: FuzzRequest): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.services.port,
        method: fuzz.method,
        path: fuzz.path,
        headers: { ...fuzz.headers, 'content-length': String(fuzz.body.length) },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(fuzz.body);
  });
}

async function expectStillCorrect(): Promise<void> {
  const got = await t.s3.send(new GetObjectCommand({ Bucket: KNOWN.bucket, Key: KNOWN.key }));
  expect(await got.Body?.transformToString()).toBe(KNOWN.body);
  const put = await t.firehose.send(
    new PutRecordCommand({
      DeliveryStreamName: KNOWN.stream,
      Record: { Data: Buffer.from('known record\n') },
    }),
  );
  expect(put.RecordId).toEqual(expect.any(String));
  const stats = await t.cloudwatch.send(
    new GetMetricStatisticsCommand({
      ...KNOWN_METRIC,
      StartTime: new Date(KNOWN_TIME.getTime() - 60_000),
      EndTime: new Date(KNOWN_TIME.getTime() + 60_000),
      Period: 60,
      Statistics: ['Sum'],
    }),
  );
  expect(stats.Datapoints?.map((point) => point.Sum)).toEqual([42]);
  expect(prototypeKeys()).toEqual(prototypesBefore);
  expect(await outsideSnapshot()).toEqual(outsideBefore);
}

describe.each([
  ['S3', s3Request],
  ['Firehose', firehoseRequest],
  ['CloudWatch', cloudwatchRequest],
])('local %s under random and adversarial requests', (_service, requests) => {
  it(
    'answers each without a server fault, and then still answers every service correctly',
    async () => {
      await fc.assert(
        fc.asyncProperty(requests, async (fuzz) => {
          const { status } = await send(fuzz);
          expect({
            request: `${fuzz.method} ${fuzz.path}`,
            status,
            fault: status >= 500 && !ALLOWED_5XX.has(status),
          }).toMatchObject({ fault: false });
          await expectStillCorrect();
        }),
        { numRuns: RUNS_PER_SERVICE, seed: SEED, endOnFailure: true },
      );
      // Records the fuzz made Firehose accept are delivered without tripping over anything it created.
      await t.services.flush();
      await expectStillCorrect();
    },
    TEST_TIMEOUT_MS,
  );
});
