import type { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, CDK_BUCKET_GRANT_ACTION_FINDINGS, nagResource } from './nag';
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

  constructor(scope: Construct, id: string, props: LoaderDeliveryStreamProps) {
    super(scope, id);

    // Our own log group: the one the L2 would create has no retention.
    this.errorLogGroup = new logs.LogGroup(this, 'DeliveryErrors', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    const destination = new firehose.S3Bucket(props.destinationBucket, {
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

    acknowledge(
      this.deliveryStream,
      'AwsSolutions-IAM5',
      "The Firehose L2 grants its S3 destination role bucket.grantReadWrite on the destination bucket only (Firehose needs PutObject, GetObject, ListBucket, GetBucketLocation, AbortMultipartUpload, ListBucketMultipartUploads there); the wildcards are CDK's action groups and the bucket's objects.",
      [...CDK_BUCKET_GRANT_ACTION_FINDINGS, nagResource(this, props.destinationBucket.arnForObjects('*'))],
    );
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
