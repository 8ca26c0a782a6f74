import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { errorOf, startTestServices, type TestServices, waitUntilDeliveryStreamActive } from './helpers';

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
});
afterAll(() => t.close());

// Whole minutes in the past, so every datapoint of a test falls in known 60-second buckets.
const base = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
const at = (seconds: number) => new Date(base.getTime() + seconds * 1000);
const window = { StartTime: at(-60), EndTime: new Date(Date.now() + 60_000) };

describe('local CloudWatch over the JSON protocol', () => {
  it('aggregates Value, Values/Counts and StatisticValues into GetMetricStatistics datapoints', async () => {
    const Dimensions = [{ Name: 'Job', Value: 'stats' }];
    await t.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Stats',
        MetricData: [
          { MetricName: 'Latency', Dimensions, Timestamp: at(1), Value: 10, Unit: 'Milliseconds' },
          {
            MetricName: 'Latency',
            Dimensions,
            Timestamp: at(2),
            Values: [20, 30],
            Counts: [2, 1],
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'Latency',
            Dimensions,
            Timestamp: at(70),
            StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 5, Maximum: 50 },
            Unit: 'Milliseconds',
          },
        ],
      }),
    );
    const out = await t.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Test/Stats',
        MetricName: 'Latency',
        Dimensions,
        Period: 60,
        Statistics: ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'],
        ...window,
      }),
    );
    const points = (out.Datapoints ?? []).sort(
      (a, b) => (a.Timestamp as Date).getTime() - (b.Timestamp as Date).getTime(),
    );
    expect(points).toEqual([
      {
        Timestamp: at(0),
        Sum: 80,
        Average: 20,
        Minimum: 10,
        Maximum: 30,
        SampleCount: 4,
        Unit: 'Milliseconds',
      },
      {
        Timestamp: at(60),
        Sum: 100,
        Average: 25,
        Minimum: 5,
        Maximum: 50,
        SampleCount: 4,
        Unit: 'Milliseconds',
      },
    ]);
  });

  it('answers GetMetricData with Id, Label, newest-first Timestamps, Values and StatusCode Complete', async () => {
    await t.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Data',
        MetricData: [
          { MetricName: 'Rows', Timestamp: at(5), Value: 1 },
          { MetricName: 'Rows', Timestamp: at(65), Value: 2 },
          { MetricName: 'Rows', Timestamp: at(66), Value: 3 },
        ],
      }),
    );
    const out = await t.cloudwatch.send(
      new GetMetricDataCommand({
        ...window,
        MetricDataQueries: [
          {
            Id: 'sum',
            MetricStat: { Metric: { Namespace: 'Test/Data', MetricName: 'Rows' }, Period: 60, Stat: 'Sum' },
          },
          {
            Id: 'max',
            Label: 'biggest',
            MetricStat: {
              Metric: { Namespace: 'Test/Data', MetricName: 'Rows' },
              Period: 60,
              Stat: 'Maximum',
            },
          },
          {
            Id: 'none',
            MetricStat: { Metric: { Namespace: 'Test/Data', MetricName: 'Other' }, Period: 60, Stat: 'Sum' },
          },
        ],
      }),
    );
    expect(out.MetricDataResults).toEqual([
      { Id: 'sum', Label: 'Rows', Timestamps: [at(60), at(0)], Values: [5, 1], StatusCode: 'Complete' },
      { Id: 'max', Label: 'biggest', Timestamps: [at(60), at(0)], Values: [3, 1], StatusCode: 'Complete' },
      { Id: 'none', Label: 'Other', Timestamps: [], Values: [], StatusCode: 'Complete' },
    ]);
  });

  it('reads PutMetricData bodies the SDK gzips (10 KiB or more)', async () => {
    const client = new CloudWatchClient(t.config);
    let contentEncoding: unknown;
    client.middlewareStack.add(
      (next) => async (args) => {
        contentEncoding = (args.request as { headers: Record<string, string> }).headers['content-encoding'];
        return next(args);
      },
      { step: 'finalizeRequest', name: 'captureEncoding' },
    );
    const MetricData = Array.from({ length: 500 }, (_, i) => ({
      MetricName: 'Bulk',
      Dimensions: [{ Name: 'Shard', Value: 'one' }],
      Timestamp: at(10),
      Value: i,
    }));
    await client.send(new PutMetricDataCommand({ Namespace: 'Test/Gzip', MetricData }));
    expect(contentEncoding).toBe('gzip');
    const out = await client.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Test/Gzip',
        MetricName: 'Bulk',
        Dimensions: [{ Name: 'Shard', Value: 'one' }],
        Period: 300,
        Statistics: ['Sum', 'SampleCount'],
        ...window,
      }),
    );
    expect(out.Datapoints?.[0]).toMatchObject({ Sum: (499 * 500) / 2, SampleCount: 500 });
    client.destroy();
  });

  it('lists metrics by namespace and dimension', async () => {
    const out = await t.cloudwatch.send(
      new ListMetricsCommand({ Namespace: 'Test/Stats', Dimensions: [{ Name: 'Job' }] }),
    );
    expect(out.Metrics).toEqual([
      { Namespace: 'Test/Stats', MetricName: 'Latency', Dimensions: [{ Name: 'Job', Value: 'stats' }] },
    ]);
  });

  it('rejects AWS/ namespaces, conflicting values and unknown statistics with CloudWatch error codes', async () => {
    const awsNamespace = t.cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'AWS/Firehose', MetricData: [{ MetricName: 'm', Value: 1 }] }),
    );
    expect(await errorOf(awsNamespace)).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    const both = t.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Bad',
        MetricData: [
          { MetricName: 'm', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } },
        ],
      }),
    );
    expect(await errorOf(both)).toMatchObject({ name: 'InvalidParameterCombinationException', status: 400 });
    const stat = t.cloudwatch.send(
      new GetMetricDataCommand({
        ...window,
        MetricDataQueries: [
          {
            Id: 'q',
            MetricStat: {
              Metric: { Namespace: 'Test/Data', MetricName: 'Rows' },
              Period: 60,
              Stat: 'p99.9x',
            },
          },
        ],
      }),
    );
    expect(await errorOf(stat)).toMatchObject({ name: 'InvalidParameterValueException', status: 400 });
  });
});

