import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { DEFAULT_MOCK_SEED, MockFormat, writeMockData } from '../functions/shared/mock-data';
import { acknowledge, CDK_BUCKET_GRANT_ACTION_FINDINGS, nagResource } from './nag';

export interface LoaderSampleProps {
  /** The source bucket. */
  readonly bucket: IBucket;
  /** Key of the sample, e.g. `samples/sample_records.json`: Plan's default source. */
  readonly key: string;
  /** A folder holding the sample as `basename(key)`, written by writeSampleFolder before the stack is built. */
  readonly folder: string;
  /** Retention of the deployment handler's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the deployment handler's log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Writes the sample with the project's generator (seeded, so every synth writes the same bytes and
 * the asset hash only changes when the generator does) into a new temp folder, and returns the folder.
 * Asynchronous because writeMockData streams; the app awaits it before it builds the stack.
 */
export async function writeSampleFolder(key: string, records: number): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'firehose-loader-sample-'));
  const format = extname(key) === '.jsonl' ? MockFormat.jsonl : MockFormat.json;
  await writeMockData(join(folder, basename(key)), { count: records, seed: DEFAULT_MOCK_SEED, format });
  return folder;
}

/**
 * Deploys the sample generated at synth time (writeSampleFolder) to the source bucket with a
 * BucketDeployment (a CDK-provided custom resource, no Docker), so an execution input `{}` works.
 */
export class LoaderSample extends Construct {
  public readonly key: string;
  public readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: LoaderSampleProps) {
    super(scope, id);
    this.key = props.key;
    if (!existsSync(join(props.folder, basename(props.key)))) {
      throw new Error(
        `sample ${basename(props.key)} not found in ${props.folder}: call writeSampleFolder first`,
      );
    }

    const prefix = dirname(props.key);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(props.folder)],
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
