import { Aws, CfnOutput, Duration, Fn, Size, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { LoaderBuckets } from './loader-buckets';
import { LoaderDeliveryStream } from './loader-delivery-stream';
import { LoaderFunctions } from './loader-functions';
import { LoaderMonitoring } from './loader-monitoring';
import { LoaderSample } from './loader-sample';
import { LoaderStateMachine } from './loader-state-machine';
import {
  type LoaderSettings,
  physicalNamesOf,
  removalPolicyOf,
  resolveSettings,
  retentionDaysOf,
} from './settings';

/** What an execution started from the console with no input does: load the sample with every default. */
export const DEFAULT_EXECUTION_INPUT = '{}';

export interface FirehoseLoaderStackProps extends StackProps {
  /** Settings for this stack; any not given come from DEFAULT_SETTINGS (bin/app.ts passes cdk.json context). */
  readonly settings?: Partial<LoaderSettings>;
  /**
   * Folder holding the generated sample (`writeSampleFolder(settings.sampleKey, settings.sampleRecords)`);
   * generated before the stack because the generator streams asynchronously.
   */
  readonly sampleFolder: string;
}

/**
 * firehose-loader: an S3 file of records → Step Functions (Plan, Distributed Map of PutBatch,
 * AdvanceRound re-queue rounds, CheckMetrics) → Firehose → S3, with alarms and a dashboard.
 */
export class FirehoseLoaderStack extends Stack {
  public readonly settings: LoaderSettings;
  public readonly encryptionKey?: kms.Key;
  public readonly buckets: LoaderBuckets;
  public readonly deliveryStream: LoaderDeliveryStream;
  public readonly functions: LoaderFunctions;
  public readonly loader: LoaderStateMachine;
  public readonly sample: LoaderSample;
  public readonly monitoring: LoaderMonitoring;

  // Over 60 lines on purpose: the stack's constructs and the grants between them, declared in one
  // place in dependency order; each construct's own detail already lives in its own class.
  constructor(scope: Construct, id: string, props: FirehoseLoaderStackProps) {
    super(scope, id, props);
    const settings = resolveSettings(props.settings ?? {});
    this.settings = settings;
    const removalPolicy = removalPolicyOf(settings.removalPolicy);
    const logRetention = retentionDaysOf(settings.logRetentionDays);
    // Derived from this stack (or the `name` setting): two stacks never share a physical name.
    const names = physicalNamesOf(settings, this.stackName);

    if (settings.encryption === 'KMS') {
      this.encryptionKey = new kms.Key(this, 'Key', {
        description: 'firehose-loader: source, artifact and destination buckets and the delivery stream',
        enableKeyRotation: true,
        removalPolicy,
      });
    }

    this.buckets = new LoaderBuckets(this, 'Buckets', {
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey } : {}),
      artifactRetention: Duration.days(settings.artifactRetentionDays),
      removalPolicy,
      serverAccessLogs: settings.serverAccessLogs,
    });

    this.deliveryStream = new LoaderDeliveryStream(this, 'DeliveryStream', {
      streamName: names.streamName,
      destinationBucket: this.buckets.destination,
      bufferingInterval: Duration.seconds(settings.bufferingIntervalSeconds),
      bufferingSize: Size.mebibytes(settings.bufferingSizeMiB),
      compression: settings.compression,
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey } : {}),
      logRetention,
      removalPolicy,
    });
    const stream = this.deliveryStream.deliveryStream;

    this.functions = new LoaderFunctions(this, 'Functions', {
      sourceBucket: this.buckets.source,
      artifactBucket: this.buckets.artifacts,
      deliveryStream: stream,
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey } : {}),
      planDefaults: {
        sourceKey: settings.sampleKey,
        maxConcurrency: settings.maxConcurrency,
        requeueRounds: settings.requeueRounds,
      },
      metricsNamespace: settings.metricsNamespace,
      streamQuota: {
        recordsPerSecond: settings.streamRecordsPerSecond,
        bytesPerSecond: settings.streamBytesPerSecond,
        requestsPerSecond: settings.streamRequestsPerSecond,
      },
      logLevel: settings.functionLogLevel,
      logRetention,
      removalPolicy,
    });

    this.loader = new LoaderStateMachine(this, 'Loader', {
      stateMachineName: names.stateMachineName,
      functions: this.functions,
      artifactBucket: this.buckets.artifacts,
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey } : {}),
      logLevel: settings.stateMachineLogLevel,
      logRetention,
      removalPolicy,
    });
    const stateMachine = this.loader.stateMachine;

    this.sample = new LoaderSample(this, 'Sample', {
      bucket: this.buckets.source,
      key: settings.sampleKey,
      folder: props.sampleFolder,
      logRetention,
      removalPolicy,
    });

    this.monitoring = new LoaderMonitoring(this, 'Monitoring', {
      deliveryStreamName: stream.deliveryStreamName,
      stateMachine,
      metricsNamespace: settings.metricsNamespace,
      ...(settings.alarmTopicArn
        ? { alarmAction: new SnsAction(sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn)) }
        : {}),
    });

    // The Firehose L2 adds its CIDR mapping (for VPC-bound HTTP destinations) even when nothing reads it.
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason:
        'Unused Mappings/awscdkawskinesisfirehoseCidrBlocks is added by the aws-kinesisfirehose L2 itself.',
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('StateMachineArn', stateMachine.stateMachineArn, 'The loader state machine');
    output(
      'StateMachineConsoleUrl',
      Fn.join('', [
        `https://${Aws.REGION}.console.aws.amazon.com/states/home?region=${Aws.REGION}#/statemachines/view/`,
        stateMachine.stateMachineArn,
      ]),
      'Start an execution here; the input {} loads the sample',
    );
    output('DeliveryStreamName', stream.deliveryStreamName, 'The Firehose delivery stream');
    output('SourceBucketName', this.buckets.source.bucketName, 'Files to load');
    output('ArtifactBucketName', this.buckets.artifacts.bucketName, 'Run artefacts under runs/<runId>/');
    output(
      'DestinationBucketName',
      this.buckets.destination.bucketName,
      'Where Firehose delivers the records',
    );
    output(
      'DefaultExecutionInput',
      DEFAULT_EXECUTION_INPUT,
      'Execution input that loads the sample with defaults',
    );
    output(
      'SampleKey',
      settings.sampleKey,
      `Key of the generated sample (${settings.sampleRecords} records) in the source bucket`,
    );
    output('DashboardName', this.monitoring.dashboard.dashboardName, 'The loader CloudWatch dashboard');
  }
}
