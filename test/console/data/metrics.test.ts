import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { localRunWindow, readMetrics } from '../../../local/console/data/metrics';
import { buildMetricsView, MAX_DATAPOINTS, metricWindow } from '../../../local/console/data/metrics-model';

const minute = 60_000;
const t0 = Date.parse('2026-11-30T20:37:12.000Z');

describe('the metrics window', () => {
  it('covers whole minutes from a minute before the run to five after it, at one minute', () => {
    const window = metricWindow(t0, t0 + 30_000, t0 + 60 * minute);
    expect(window).toEqual({
      start: new Date('2026-11-30T20:36:00.000Z'),
      end: new Date('2026-11-30T20:43:00.000Z'),
      periodSeconds: 60,
    });
  });

  it('ends now while the run goes on', () => {
    expect(metricWindow(t0, undefined, t0 + 90_000).end).toEqual(new Date('2026-11-30T20:39:00.000Z'));
  });

  it('widens the period in whole minutes so a long run stays within 1,440 datapoints', () => {
    const days = 3 * 24 * 60 * minute;
    const window = metricWindow(t0, t0 + days, t0 + days + 10 * minute);
    const points = (window.end.getTime() - window.start.getTime()) / (window.periodSeconds * 1000);
    expect(window.periodSeconds % 60).toBe(0);
    expect(points).toBeLessThanOrEqual(MAX_DATAPOINTS);
    expect(window.periodSeconds).toBe(240);
  });
});

describe('the charted series', () => {
  const window = metricWindow(t0, t0 + 30_000, t0 + 60 * minute);
  const at = (iso: string) => new Date(iso);

  it('align each metric with the periods, null where CloudWatch has no datapoint', () => {
    const view = buildMetricsView(
      window,
      [
        {
          Id: 'incomingRecords',
          Timestamps: [at('2026-11-30T20:38:00Z'), at('2026-11-30T20:37:00Z')],
          Values: [50, 250],
        },
        { Id: 'limitrecordsPerSecond', Timestamps: [at('2026-11-30T20:37:00Z')], Values: [1000] },
      ],
      { streamName: 's', namespace: 'FirehoseLoader' },
    );
    expect(view.timestamps).toHaveLength(7);
    const records = view.series.find((s) => s.id === 'incomingRecords');
    expect(records?.values).toEqual([null, 250, 50, null, null, null, null]);
    // The limit is per second; the chart's values are per minute.
    expect(records?.quota).toEqual([null, 60_000, null, null, null, null, null]);
    expect(records?.quotaPerSecond).toBe(1000);
    expect(view.series.find((s) => s.id === 'failedPutCount')).toMatchObject({
      namespace: 'FirehoseLoader',
      quota: null,
    });
  });

  it('draw the quota found before the window flat when the window has no limit datapoint', () => {
    const view = buildMetricsView(window, [], {
      streamName: 's',
      namespace: 'N',
      fallbackQuota: { bytesPerSecond: 5 * 1024 * 1024 },
    });
    const bytes = view.series.find((s) => s.id === 'incomingBytes');
    expect(bytes?.quota).toEqual(Array(7).fill(5 * 1024 * 1024 * 60));
    expect(view.series.find((s) => s.id === 'incomingRecords')?.quota).toEqual(Array(7).fill(null));
  });
});

describe('reading the metrics from CloudWatch', () => {
  const cw = mockClient(CloudWatchClient);
  beforeEach(() => cw.reset());

  it('asks for the Firehose metrics, the job’s FailedPutCount and the limits, and follows NextToken', async () => {
    cw.on(GetMetricDataCommand, { NextToken: undefined }).resolves({
      MetricDataResults: [
        { Id: 'incomingRecords', Timestamps: [new Date('2026-11-30T20:37:00Z')], Values: [200] },
        { Id: 'limitrecordsPerSecond', Timestamps: [new Date('2026-11-30T20:37:00Z')], Values: [500000] },
      ],
      NextToken: 'more',
    });
    cw.on(GetMetricDataCommand, { NextToken: 'more' }).resolves({
      MetricDataResults: [
        { Id: 'incomingRecords', Timestamps: [new Date('2026-11-30T20:38:00Z')], Values: [100] },
      ],
    });
    const view = await readMetrics(new CloudWatchClient({ region: 'us-east-1' }), {
      streamName: 'firehose-loader-stream',
      startedMs: t0,
      endedMs: t0 + 30_000,
      now: new Date(t0 + 60 * minute),
    });
    const input = cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input as GetMetricDataCommandInput;
    const asked = input.MetricDataQueries?.map((q) => [
      q.MetricStat?.Metric?.Namespace,
      q.MetricStat?.Metric?.MetricName,
      q.MetricStat?.Stat,
      q.MetricStat?.Period,
    ]);
    expect(asked).toEqual([
      ['AWS/Firehose', 'IncomingRecords', 'Sum', 60],
      ['AWS/Firehose', 'IncomingBytes', 'Sum', 60],
      ['AWS/Firehose', 'IncomingPutRequests', 'Sum', 60],
      ['AWS/Firehose', 'ThrottledRecords', 'Sum', 60],
      ['FirehoseLoader', 'FailedPutCount', 'Sum', 60],
      ['AWS/Firehose', 'BytesPerSecondLimit', 'Minimum', 60],
      ['AWS/Firehose', 'RecordsPerSecondLimit', 'Minimum', 60],
      ['AWS/Firehose', 'PutRequestsPerSecondLimit', 'Minimum', 60],
    ]);
    expect(input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'DeliveryStreamName', Value: 'firehose-loader-stream' },
    ]);
    expect(view.series[0]?.values.slice(0, 3)).toEqual([null, 200, 100]);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
  });
});

describe("a local run's metrics window", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'console-metrics-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts at its ExecutionStarted event and is open until its summary is written', async () => {
    const runDir = join(dataDir, 'runs', 'run-20261130-203708-sprn');
    await mkdir(runDir, { recursive: true });
    await writeFile(
      join(runDir, 'events.jsonl'),
      `{"type":"ExecutionStarted","timestamp":${t0}}\n{"type":"x"}\n`,
    );
    expect(await localRunWindow(dataDir, 'run-20261130-203708-sprn')).toEqual({ startedMs: t0 });
    await writeFile(join(runDir, 'summary.json'), '{}');
    expect((await localRunWindow(dataDir, 'run-20261130-203708-sprn')).endedMs).toEqual(expect.any(Number));
  });

  it('is refused for a path outside the runs folder, and missing for a run without events', async () => {
    await expect(localRunWindow(dataDir, '../x')).rejects.toMatchObject({ status: 400 });
    await expect(localRunWindow(dataDir, 'run-20261130-000000-none')).rejects.toMatchObject({ status: 404 });
  });
});
