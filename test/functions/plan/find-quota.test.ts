import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { load as loadPlanConfig } from '../../../functions/plan/config';
import { findRunQuota } from '../../../functions/plan/find-quota';
import { startRun } from '../../../functions/plan/start-run';
import { cloudWatchClient, s3Client } from '../../../functions/shared/aws-clients';
import type { ChunkDescriptor } from '../../../functions/shared/chunk';
import { QuotaSource } from '../../../functions/shared/quota/quota';
import { readJsonLines } from '../../../functions/shared/s3-io';
import { recordingLogger } from '../fixtures';
import { type LocalAws, putText, startLocalAws } from '../local-aws';

const allFrom = (source: QuotaSource) => ({
  bytesPerSecond: source,
  recordsPerSecond: source,
  requestsPerSecond: source,
});

describe('Plan finds the stream quota in the local CloudWatch', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => {
    await aws.stop();
  });

  it('reads the three limits the local Firehose publishes for the stream', async () => {
    aws.services.setQuotas({ bytesPerSecond: 1_048_576, recordsPerSecond: 20_000, requestsPerSecond: 500 });
    const quota = await findRunQuota(
      { streamName: aws.names.streamName, region: 'us-east-1', stated: {} },
      { cloudWatch: cloudWatchClient(), logger: recordingLogger() },
    );
    expect(quota).toEqual({
      bytesPerSecond: 1_048_576,
      recordsPerSecond: 20_000,
      requestsPerSecond: 500,
      sources: allFrom(QuotaSource.metrics),
    });
  });

  it('finds the limits of a stream the local Firehose has just created', async () => {
    aws.services.setQuotas({ bytesPerSecond: 2_000_000, recordsPerSecond: 30_000, requestsPerSecond: 700 });
    const { streamName } = await aws.stream('quota-fresh');
    const quota = await findRunQuota(
      { streamName, region: 'us-east-1', stated: {} },
      { cloudWatch: cloudWatchClient(), logger: recordingLogger() },
    );
    expect(quota).toMatchObject({
      bytesPerSecond: 2_000_000,
      recordsPerSecond: 30_000,
      requestsPerSecond: 700,
    });
  });

  it('falls back to the region default for a stream with no datapoint', async () => {
    const quota = await findRunQuota(
      { streamName: 'no-such-stream', region: 'eu-central-1', stated: {} },
      { cloudWatch: cloudWatchClient(), logger: recordingLogger() },
    );
    expect(quota).toEqual({
      bytesPerSecond: 1_048_576,
      recordsPerSecond: 100_000,
      requestsPerSecond: 1_000,
      sources: allFrom(QuotaSource.regionDefault),
    });
  });

  it('puts the quota in the run state and a send offset on every chunk of the manifest', async () => {
    aws.services.setQuotas({ bytesPerSecond: 1_000, recordsPerSecond: 500_000, requestsPerSecond: 2_000 });
    const lines = Array.from({ length: 12 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(80)}"}`);
    await putText(s3Client(), aws.names.sourceBucket, 'quota/in.jsonl', `${lines.join('\n')}\n`);
    const config = loadPlanConfig({
      SOURCE_BUCKET: aws.names.sourceBucket,
      ARTIFACT_BUCKET: aws.names.artifactBucket,
      DELIVERY_STREAM_NAME: aws.names.streamName,
      AWS_REGION: 'us-east-1',
      MAX_BATCH_RECORDS: '5',
    });
    const state = await startRun(
      {
        input: { source: { key: 'quota/in.jsonl' } },
        runId: 'quota-run',
        startedAt: new Date().toISOString(),
      },
      { s3: s3Client(), cloudWatch: cloudWatchClient(), config, logger: recordingLogger() },
    );
    expect(state.quota?.bytesPerSecond).toBe(1_000);
    expect(state.pace).toEqual({ rate: 1 });
    const chunks: ChunkDescriptor[] = [];
    for await (const chunk of readJsonLines<ChunkDescriptor>(s3Client(), {
      bucket: aws.names.artifactBucket,
      key: state.round.manifestKey,
    })) {
      chunks.push(chunk);
    }
    // At 1,000 bytes/s each chunk starts when the bytes before it have had their time.
    let before = 0;
    for (const chunk of chunks) {
      expect(chunk.paceOffsetMs).toBeCloseTo(before, 1);
      before += chunk.payloadBytes;
    }
    expect(chunks).toHaveLength(3);
  });

  it('plans no chunk bigger than one second of the bytes quota', async () => {
    aws.services.setQuotas({
      bytesPerSecond: 1_100_000,
      recordsPerSecond: 500_000,
      requestsPerSecond: 2_000,
    });
    // A stream of its own: the others' limits changed within this minute, and the lowest one counts.
    const { streamName } = await aws.stream('quota-big');
    const record = (i: number) => `{"n":${i},"pad":"${'y'.repeat(400_000)}"}`;
    const text = `${Array.from({ length: 8 }, (_, i) => record(i)).join('\n')}\n`;
    await putText(s3Client(), aws.names.sourceBucket, 'quota/big.jsonl', text);
    const config = loadPlanConfig({
      SOURCE_BUCKET: aws.names.sourceBucket,
      ARTIFACT_BUCKET: aws.names.artifactBucket,
      DELIVERY_STREAM_NAME: streamName,
    });
    const state = await startRun(
      {
        input: { source: { key: 'quota/big.jsonl' } },
        runId: 'quota-big',
        startedAt: new Date().toISOString(),
      },
      { s3: s3Client(), cloudWatch: cloudWatchClient(), config, logger: recordingLogger() },
    );
    expect(state.settings.maxBatchBytes).toBe(1_100_000);
    // Two ~400 KB records per chunk (three would pass 1,100,000 bytes), not ten per 4 MiB.
    expect(state.plan.chunks).toBe(4);
  });
});