describe('local CloudWatch over the query protocol', () => {
  const post = async (params: Record<string, string>) => {
    const response = await fetch(t.services.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString(),
    });
    return { status: response.status, text: await response.text() };
  };

  it('takes form-encoded PutMetricData and answers GetMetricStatistics and GetMetricData in XML', async () => {
    const put = await post({
      Action: 'PutMetricData',
      Namespace: 'Test/Query',
      'MetricData.member.1.MetricName': 'Hits',
      'MetricData.member.1.Dimensions.member.1.Name': 'Page',
      'MetricData.member.1.Dimensions.member.1.Value': 'home',
      'MetricData.member.1.Timestamp': at(3).toISOString(),
      'MetricData.member.1.Value': '4',
      'MetricData.member.2.MetricName': 'Hits',
      'MetricData.member.2.Dimensions.member.1.Name': 'Page',
      'MetricData.member.2.Dimensions.member.1.Value': 'home',
      'MetricData.member.2.Timestamp': at(4).toISOString(),
      'MetricData.member.2.Values.member.1': '1',
      'MetricData.member.2.Values.member.2': '2',
      'MetricData.member.2.Counts.member.1': '3',
      'MetricData.member.2.Counts.member.2': '1',
    });
    expect(put.status).toBe(200);
    expect(put.text).toContain(
      '<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>',
    );

    const stats = await post({
      Action: 'GetMetricStatistics',
      Namespace: 'Test/Query',
      MetricName: 'Hits',
      'Dimensions.member.1.Name': 'Page',
      'Dimensions.member.1.Value': 'home',
      StartTime: window.StartTime.toISOString(),
      EndTime: window.EndTime.toISOString(),
      Period: '60',
      'Statistics.member.1': 'Sum',
      'Statistics.member.2': 'SampleCount',
    });
    expect(stats.text).toContain('<GetMetricStatisticsResult><Label>Hits</Label><Datapoints><member>');
    expect(stats.text).toContain(`<Timestamp>${at(0).toISOString()}</Timestamp>`);
    expect(stats.text).toContain('<Sum>9</Sum><SampleCount>5</SampleCount>');

    const data = await post({
      Action: 'GetMetricData',
      StartTime: window.StartTime.toISOString(),
      EndTime: window.EndTime.toISOString(),
      'MetricDataQueries.member.1.Id': 'hits',
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'Test/Query',
      'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'Hits',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name': 'Page',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': 'home',
      'MetricDataQueries.member.1.MetricStat.Period': '60',
      'MetricDataQueries.member.1.MetricStat.Stat': 'Maximum',
    });
    expect(data.text).toContain(
      `<MetricDataResults><member><Id>hits</Id><Label>Hits</Label><Timestamps><member>${at(0).toISOString()}</member></Timestamps><Values><member>4</member></Values><StatusCode>Complete</StatusCode></member></MetricDataResults>`,
    );
  });

  it('answers errors with an ErrorResponse document', async () => {
    const bad = await post({
      Action: 'PutMetricData',
      Namespace: 'AWS/EC2',
      'MetricData.member.1.MetricName': 'x',
      'MetricData.member.1.Value': '1',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(
      /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidParameterValue<\/Code><Message>/,
    );
  });
});

describe('AWS/Firehose metrics from local Firehose', () => {
  it('publishes Incoming*, PutRecord(Batch).*, ThrottledRecords, limits and DeliveryToS3.* equal to what was accepted', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'metrics-bucket' }));
    const firehose = new FirehoseClient(t.config);
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'metered',
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::000000000000:role/r',
          BucketARN: 'arn:aws:s3:::metrics-bucket',
        },
      }),
    );
    await waitUntilDeliveryStreamActive(firehose, 'metered');
    let acceptedRecords = 0;
    let acceptedBytes = 0;
    let throttled = 0;
    for (let batch = 0; batch < 4; batch++) {
      if (batch === 3) t.services.setQuotas({ recordsPerSecond: 20 });
      const data = Array.from({ length: 100 }, (_, i) => Buffer.from(`batch ${batch} record ${i}\n`));
      const out = await firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'metered', Records: data.map((Data) => ({ Data })) }),
      );
      out.RequestResponses?.forEach((entry, i) => {
        if (entry.RecordId) {
          acceptedRecords++;
          acceptedBytes += data[i].length;
        } else throttled++;
      });
    }
    t.services.setQuotas({ recordsPerSecond: 500_000 });
    await firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'metered', Record: { Data: Buffer.from('one\n') } }),
    );
    await t.services.flush();
    firehose.destroy();

    const sums = await t.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          'IncomingRecords',
          'IncomingBytes',
          'IncomingPutRequests',
          'PutRecordBatch.Records',
          'PutRecordBatch.Requests',
          'PutRecord.Records',
          'ThrottledRecords',
          'DeliveryToS3.Records',
          'DeliveryToS3.Bytes',
        ].map((name, i) => ({
          Id: `m${i}`,
          Label: name,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Firehose',
              MetricName: name,
              Dimensions: [{ Name: 'DeliveryStreamName', Value: 'metered' }],
            },
            Period: 3600,
            Stat: 'Sum',
          },
        })),
      }),
    );
    const total = Object.fromEntries(
      (sums.MetricDataResults ?? []).map((r) => [r.Label, (r.Values ?? []).reduce((a, b) => a + b, 0)]),
    );
    expect(throttled).toBe(80);
    expect(total).toEqual({
      IncomingRecords: acceptedRecords + 1,
      IncomingBytes: acceptedBytes + 4,
      IncomingPutRequests: 5,
      'PutRecordBatch.Records': acceptedRecords,
      'PutRecordBatch.Requests': 4,
      'PutRecord.Records': 1,
      ThrottledRecords: 80,
      'DeliveryToS3.Records': acceptedRecords + 1,
      'DeliveryToS3.Bytes': acceptedBytes + 4,
    });
    const limit = await t.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Firehose',
        MetricName: 'RecordsPerSecondLimit',
        Dimensions: [{ Name: 'DeliveryStreamName', Value: 'metered' }],
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 3600,
        Statistics: ['Maximum', 'Minimum'],
      }),
    );
    expect(limit.Datapoints?.[0]).toMatchObject({ Maximum: 500_000, Minimum: 20 });
  });

  it('hides datapoints until metricPublishDelayMs has passed', async () => {
    const delayed = await startTestServices({ metricPublishDelayMs: 300 });
    const query = () =>
      delayed.cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Test/Lag',
          MetricName: 'm',
          ...window,
          Period: 3600,
          Statistics: ['Sum'],
        }),
      );
    await delayed.cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'Test/Lag', MetricData: [{ MetricName: 'm', Value: 7 }] }),
    );
    expect((await query()).Datapoints).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await query()).Datapoints?.[0]?.Sum).toBe(7);
    await delayed.close();
  });
});

describe('routing on one port', () => {
  it('routes unsigned requests by X-Amz-Target and by shape', async () => {
    const firehose = await fetch(t.services.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Firehose_20150804.ListDeliveryStreams',
      },
      body: '{}',
    });
    expect(await firehose.json()).toMatchObject({
      DeliveryStreamNames: expect.any(Array),
      HasMoreDeliveryStreams: false,
    });
    const cloudwatch = await fetch(t.services.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics',
      },
      body: '{"Namespace":"Test/Stats"}',
    });
    expect(((await cloudwatch.json()) as { Metrics: unknown[] }).Metrics).toHaveLength(1);
    const query = await fetch(t.services.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListMetrics&Version=2010-08-01&Namespace=Test%2FStats',
    });
    expect(await query.text()).toContain(
      '<ListMetricsResult><Metrics><member><Namespace>Test/Stats</Namespace>',
    );
    const s3 = await fetch(`${t.services.endpoint}/`);
    expect(await s3.text()).toContain('<ListAllMyBucketsResult');
  });
});
