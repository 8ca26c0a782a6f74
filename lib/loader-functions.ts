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
import {
  defaultClaimTakeoverAfterMs,
  PUT_BATCH_TIMEOUT_HEADROOM_MS,
  putBatchTimeoutMs,
} from '../functions/put-batch/config';
import { RUNS_PREFIX } from '../functions/shared/artifacts';
import type { InputFormat } from '../functions/shared/chunk';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../functions/shared/firehose/retry-policy';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from '../functions/shared/limits';
import { MAP_RESULTS_PREFIX } from './loader-buckets';
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

/** What an execution input `{}` means: Plan fills every field it does not set from these. */
export interface PlanDefaults {
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
  readonly planDefaults: PlanDefaults;
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

interface FunctionSpec {
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly statements: iam.PolicyStatement[];
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
    const { sourceBucket, artifactBucket, deliveryStream } = props;
    const retry = props.retryPolicy ?? DEFAULT_RETRY_POLICY;
    const limits = props.batchLimits ?? { maxRecords: MAX_BATCH_RECORDS, maxBytes: MAX_BATCH_BYTES };
    if (limits.maxRecords > MAX_BATCH_RECORDS || limits.maxBytes > MAX_BATCH_BYTES) {
      throw new Error(
        `batch limits may not exceed the PutRecordBatch limits (${MAX_BATCH_RECORDS}, ${MAX_BATCH_BYTES})`,
      );
    }

