import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { type LocalServices, openMetricStore, startLocalServices } from '../src';
import { startLocalServicesProcess } from '../src/process';
import { createDeliveryStream } from './helpers';

/**
 * Local CloudWatch keeps its datapoints in the data folder (cloudwatch/datapoints.jsonl) across
 * restarts and crashes of the services, and drops them as CloudWatch's retention does.
 */

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const clientsOf = (endpoint: string) => {
  const config = { endpoint, region: 'us-east-1', credentials };
  return {
    cloudwatch: new CloudWatchClient(config),
    firehose: new FirehoseClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
};
const destroy = (clients: ReturnType<typeof clientsOf>) => {
  for (const client of Object.values(clients)) client.destroy();
};

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cloudwatch-persist-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const journal = () => path.join(dataDir, 'cloudwatch', 'datapoints.jsonl');
const Dimensions = [{ Name: 'Job', Value: 'persist' }];
// On a five-minute boundary: the datapoints a minute apart fall in one 300 s period of the
// GetMetricStatistics check whatever the time of day (minute-aligned, one run in five split them).
const base = Math.floor(Date.now() / (5 * minute)) * 5 * minute - 10 * minute;

function readBack(StartTime: Date): GetMetricDataCommandInput {
  const stat = (
    Id: string,
    Namespace: string,
    MetricName: string,
    Stat: string,
    dimensions = Dimensions,
  ) => ({
    Id,
    MetricStat: { Metric: { Namespace, MetricName, Dimensions: dimensions }, Period: 60, Stat },
  });
  const stream = [{ Name: 'DeliveryStreamName', Value: 'persist-stream' }];
  return {
    StartTime,
    EndTime: new Date(Date.now() + minute),
    MetricDataQueries: [
      stat('failed', 'Test/Persist', 'FailedPutCount', 'Sum'),
      stat('latency', 'Test/Persist', 'Latency', 'Maximum'),
      stat('incoming', 'AWS/Firehose', 'IncomingRecords', 'Sum', stream),
      stat('requests', 'AWS/Firehose', 'IncomingPutRequests', 'SampleCount', stream),
    ],
  };
}

async function putSome(endpoint: string): Promise<void> {
  const clients = clientsOf(endpoint);
  try {
    await clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Persist',
        MetricData: [
          { MetricName: 'FailedPutCount', Dimensions, Timestamp: new Date(base + 1000), Value: 3 },
          { MetricName: 'FailedPutCount', Dimensions, Timestamp: new Date(base + 61_000), Value: 4 },
          {
            MetricName: 'Latency',
            Dimensions,
            Timestamp: new Date(base + 2000),
            Values: [5, 9],
            Unit: 'Milliseconds',
          },
        ],
      }),
    );
    await createDeliveryStream(clients, 'persist-stream', 'persist-bucket');
    const Records = Array.from({ length: 6 }, (_, i) => ({ Data: Buffer.from(`{"n":${i}}\n`) }));
    await clients.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'persist-stream', Records }));
  } finally {
    destroy(clients);
  }
}

async function getMetricData(services: LocalServices, input: GetMetricDataCommandInput) {
  const clients = clientsOf(services.endpoint);
  try {
    const { MetricDataResults } = await clients.cloudwatch.send(new GetMetricDataCommand(input));
    return MetricDataResults;
  } finally {
    destroy(clients);
  }
}

