import { Aws, type Duration, type RemovalPolicy, type Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, nagResource } from './nag';
import type { CompressionSetting } from './settings';

/** Delivered records, by arrival hour (UTC): `records/2025/01/31/13/…`. */
export const DATA_OUTPUT_PREFIX = 'records/!{timestamp:yyyy/MM/dd/HH}/';
/**
 * Records Firehose could not deliver, by error type. Firehose requires the error prefix to contain
 * `!{firehose:error-output-type}` once the data prefix uses expressions.
 */
export const ERROR_OUTPUT_PREFIX =
  'delivery-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/';

export interface LoaderDeliveryStreamProps {
  /** The delivery stream's name (what the functions, metrics and alarms refer to). */
  readonly streamName: string;
  /** Where Firehose writes the records. */
  readonly destinationBucket: IBucket;
  /** Firehose writes an object when this much time has passed since the first buffered record… */
  readonly bufferingInterval: Duration;
  /** …or when this much data is buffered, whichever comes first. */
  readonly bufferingSize: Size;
  /** @default NONE: objects stay readable as JSON Lines */
  readonly compression?: CompressionSetting;
  /**
   * Customer managed key: encrypts the stream at rest and the objects Firehose writes.
   * @default stream encrypted with an AWS owned key, objects with the bucket's default encryption
   */
  readonly encryptionKey?: IKey;
  /** Retention of the delivery error log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the delivery error log group. */
  readonly removalPolicy: RemovalPolicy;
}

/** A Direct PUT delivery stream to S3: the functions call PutRecordBatch / PutRecord on it. */
export class LoaderDeliveryStream extends Construct {
  public readonly deliveryStream: firehose.DeliveryStream;
  /** Firehose's own delivery errors (S3 access, KMS) land here. */
  public readonly errorLogGroup: logs.LogGroup;
  /** The role Firehose assumes to write to the destination bucket and the error log. */
  public readonly destinationRole: iam.Role;

  constructor(scope: Construct, id: string, props: LoaderDeliveryStreamProps) {
    super(scope, id);

    // Our own log group: the one the L2 would create has no retention.
    this.errorLogGroup = new logs.LogGroup(this, 'DeliveryErrors', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.destinationRole = this.createDestinationRole(props);
    const destination = new firehose.S3Bucket(props.destinationBucket, {
      // The L2 grants its role bucket.grantReadWrite (s3:DeleteObject*, PutObjectLegalHold, Retention,
      // tagging …) and the log group and key on top; handed an immutable view it adds nothing, and the
      // role holds only what createDestinationRole writes out.
      role: this.destinationRole.withoutPolicyUpdates(),
      bufferingInterval: props.bufferingInterval,
      bufferingSize: props.bufferingSize,
      compression: compressionOf(props.compression ?? 'NONE'),
      dataOutputPrefix: DATA_OUTPUT_PREFIX,
      errorOutputPrefix: ERROR_OUTPUT_PREFIX,
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      loggingConfig: new firehose.EnableLogging(this.errorLogGroup),
    });

    this.deliveryStream = new firehose.DeliveryStream(this, 'Stream', {
      deliveryStreamName: props.streamName,
      destination,
      encryption: props.encryptionKey
        ? firehose.StreamEncryption.customerManagedKey(props.encryptionKey)
        : firehose.StreamEncryption.awsOwnedKey(),
    });

    // The policy exists before the stream starts delivering with the role.
    this.deliveryStream.node.addDependency(this.destinationRole);

    acknowledge(
      this.deliveryStream,
      'AwsSolutions-IAM5',
      "With a customer managed key the L2's stream service role gets key.grantEncryptDecrypt for server-side encryption of the stream: CDK's kms:GenerateDataKey* and kms:ReEncrypt* action groups, on that one key.",
      ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
    );
    acknowledge(
      this.destinationRole,
      'AwsSolutions-IAM5',
      "Firehose writes objects under keys it makes up at delivery time (the data and error prefixes with timestamps), so the object actions name the destination bucket's objects.",
      [nagResource(this, props.destinationBucket.arnForObjects('*'))],
    );
  }

  /**
   * Exactly what Firehose needs for an S3 destination (Firehose developer guide, "Grant Firehose access
   * to an Amazon S3 destination"): object writes and multipart clean-up in the bucket, its location
   * and listing, the error log's events, and, with a customer managed key, the key only through S3.
   */
  private createDestinationRole(props: LoaderDeliveryStreamProps): iam.Role {
    const bucket = props.destinationBucket;
    const role = new iam.Role(this, 'DestinationRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      description: 'firehose-loader: Firehose writes the delivered records to the destination bucket',
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'DestinationBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'DestinationObjects',
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'DeliveryErrorLog',
        actions: ['logs:PutLogEvents'],
        // The group's ARN ends in :* and so covers its streams; the stream itself is made by the stack.
        resources: [this.errorLogGroup.logGroupArn],
      }),
    ];
    if (props.encryptionKey) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DestinationKeyThroughS3',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.encryptionKey.keyArn],
          // With an S3 Bucket Key the encryption context is the bucket's ARN, so no context condition.
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    return role;
  }
}

function compressionOf(setting: CompressionSetting): firehose.Compression {
  switch (setting) {
    case 'GZIP':
      return firehose.Compression.GZIP;
    case 'SNAPPY':
      return firehose.Compression.SNAPPY;
    case 'HADOOP_SNAPPY':
      return firehose.Compression.HADOOP_SNAPPY;
    case 'ZIP':
      return firehose.Compression.ZIP;
    case 'NONE':
      return firehose.Compression.UNCOMPRESSED;
  }
}