    const sourceObjects = sourceBucket.arnForObjects('*');
    const runObjects = artifactBucket.arnForObjects(`${RUNS_PREFIX}*`);
    const mapResultObjects = artifactBucket.arnForObjects(`${MAP_RESULTS_PREFIX}*`);
    const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      new iam.PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) });

    this.plan = this.createFunction('Plan', props, {
      entry: FUNCTION_ENTRIES.plan,
      description:
        'firehose-loader Plan: validates the input, streams the source once, writes the chunk manifest',
      // Streams the whole source once; memory also buys CPU for the parse.
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: {
        SOURCE_BUCKET: sourceBucket.bucketName,
        ARTIFACT_BUCKET: artifactBucket.bucketName,
        DEFAULT_SOURCE_KEY: props.planDefaults.sourceKey,
        DEFAULT_FORMAT: props.planDefaults.format ?? 'auto',
        DEFAULT_INDIVIDUAL_RECORDS: String(props.planDefaults.individualRecords ?? 0),
        DEFAULT_PACK: String(props.planDefaults.pack ?? false),
        DEFAULT_MAX_CONCURRENCY: String(props.planDefaults.maxConcurrency),
        DEFAULT_REQUEUE_ROUNDS: String(props.planDefaults.requeueRounds),
        MAX_BATCH_RECORDS: String(limits.maxRecords),
        MAX_BATCH_BYTES: String(limits.maxBytes),
        // Plan finds the stream's quota (its *PerSecondLimit metrics); a stated one overrides it.
        DELIVERY_STREAM_NAME: deliveryStream.deliveryStreamName,
        ...statedQuotaEnvironment(props.streamQuota),
      },
      statements: [
        // Reads the stream's BytesPerSecondLimit, RecordsPerSecondLimit and PutRequestsPerSecondLimit.
        // GetMetricData supports no resource-level permissions or condition keys, so it cannot be
        // held to AWS/Firehose or to this stream.
        allow(['cloudwatch:GetMetricData'], ['*']),
        allow(['s3:GetObject'], [sourceObjects]),
        // Without ListBucket S3 answers 403 for a missing key; with it Plan can say "does not exist".
        allow(['s3:ListBucket'], [sourceBucket.bucketArn]),
        // A rerun of dead letters reads `runs/<runId>/dead-letter/records.jsonl` as its source; listing
        // `runs/` lets a missing one be reported as missing rather than as access denied.
        allow(['s3:GetObject'], [runObjects]),
        allow(['s3:ListBucket'], [artifactBucket.bucketArn], {
          StringLike: { 's3:prefix': `${RUNS_PREFIX}*` },
        }),
        // The manifest and rejects are streamed as multipart uploads, aborted if planning fails.
        allow(['s3:PutObject', 's3:AbortMultipartUpload'], [runObjects]),
      ],
    });

    this.putBatch = this.createFunction('PutBatch', props, {
      entry: FUNCTION_ENTRIES.putBatch,
      description: 'firehose-loader PutBatch: puts one chunk to Firehose, retrying only failed entries',
      // A chunk is at most 4 MiB of records plus their base64 request body.
      memorySize: 512,
      timeout: Duration.millis(putBatchTimeoutMs(retry.budgetMs)),
      environment: {
        DELIVERY_STREAM_NAME: deliveryStream.deliveryStreamName,
        SOURCE_BUCKET: sourceBucket.bucketName,
        ARTIFACT_BUCKET: artifactBucket.bucketName,
        RETRY_MAX_ATTEMPTS: String(retry.maxAttempts),
        RETRY_BASE_DELAY_MS: String(retry.baseDelayMs),
        RETRY_MAX_DELAY_MS: String(retry.maxDelayMs),
        RETRY_BUDGET_MS: String(retry.budgetMs),
        RETRY_THROTTLE_WINDOW_MS: String(retry.throttleWindowMs ?? 0),
        // Pacing to the quota Plan found is on: each chunk waits its turn in the round's schedule.
        PACE_TO_QUOTA: 'true',
        ...statedQuotaEnvironment(props.streamQuota),
        // A chunk's claim is taken over only past this invocation's own timeout (functions/put-batch/claim.ts).
        CLAIM_TAKEOVER_AFTER_MS: String(defaultClaimTakeoverAfterMs(putBatchTimeoutMs(retry.budgetMs))),
      },
      statements: [
        allow(['firehose:PutRecord', 'firehose:PutRecordBatch'], [deliveryStream.deliveryStreamArn]),
        allow(['s3:GetObject'], [sourceObjects, runObjects]),
        // The chunk's claim and outcome are conditional writes (If-None-Match, If-Match), which need
        // s3:PutObject and s3:GetObject only; no s3:ListBucket: a claimed key exists when it is read.
        allow(['s3:PutObject'], [runObjects]),
      ],
    });

    this.advanceRound = this.createFunction('AdvanceRound', props, {
      entry: FUNCTION_ENTRIES.advanceRound,
      description: 'firehose-loader AdvanceRound: totals a round, plans the re-queue or the dead letters',
      // Reads a round's Map result files (about 1 KB per chunk) or its outcome objects.
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: {
        ARTIFACT_BUCKET: artifactBucket.bucketName,
        DELIVERY_STREAM_NAME: deliveryStream.deliveryStreamName,
        METRICS_NAMESPACE: props.metricsNamespace,
      },
      statements: [
        // Lists a round's outcomes and re-queue files; nothing outside `runs/`.
        allow(['s3:ListBucket'], [artifactBucket.bucketArn], {
          StringLike: { 's3:prefix': `${RUNS_PREFIX}*` },
        }),
        allow(['s3:GetObject', 's3:PutObject'], [runObjects]),
        // Manifests and dead letters are streamed as multipart uploads, aborted if writing fails.
        allow(['s3:AbortMultipartUpload'], [runObjects]),
        // Copies the source ranges of dead chunks into the dead-letter file.
        allow(['s3:GetObject'], [sourceObjects]),
        // Reads the round's outcomes from the Distributed Map's ResultWriter files; read only, no list:
        // a result it cannot read is replaced by the chunks' outcome objects.
        allow(['s3:GetObject'], [mapResultObjects]),
        // PutMetricData has no resource-level permissions; the namespace condition is its only scope.
        allow(['cloudwatch:PutMetricData'], ['*'], {
          StringEquals: { 'cloudwatch:namespace': props.metricsNamespace },
        }),
      ],
    });

    this.checkMetrics = this.createFunction('CheckMetrics', props, {
      entry: FUNCTION_ENTRIES.checkMetrics,
      description: 'firehose-loader CheckMetrics: compares AWS/Firehose metrics with what was accepted',
      memorySize: 256,
      // One GetMetricData call; shorter than the CheckMetrics state's TimeoutSeconds so Lambda's own timeout wins.
      timeout: Duration.seconds(30),
      environment: {
        DELIVERY_STREAM_NAME: deliveryStream.deliveryStreamName,
        METRICS_NAMESPACE: props.metricsNamespace,
      },
      // GetMetricData supports no resource-level permissions or condition keys.
      statements: [allow(['cloudwatch:GetMetricData'], ['*'])],
    });

    if (props.encryptionKey) {
      // SSE-KMS: GetObject needs kms:Decrypt, PutObject kms:GenerateDataKey (multipart also Decrypt).
      const useKey = allow(['kms:Decrypt', 'kms:GenerateDataKey'], [props.encryptionKey.keyArn]);
      for (const fn of [this.plan, this.putBatch, this.advanceRound]) fn.addToRolePolicy(useKey);
    }
    this.acknowledgeFindings(sourceObjects, runObjects, mapResultObjects);
  }

  /** The four functions, in the order the state machine first calls them. */
  public get all(): NodejsFunction[] {
    return [this.plan, this.putBatch, this.advanceRound, this.checkMetrics];
  }

  private createFunction(id: string, props: LoaderFunctionsProps, spec: FunctionSpec): NodejsFunction {
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
      entry: spec.entry,
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

  private acknowledgeFindings(sourceObjects: string, runObjects: string, mapResultObjects: string): void {
    acknowledge(
      this,
      'AwsSolutions-IAM5',
      'Object ARNs need a key wildcard: run artefacts are named per run (runs/<runId>/...), Map results per Map Run (map-results/<id>/...), and the source key is chosen per execution; each is scoped to its bucket (and prefix).',
      [nagResource(this, runObjects), nagResource(this, mapResultObjects), nagResource(this, sourceObjects)],
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

/** STREAM_*_PER_SECOND for Plan and PutBatch; 0 (unset) leaves the quota to be found in CloudWatch. */
function statedQuotaEnvironment(quota: LoaderFunctionsProps['streamQuota']): Record<string, string> {
  return {
    STREAM_RECORDS_PER_SECOND: String(quota?.recordsPerSecond ?? 0),
    STREAM_BYTES_PER_SECOND: String(quota?.bytesPerSecond ?? 0),
    STREAM_REQUESTS_PER_SECOND: String(quota?.requestsPerSecond ?? 0),
  };
}
