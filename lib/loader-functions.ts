import { join } from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PUT_BATCH_TIMEOUT_HEADROOM_MS } from '../functions/put-batch/config';
import type { InputFormat } from '../functions/shared/chunk';
import type { RetryPolicy } from '../functions/shared/firehose/retry-policy';
import {
  advanceRoundSpec,
  allow,
  checkMetricsSpec,
  type FunctionSpec,
  type ObjectArns,
  objectArnsOf,
  planSpec,
  putBatchSpec,
} from './function-specs';
import { acknowledge, nagResource } from './nag';
import type { FunctionLogLevel } from './settings';

/** The repository root: NodejsFunction bundles from here with the root package-lock.json. */
export const PROJECT_ROOT = join(__dirname, '..');

/** The four handlers, by the name the state machine knows them. */
export const FUNCTION_ENTRIES = {
  plan: join(PROJECT_ROOT, 'functions', 'plan', 'handler.ts'),
  putBatch: join(PROJECT_ROOT, 'functions', 'put-batch', 'handler.ts'),
  advanceRound: join(PROJECT_ROOT, 'functions', 'advance-round', 'handler.ts'),
  checkMetrics: join(PROJECT_ROOT, 'functions', 'check-metrics', 'handler.ts'),
} as const;

/**
 * The deployment's choice of what an execution input `{}` means; a field left out here takes Plan's
 * PLAN_FALLBACKS (function-specs.ts merges them into the complete ExecutionDefaults of functions/plan/config.ts).
 */
export interface ExecutionDefaultsProps {
  /** Key in the source bucket (the generated sample). */
  readonly sourceKey: string;
  /** @default auto: Plan detects JSON array, JSON Lines or lines from the content */
  readonly format?: InputFormat;
  /** Records put one by one with PutRecord instead of batched. @default 0 */
  readonly individualRecords?: number;
  /** Pack many small records into one Firehose record (5 KB billing increments). @default false */
  readonly pack?: boolean;
  /** Distributed Map MaxConcurrency. */
  readonly maxConcurrency: number;
  /** Re-queue rounds after the first. */
  readonly requeueRounds: number;
}

export interface LoaderFunctionsProps {
  readonly sourceBucket: IBucket;
  readonly artifactBucket: IBucket;
  readonly deliveryStream: IDeliveryStream;
  /** The buckets' customer managed key, if they use one: the functions then need to use it. */
  readonly encryptionKey?: IKey;
  readonly planDefaults: ExecutionDefaultsProps;
  /**
   * Per-chunk limits; may be lower than the PutRecordBatch limits, never higher.
   * @default the Firehose limits (500 records, 4 MiB)
   */
  readonly batchLimits?: { readonly maxRecords: number; readonly maxBytes: number };
  /** @default DEFAULT_RETRY_POLICY of functions/shared/firehose/retry-policy.ts */
  readonly retryPolicy?: RetryPolicy;
  /** Namespace of the custom metrics (DeliveredRecords, RequeuedRecords, DeadLetteredRecords, FailedPutCount). */
  readonly metricsNamespace: string;
  /** The stream's quota for PutBatch's pacing; 0 or unset fields do not pace. */
  readonly streamQuota?: {
    readonly recordsPerSecond: number;
    readonly bytesPerSecond: number;
    readonly requestsPerSecond: number;
  };
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the functions' log groups. */
  readonly removalPolicy: RemovalPolicy;
}

// Beyond the retry budget, a PutBatch invocation reads its range from S3 and writes its outcome.
// Beyond the retry budget: one Firehose call started at its end (REQUEST_TIMEOUT_MS, 10 s) plus the
// S3 reads and writes. Budget + headroom stays below the PutBatch state's TimeoutSeconds (45 s), so
// Lambda's own timeout fires first. PutBatch derives its claim takeover limit from the same numbers.
export const PUT_BATCH_TIMEOUT_HEADROOM = Duration.millis(PUT_BATCH_TIMEOUT_HEADROOM_MS);

/**
 * The four Lambda functions of the state machine, each with its own role holding exactly what its
 * handler calls, its own log group with retention, X-Ray active tracing and source maps.
 */