describe('local CloudWatch across restarts', () => {
  it('answers GetMetricData, GetMetricStatistics and ListMetrics after a restart as before it', async () => {
    const first = await startLocalServices({ dataDir, port: 0 });
    await putSome(first.endpoint);
    const input = readBack(new Date(base - minute));
    const before = await getMetricData(first, input);
    await first.stop();

    const second = await startLocalServices({ dataDir, port: 0 });
    try {
      const after = await getMetricData(second, input);
      expect(after).toEqual(before);
      // The values themselves, so equal-but-empty answers cannot pass.
      expect(after?.find((r) => r.Id === 'failed')?.Values).toEqual([4, 3]);
      expect(after?.find((r) => r.Id === 'latency')?.Values).toEqual([9]);
      expect(after?.find((r) => r.Id === 'incoming')?.Values).toEqual([6]);
      const clients = clientsOf(second.endpoint);
      const statistics = await clients.cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Test/Persist',
          MetricName: 'FailedPutCount',
          Dimensions,
          StartTime: new Date(base - minute),
          EndTime: new Date(base + 5 * minute),
          Period: 300,
          Statistics: ['Sum', 'SampleCount'],
        }),
      );
      const listed = await clients.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Test/Persist' }));
      destroy(clients);
      expect(statistics.Datapoints?.map((d) => [d.Sum, d.SampleCount])).toEqual([[7, 2]]);
      expect(listed.Metrics?.map((m) => m.MetricName).sort()).toEqual(['FailedPutCount', 'Latency']);
    } finally {
      await second.stop();
    }
  });

  it('keeps nothing with keepMetrics false, as before', async () => {
    const first = await startLocalServices({ dataDir, port: 0, keepMetrics: false });
    await putSome(first.endpoint);
    await first.stop();
    const second = await startLocalServices({ dataDir, port: 0, keepMetrics: false });
    try {
      const after = await getMetricData(second, readBack(new Date(base - minute)));
      expect(after?.every((result) => result.Values?.length === 0)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('keeps what PutMetricData acknowledged when the services are killed with SIGKILL', async () => {
    const services = await startLocalServicesProcess({ dataDir });
    await putSome(services.endpoint);
    process.kill(services.pid, 'SIGKILL');
    // Without any services: the stored datapoints, through the package's API.
    const stored = await openMetricStore(dataDir);
    const results = stored.getMetricData(readBack(new Date(base - minute))).MetricDataResults;
    expect(results.find((r) => r.Id === 'failed')?.Values).toEqual([4, 3]);
    expect(results.find((r) => r.Id === 'incoming')?.Values).toEqual([6]);
    expect(stored.skippedLines).toBe(0);
  });
});

describe('the stored datapoints file', () => {
  const line = (name: string, timestampMs: number, value: number) =>
    `${JSON.stringify(['Test/Torn', name, [['Job', 'persist']], timestampMs, 'Count', value, 1, value, value])}\n`;

  it('skips a torn last line, and the next services start from whole lines only', async () => {
    await mkdir(path.dirname(journal()), { recursive: true });
    const whole = line('Calls', base, 1) + line('Calls', base + 1000, 2);
    await writeFile(journal(), `${whole}${line('Calls', base + 2000, 40).slice(0, 25)}`);
    const query = {
      StartTime: new Date(base - minute),
      EndTime: new Date(base + minute),
      MetricDataQueries: [
        {
          Id: 'calls',
          MetricStat: {
            Metric: { Namespace: 'Test/Torn', MetricName: 'Calls', Dimensions },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    };
    const stored = await openMetricStore(dataDir);
    expect(stored.skippedLines).toBe(1);
    expect(stored.getMetricData(query).MetricDataResults[0]?.Values).toEqual([3]);

    const services = await startLocalServices({ dataDir, port: 0 });
    const clients = clientsOf(services.endpoint);
    await clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Torn',
        MetricData: [{ MetricName: 'Calls', Dimensions, Timestamp: new Date(base + 3000), Value: 5 }],
      }),
    );
    destroy(clients);
    await services.stop();
    const reopened = await openMetricStore(dataDir);
    expect(reopened.skippedLines).toBe(0);
    expect(reopened.getMetricData(query).MetricDataResults[0]?.Values).toEqual([8]);
    expect((await readFile(journal(), 'utf8')).endsWith('\n')).toBe(true);
  });
});

describe('retention, as CloudWatch keeps metric data', () => {
  // Ages from the real clock: the services compact by it (the reads below are given this `now`).
  const now = Math.floor(Date.now() / minute) * minute;
  const line = (name: string, ageMs: number, value: number) =>
    `${JSON.stringify(['Test/Age', name, [], now - ageMs, 'Count', value, 1, value, value])}\n`;
  const query = (name: string, startAgeMs: number, Period: number) => ({
    StartTime: new Date(now - startAgeMs),
    EndTime: new Date(now),
    ScanBy: 'TimestampAscending',
    MetricDataQueries: [
      { Id: 'q', MetricStat: { Metric: { Namespace: 'Test/Age', MetricName: name }, Period, Stat: 'Sum' } },
    ],
  });
  const values = async (name: string, startAgeMs: number, period: number) =>
    (await openMetricStore(dataDir, { now: () => now })).getMetricData(query(name, startAgeMs, period))
      .MetricDataResults[0]?.Values;

  beforeEach(async () => {
    await mkdir(path.dirname(journal()), { recursive: true });
    await writeFile(
      journal(),
      [
        line('Recent', hour, 1),
        line('Recent', hour - 1000, 2),
        line('Hours', 5 * hour + 20_000, 10),
        line('Hours', 5 * hour + 10_000, 20),
        line('Days', 20 * day, 100),
        line('Months', 100 * day, 1000),
        line('Gone', 500 * day, 5),
      ].join(''),
    );
  });

  it('serves second-level data for 3 hours, then only periods of whole minutes, 5 minutes, hours', async () => {
    expect(await values('Recent', 2 * hour, 1)).toEqual([1, 2]);
    // StartTime more than 3 hours ago: a period finer than the data's age keeps gives nothing.
    expect(await values('Hours', 6 * hour, 1)).toEqual([]);
    expect(await values('Hours', 6 * hour, 60)).toEqual([30]);
    expect(await values('Days', 21 * day, 60)).toEqual([]);
    expect(await values('Days', 21 * day, 300)).toEqual([100]);
    expect(await values('Months', 101 * day, 300)).toEqual([]);
    expect(await values('Months', 101 * day, 3600)).toEqual([1000]);
  });

  it('drops datapoints older than 455 days, and metrics left without any', async () => {
    expect(await values('Gone', 600 * day, 3600)).toEqual([]);
    const stored = await openMetricStore(dataDir, { now: () => now });
    expect(
      stored
        .listMetrics({ Namespace: 'Test/Age' })
        .Metrics.map((m) => m.MetricName)
        .sort(),
    ).toEqual(['Days', 'Hours', 'Months', 'Recent']);
  });

  it('rolls old datapoints up on disk when the services start, so the file does not grow without bound', async () => {
    const services = await startLocalServices({ dataDir, port: 0 });
    await services.stop();
    const lines = (await readFile(journal(), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byName = (name: string) => lines.filter((l) => l[1] === name);
    expect(byName('Recent')).toHaveLength(2);
    expect(byName('Hours')).toHaveLength(1);
    expect(byName('Hours')[0]?.slice(5)).toEqual([30, 2, 10, 20]);
    expect(byName('Gone')).toEqual([]);
    expect(lines).toHaveLength(5);
  });
});
