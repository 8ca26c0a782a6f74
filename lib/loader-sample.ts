import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledge, CDK_BUCKET_GRANT_ACTION_FINDINGS, nagResource } from './nag';

/** Writes `records` sample records to `filePath`; must write the same bytes every time (stable asset hash). */
export type SampleWriter = (filePath: string, records: number) => void;

export interface LoaderSampleProps {
  /** The source bucket. */
  readonly bucket: IBucket;
  /** Key of the sample, e.g. `samples/sample_records.json`: Plan's default source. */
  readonly key: string;
  /** Number of records to generate. */
  readonly records: number;
  /** Retention of the deployment handler's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the deployment handler's log group. */
  readonly removalPolicy: RemovalPolicy;
  /** @default writeMockData of functions/shared/mock-data */
  readonly writer?: SampleWriter;
}

/**
 * Generates the sample at synth time into a temp folder and deploys it to the source bucket with a
 * BucketDeployment (a CDK-provided custom resource, no Docker), so an execution input `{}` works.
 */
export class LoaderSample extends Construct {
  public readonly key: string;
  public readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: LoaderSampleProps) {
    super(scope, id);
    this.key = props.key;
    const folder = mkdtempSync(join(tmpdir(), 'firehose-loader-sample-'));
    const writer = props.writer ?? writeSample;
    writer(join(folder, basename(props.key)), props.records);

    const prefix = dirname(props.key);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(folder)],
      destinationBucket: props.bucket,
      ...(prefix === '.' ? {} : { destinationKeyPrefix: `${prefix}/` }),
      // Only the sample's prefix is managed; other files in the bucket are never deleted.
      prune: false,
      contentType: 'application/json',
      outputObjectKeys: false,
      logGroup: new logs.LogGroup(this, 'DeploymentLogs', {
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      }),
    });

    // The handler is a stack-wide singleton Lambda; its role is a child of it, so one scope covers both.
    const handler = this.deployment.handlerRole.node.scope;
    if (!handler) throw new Error('BucketDeployment handler role has no scope');
    const reason =
      'CDK-provided BucketDeployment handler (a CDK asset, no Docker): CDK defines its runtime, its AWSLambdaBasicExecutionRole and its grants, read on the CDK asset bucket and read/write on the source bucket to copy the sample.';
    acknowledge(handler, 'AwsSolutions-L1', reason);
    acknowledge(handler, 'AwsSolutions-IAM4', reason, [
      'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    ]);
    acknowledge(handler, 'AwsSolutions-IAM5', reason, [
      ...CDK_BUCKET_GRANT_ACTION_FINDINGS,
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      nagResource(this, props.bucket.arnForObjects('*')),
    ]);
  }
}

// TODO(mock-data): replaced by writeMockData once functions/shared/mock-data lands.
function writeSample(filePath: string, records: number): void {
  const rows = Array.from({ length: records }, (_, i) => JSON.stringify({ id: i + 1 }));
  writeFileSync(filePath, `[\n${rows.join(',\n')}\n]\n`);
}
