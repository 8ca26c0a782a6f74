import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import * as advanceRoundConfig from '../../functions/advance-round/config';
import * as checkMetricsConfig from '../../functions/check-metrics/config';
import * as planConfig from '../../functions/plan/config';
import * as putBatchConfig from '../../functions/put-batch/config';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from '../../functions/shared/limits';
import { DATA_OUTPUT_PREFIX, ERROR_OUTPUT_PREFIX } from '../../lib/loader-delivery-stream';
import { FUNCTION_ENTRIES } from '../../lib/loader-functions';
import { writeSampleFolder } from '../../lib/loader-sample';
import { variablesReadBy } from '../functions/variables-read';
import { envOf, flatten, lifecycleRulesOf, resourcesOfType, type Synthesized, synth } from './synth';

describe('the stack with default settings', () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await synth();
  });

  describe('buckets', () => {
    const buckets = () => [s.stack.buckets.source, s.stack.buckets.artifacts, s.stack.buckets.destination];

    it('block all public access, are encrypted with SSE-S3 and are kept when the stack is deleted', () => {
      for (const bucket of buckets()) {
        const resource = s.json.Resources[s.id(bucket)];
        expect(resource?.Properties).toMatchObject({
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
        });
        expect(resource?.DeletionPolicy).toBe('Retain');
      }
      expect(resourcesOfType(s.json, 'Custom::S3AutoDeleteObjects')).toEqual([]);
    });

    it('refuse every request that is not over TLS', () => {
      for (const bucket of buckets()) {
        const policies = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').filter(
          ([, p]) => flatten(p.Properties.Bucket) === `<${s.id(bucket)}>`,
        );
        expect(policies).toHaveLength(1);
        const document = policies[0]?.[1].Properties.PolicyDocument as { Statement: unknown[] } | undefined;
        const statements = document?.Statement ?? [];
        expect(statements).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });

    it('expire run artefacts and Map results after the retention days, and abort stale multipart uploads', () => {
      const rules = lifecycleRulesOf(s.json, s.id(s.stack.buckets.artifacts));
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Prefix: 'runs/', ExpirationInDays: 14, Status: 'Enabled' }),
          expect.objectContaining({ Prefix: 'map-results/', ExpirationInDays: 14, Status: 'Enabled' }),
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      );
    });
  });

  describe('delivery stream', () => {
    it('is a Direct PUT stream to the destination bucket with the buffering, prefixes, compression and encryption of the settings', () => {
      s.template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamName: 'FirehoseLoader',
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        ExtendedS3DestinationConfiguration: Match.objectLike({
          BucketARN: { 'Fn::GetAtt': [s.id(s.stack.buckets.destination), 'Arn'] },
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
          CompressionFormat: 'UNCOMPRESSED',
          Prefix: DATA_OUTPUT_PREFIX,
          ErrorOutputPrefix: ERROR_OUTPUT_PREFIX,
          CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
        }),
      });
      // Firehose requires the error prefix to name the error type once the data prefix uses expressions.
      expect(ERROR_OUTPUT_PREFIX).toContain('!{firehose:error-output-type}');
    });
  });

  describe('functions', () => {
    const functions = () => s.stack.functions.all;

    it('exist as handler files in the repository', () => {
      for (const entry of Object.values(FUNCTION_ENTRIES)) expect(existsSync(entry)).toBe(true);
    });

    it('run on nodejs22.x arm64 with X-Ray, source maps, Powertools settings and their own log group', () => {
      for (const fn of functions()) {
        const props = s.json.Resources[s.id(fn)]?.Properties;
        expect(props).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
        });
        expect(envOf(s.json, s.id(fn))).toMatchObject({
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'firehose-loader',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        });
        expect(props?.LoggingConfig).toEqual({ LogGroup: { Ref: s.id(fn.logGroup) } });
      }
    });

    it('get the settings their handlers read, by the names the handlers read them', () => {
      const { plan, putBatch, advanceRound, checkMetrics } = s.stack.functions;
      const source = { Ref: s.id(s.stack.buckets.source) };
      const artifacts = { Ref: s.id(s.stack.buckets.artifacts) };
      const stream = { Ref: s.id(s.stack.deliveryStream.deliveryStream) };
      const own = (fn: typeof plan) => {
        const { NODE_OPTIONS, POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, ...rest } = envOf(
          s.json,
          s.id(fn),
        );
        return rest;
      };
      expect(own(plan)).toEqual({
        SOURCE_BUCKET: source,
        ARTIFACT_BUCKET: artifacts,
        DEFAULT_SOURCE_KEY: 'samples/sample_records.json',
        DEFAULT_FORMAT: 'auto',
        DEFAULT_INDIVIDUAL_RECORDS: '0',
        DEFAULT_PACK: 'false',
        DEFAULT_MAX_CONCURRENCY: '5',
        DEFAULT_REQUEUE_ROUNDS: '3',
        MAX_BATCH_RECORDS: String(MAX_BATCH_RECORDS),
        MAX_BATCH_BYTES: String(MAX_BATCH_BYTES),
        // Plan finds the stream's quota in CloudWatch; nothing stated by default (0).
        DELIVERY_STREAM_NAME: stream,
        STREAM_RECORDS_PER_SECOND: '0',
        STREAM_BYTES_PER_SECOND: '0',
        STREAM_REQUESTS_PER_SECOND: '0',
      });
      expect(own(putBatch)).toEqual({
        DELIVERY_STREAM_NAME: stream,
        SOURCE_BUCKET: source,
        ARTIFACT_BUCKET: artifacts,
        RETRY_MAX_ATTEMPTS: expect.stringMatching(/^\d+$/),
        RETRY_BASE_DELAY_MS: expect.stringMatching(/^\d+$/),
        RETRY_MAX_DELAY_MS: expect.stringMatching(/^\d+$/),
        RETRY_BUDGET_MS: expect.stringMatching(/^\d+$/),
        // PutBatch's retry policy gained the throttling window (retry-policy.ts).
        RETRY_THROTTLE_WINDOW_MS: expect.stringMatching(/^\d+$/),
        PACE_TO_QUOTA: 'true',
        // No quota stated by default (0): PutBatch paces to the one Plan found (pace.ts).
        STREAM_RECORDS_PER_SECOND: '0',
        STREAM_BYTES_PER_SECOND: '0',
        STREAM_REQUESTS_PER_SECOND: '0',
        // A chunk's claim is taken over only after PutBatch's own timeout (claim.ts).
        CLAIM_TAKEOVER_AFTER_MS: expect.stringMatching(/^\d+$/),
      });
      expect(own(advanceRound)).toEqual({
        ARTIFACT_BUCKET: artifacts,
        DELIVERY_STREAM_NAME: stream,
        METRICS_NAMESPACE: 'FirehoseLoader',
      });
      expect(own(checkMetrics)).toEqual({
        DELIVERY_STREAM_NAME: stream,
        METRICS_NAMESPACE: 'FirehoseLoader',
      });
    });

    // Lambda sets AWS_REGION itself (reserved: a function may not set it); Powertools reads its own two
    // and Node NODE_OPTIONS, none of them through a function's config.
    const SET_BY_LAMBDA = ['AWS_REGION'];
    const NOT_FOR_LOAD = ['NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME'];
    const loaders = {
      plan: planConfig.load,
      putBatch: putBatchConfig.load,
      advanceRound: advanceRoundConfig.load,
      checkMetrics: checkMetricsConfig.load,
    };

    it.each(Object.keys(loaders) as (keyof typeof loaders)[])(
      'set every variable the %s config reads, and none it does not read',
      (key) => {
        const env = envOf(s.json, s.id(s.stack.functions[key]));
        const read = variablesReadBy(loaders[key], env);
        const set = Object.keys(env);
        expect(read.length).toBeGreaterThan(0);
        expect({
          readButNotSet: read.filter((name) => !set.includes(name) && !SET_BY_LAMBDA.includes(name)),
          setButNotRead: set.filter((name) => !read.includes(name) && !NOT_FOR_LOAD.includes(name)),
        }).toEqual({ readButNotSet: [], setButNotRead: [] });
      },
    );
  });

  it('keeps every log group for the configured number of days', () => {
    const groups = resourcesOfType(s.json, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(7);
    for (const [id, group] of groups)
      expect({ id, days: group.Properties.RetentionInDays }).toEqual({ id, days: 30 });
  });

  describe('sample', () => {
    it('deploys the generated sample to samples/ in the source bucket', () => {
      s.template.hasResourceProperties('Custom::CDKBucketDeployment', {
        DestinationBucketName: { Ref: s.id(s.stack.buckets.source) },
        DestinationBucketKeyPrefix: 'samples/',
        Prune: false,
      });
    });

    it('is 2,550 records written by writeMockData as a JSON array', async () => {
      const folder = await writeSampleFolder('samples/sample_records.json', 2_550);
      const records = JSON.parse(readFileSync(join(folder, 'sample_records.json'), 'utf8')) as unknown[];
      expect(records).toHaveLength(2_550);
      expect(records[0]).toEqual(expect.objectContaining({ ip_address: expect.any(String) }));
    });
  });

  describe('monitoring', () => {
    const streamName = () => ({ Ref: s.id(s.stack.deliveryStream.deliveryStream) });

    it('alarms on any throttled record of the stream', () => {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Firehose',
        MetricName: 'ThrottledRecords',
        Dimensions: [{ Name: 'DeliveryStreamName', Value: streamName() }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('alarms on any dead-lettered record (the custom metric AdvanceRound publishes)', () => {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'FirehoseLoader',
        MetricName: 'DeadLetteredRecords',
        Dimensions: [{ Name: 'DeliveryStreamName', Value: streamName() }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('alarms on any failed execution of the state machine', () => {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsFailed',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: s.id(s.stack.loader.stateMachine) } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it("shows the achieved rate against each of the stream's three limits on the dashboard", () => {
      const [, dashboard] = resourcesOfType(s.json, 'AWS::CloudWatch::Dashboard')[0] ?? [];
      const body = flatten(dashboard?.Properties.DashboardBody);
      for (const limit of ['BytesPerSecondLimit', 'RecordsPerSecondLimit', 'PutRequestsPerSecondLimit']) {
        expect(body).toContain(`"AWS/Firehose","${limit}"`);
      }
      expect(body).toContain('incoming / PERIOD(incoming)');
      expect(body).toContain("achieved vs the stream's quota");
    });

    it('shows incoming records and bytes, throttling, failed puts, chunk outcomes and executions on one dashboard', () => {
      const [, dashboard] = resourcesOfType(s.json, 'AWS::CloudWatch::Dashboard')[0] ?? [];
      const body = flatten(dashboard?.Properties.DashboardBody);
      for (const metric of [
        'IncomingRecords',
        'IncomingBytes',
        'ThrottledRecords',
        'FailedPutCount',
        'DeliveredRecords',
        'RequeuedRecords',
        'DeadLetteredRecords',
        'ExecutionsStarted',
        'ExecutionsSucceeded',
        'ExecutionsFailed',
      ]) {
        expect(body).toContain(`"${metric}"`);
      }
    });
  });

  it('outputs the state machine and its console URL, the stream, the buckets, the default input and the sample key', () => {
    const outputs = Object.fromEntries(Object.entries(s.json.Outputs).map(([k, v]) => [k, flatten(v.Value)]));
    const machine = `<${s.id(s.stack.loader.stateMachine)}>`;
    expect(outputs).toEqual({
      StateMachineArn: machine,
      StateMachineConsoleUrl: `https://<AWS::Region>.console.aws.amazon.com/states/home?region=<AWS::Region>#/statemachines/view/${machine}`,
      DeliveryStreamName: `<${s.id(s.stack.deliveryStream.deliveryStream)}>`,
      SourceBucketName: `<${s.id(s.stack.buckets.source)}>`,
      ArtifactBucketName: `<${s.id(s.stack.buckets.artifacts)}>`,
      DestinationBucketName: `<${s.id(s.stack.buckets.destination)}>`,
      DefaultExecutionInput: '{}',
      SampleKey: 'samples/sample_records.json',
      DashboardName: `<${s.id(s.stack.monitoring.dashboard)}>`,
    });
  });
});

describe('the stack with other settings', () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await synth({
      encryption: 'KMS',
      removalPolicy: 'destroy',
      serverAccessLogs: true,
      compression: 'GZIP',
      bufferingSizeMiB: 64,
      bufferingIntervalSeconds: 300,
      maxConcurrency: 8,
      requeueRounds: 5,
      artifactRetentionDays: 3,
      logRetentionDays: 7,
      streamName: 'other-stream',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:loader-alarms',
      streamRecordsPerSecond: 100_000,
      streamBytesPerSecond: 1_048_576,
      streamRequestsPerSecond: 1_000,
    });
  });

  it('tells PutBatch the stream quota it should pace itself to', () => {
    const env = envOf(s.json, s.id(s.stack.functions.putBatch));
    expect(env).toEqual(
      expect.objectContaining({
        STREAM_RECORDS_PER_SECOND: '100000',
        STREAM_BYTES_PER_SECOND: '1048576',
        STREAM_REQUESTS_PER_SECOND: '1000',
      }),
    );
  });

  it('encrypts the buckets and the stream with one rotating customer managed key', () => {
    const key = s.id(s.stack.encryptionKey as never);
    expect(s.json.Resources[key]?.Properties.EnableKeyRotation).toBe(true);
    for (const bucket of s.stack.buckets.all) {
      expect(s.json.Resources[s.id(bucket)]?.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] },
            },
          },
        ],
      });
    }
    s.template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: {
        KeyType: 'CUSTOMER_MANAGED_CMK',
        KeyARN: { 'Fn::GetAtt': [key, 'Arn'] },
      },
    });
  });

  it('deletes and empties the buckets when the stack is deleted, for dev stacks', () => {
    for (const bucket of s.stack.buckets.all)
      expect(s.json.Resources[s.id(bucket)]?.DeletionPolicy).toBe('Delete');
    expect(resourcesOfType(s.json, 'Custom::S3AutoDeleteObjects').length).toBeGreaterThanOrEqual(3);
  });

  it('logs server access of the three buckets to a fourth bucket', () => {
    const logs = s.id(s.stack.buckets.accessLogs as never);
    for (const bucket of s.stack.buckets.all) {
      expect(s.json.Resources[s.id(bucket)]?.Properties.LoggingConfiguration).toMatchObject({
        DestinationBucketName: { Ref: logs },
      });
    }
  });

  it('passes buffering, compression, concurrency, rounds, retention and the stream name through', () => {
    s.template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'other-stream',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
        CompressionFormat: 'GZIP',
      }),
    });
    expect(envOf(s.json, s.id(s.stack.functions.plan))).toMatchObject({
      DEFAULT_MAX_CONCURRENCY: '8',
      DEFAULT_REQUEUE_ROUNDS: '5',
    });
    const rules = lifecycleRulesOf(s.json, s.id(s.stack.buckets.artifacts));
    expect(rules.filter((r) => r.Prefix).map((r) => r.ExpirationInDays)).toEqual([3, 3]);
    for (const [, group] of resourcesOfType(s.json, 'AWS::Logs::LogGroup'))
      expect(group.Properties.RetentionInDays).toBe(7);
  });

  it('sends the alarms to the configured SNS topic', () => {
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(3);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:loader-alarms']);
    }
  });
});