describe('Plan reads the quota with one GetMetricData call', () => {
  // Created here, not at collection time: mocking the class also mocks the local tests' client.
  let cloudWatch: ReturnType<typeof mockClient>;
  beforeEach(() => {
    cloudWatch = mockClient(CloudWatchClient);
  });
  afterEach(() => cloudWatch.restore());

  it('asks for the per-minute Minimum of the three limits of the stream over the last day, newest first', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'bytespersecond', Values: [10_485_760] },
        { Id: 'recordspersecond', Values: [1_000_000] },
        { Id: 'requestspersecond', Values: [4_000] },
      ],
    });
    const now = new Date('2026-11-30T18:00:00Z');
    const quota = await findRunQuota(
      { streamName: 'orders', region: 'us-east-1', stated: {} },
      {
        cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
        logger: recordingLogger(),
        now: () => now,
      },
    );
    expect(quota).toMatchObject({
      bytesPerSecond: 10_485_760,
      recordsPerSecond: 1_000_000,
      requestsPerSecond: 4_000,
    });
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input?.ScanBy).toBe('TimestampDescending');
    expect(input?.StartTime).toEqual(new Date('2026-11-29T18:00:00Z'));
    expect(input?.EndTime).toEqual(now);
    expect(input?.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.MetricName)).toEqual([
      'BytesPerSecondLimit',
      'RecordsPerSecondLimit',
      'PutRequestsPerSecondLimit',
    ]);
    for (const query of input?.MetricDataQueries ?? []) {
      expect(query.MetricStat?.Stat).toBe('Minimum');
      expect(query.MetricStat?.Period).toBe(60);
      expect(query.MetricStat?.Metric?.Namespace).toBe('AWS/Firehose');
      expect(query.MetricStat?.Metric?.Dimensions).toEqual([{ Name: 'DeliveryStreamName', Value: 'orders' }]);
    }
  });

  it('falls back to the region default, and says why, when CloudWatch refuses', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const logger = recordingLogger();
    const quota = await findRunQuota(
      { streamName: 'orders', region: 'ap-south-1', stated: { bytesPerSecond: 3_000_000 } },
      { cloudWatch: new CloudWatchClient({ region: 'ap-south-1' }), logger },
    );
    expect(quota).toMatchObject({
      bytesPerSecond: 3_000_000,
      recordsPerSecond: 100_000,
      requestsPerSecond: 1_000,
    });
    expect(quota.sources.bytesPerSecond).toBe(QuotaSource.stated);
    expect(
      logger.lines.some((line) => line.level === 'warn' && JSON.stringify(line).includes('AccessDenied')),
    ).toBe(true);
  });

  it('does not ask CloudWatch when the whole quota is stated', async () => {
    const stated = { bytesPerSecond: 1, recordsPerSecond: 2, requestsPerSecond: 3 };
    const quota = await findRunQuota(
      { streamName: 'orders', region: 'us-east-1', stated },
      { cloudWatch: new CloudWatchClient({ region: 'us-east-1' }), logger: recordingLogger() },
    );
    expect(quota).toEqual({ ...stated, sources: allFrom(QuotaSource.stated) });
    expect(cloudWatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });
});