export class LoaderFunctions extends Construct {
  /** Validates the input, streams the source once, writes the chunk manifest. */
  public readonly plan: NodejsFunction;
  /** Puts one chunk to Firehose (one Distributed Map child execution). */
  public readonly putBatch: NodejsFunction;
  /** Totals a round, builds the next round or the dead-letter file, publishes the custom metrics. */
  public readonly advanceRound: NodejsFunction;
  /** Compares AWS/Firehose metrics with what was accepted. */
  public readonly checkMetrics: NodejsFunction;

  constructor(scope: Construct, id: string, props: LoaderFunctionsProps) {
    super(scope, id);
    const objects = objectArnsOf(props);
    const create = (name: string, entry: string, spec: FunctionSpec) =>
      this.createFunction(name, entry, props, spec);
    this.plan = create('Plan', FUNCTION_ENTRIES.plan, planSpec(props, objects));
    this.putBatch = create('PutBatch', FUNCTION_ENTRIES.putBatch, putBatchSpec(props, objects));
    this.advanceRound = create(
      'AdvanceRound',
      FUNCTION_ENTRIES.advanceRound,
      advanceRoundSpec(props, objects),
    );
    this.checkMetrics = create('CheckMetrics', FUNCTION_ENTRIES.checkMetrics, checkMetricsSpec(props));
    if (props.encryptionKey) {
      // SSE-KMS: GetObject needs kms:Decrypt, PutObject kms:GenerateDataKey (multipart also Decrypt).
      const useKey = allow(['kms:Decrypt', 'kms:GenerateDataKey'], [props.encryptionKey.keyArn]);
      for (const fn of [this.plan, this.putBatch, this.advanceRound]) fn.addToRolePolicy(useKey);
    }
    this.acknowledgeFindings(objects);
  }

  /** The four functions, in the order the state machine first calls them. */
  public get all(): NodejsFunction[] {
    return [this.plan, this.putBatch, this.advanceRound, this.checkMetrics];
  }

  private createFunction(
    id: string,
    entry: string,
    props: LoaderFunctionsProps,
    spec: FunctionSpec,
  ): NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: log writes scoped to this function's log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: spec.description,
    });
    logGroup.grantWrite(role);
    for (const statement of spec.statements) role.addToPrincipalPolicy(statement);

    return new NodejsFunction(this, id, {
      entry,
      handler: 'handler',
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'firehose-loader',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        ...spec.environment,
      },
      bundling: {
        sourceMap: true,
        // Stack traces map to file and line without shipping the sources in the asset.
        sourcesContent: false,
        minify: true,
        target: 'node22',
        format: OutputFormat.CJS,
        // Bundle the SDK versions the handlers were tested with, not whatever version the runtime ships.
        bundleAwsSDK: true,
        logLevel: LogLevel.ERROR,
      },
    });
  }

  private acknowledgeFindings({ source, runs, mapResults }: ObjectArns): void {
    acknowledge(
      this,
      'AwsSolutions-IAM5',
      'Object ARNs need a key wildcard: run artefacts are named per run (runs/<runId>/...), Map results per Map Run (map-results/<id>/...), and the source key is chosen per execution; each is scoped to its bucket (and prefix).',
      [nagResource(this, runs), nagResource(this, mapResults), nagResource(this, source)],
    );
    acknowledge(
      this,
      'AwsSolutions-IAM5',
      'cloudwatch:PutMetricData and GetMetricData support no resource-level permissions (PutMetricData is held to one namespace by the cloudwatch:namespace condition; GetMetricData, which CheckMetrics and Plan use to read the AWS/Firehose metrics and the stream quota, has no condition keys either); so do X-Ray PutTraceSegments/PutTelemetryRecords of active tracing.',
      ['Resource::*'],
    );
    acknowledge(
      this,
      'AwsSolutions-L1',
      'nodejs22.x is the runtime the handlers, their tests and the Node 22 devDependency target; moving to a newer runtime is a deliberate upgrade of all three.',
    );
  }
}
