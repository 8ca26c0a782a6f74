import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as advanceRoundConfig from '../functions/advance-round/config';
import * as checkMetricsConfig from '../functions/check-metrics/config';
import * as planConfig from '../functions/plan/config';
import * as putBatchConfig from '../functions/put-batch/config';
import { RUNS_PREFIX } from '../functions/shared/artifacts';
import type { Environment } from '../functions/shared/env';
import { DEFAULT_RETRY_POLICY } from '../functions/shared/firehose/retry-policy';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from '../functions/shared/limits';
import { MAP_RESULTS_PREFIX } from './loader-buckets';
import type { LoaderFunctionsProps } from './loader-functions';

/**
 * What each of the four functions gets besides its code: its size and timeout, its environment
 * (written by the function's own config.ts, toEnvironment) and the statements of its role.
 */
export interface FunctionSpec {
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Environment;
  readonly statements: iam.PolicyStatement[];
}

/** The object ARNs the functions' statements name. */
export interface ObjectArns {
  readonly source: string;
  readonly runs: string;
  readonly mapResults: string;
}

export const objectArnsOf = ({ sourceBucket, artifactBucket }: LoaderFunctionsProps): ObjectArns => ({
  source: sourceBucket.arnForObjects('*'),
  runs: artifactBucket.arnForObjects(`${RUNS_PREFIX}*`),
  mapResults: artifactBucket.arnForObjects(`${MAP_RESULTS_PREFIX}*`),
});

export const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
  new iam.PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) });

/** Listing the artifact bucket, held to `runs/`. */
const listRuns = ({ artifactBucket }: LoaderFunctionsProps) =>
  allow(['s3:ListBucket'], [artifactBucket.bucketArn], { StringLike: { 's3:prefix': `${RUNS_PREFIX}*` } });

export function planSpec(props: LoaderFunctionsProps, objects: ObjectArns): FunctionSpec {
  const { sourceBucket, artifactBucket, deliveryStream } = props;
  const limits = props.batchLimits ?? { maxRecords: MAX_BATCH_RECORDS, maxBytes: MAX_BATCH_BYTES };
  if (limits.maxRecords > MAX_BATCH_RECORDS || limits.maxBytes > MAX_BATCH_BYTES) {
    throw new Error(
      `batch limits may not exceed the PutRecordBatch limits (${MAX_BATCH_RECORDS}, ${MAX_BATCH_BYTES})`,
    );
  }
  return {
    description:
      'firehose-loader Plan: validates the input, streams the source once, writes the chunk manifest',
    // Streams the whole source once; memory also buys CPU for the parse.
    memorySize: 1024,
    timeout: Duration.minutes(5),
    environment: planConfig.toEnvironment({
      sourceBucket: sourceBucket.bucketName,
      artifactBucket: artifactBucket.bucketName,
      defaults: { ...planConfig.PLAN_FALLBACKS, ...props.planDefaults },
      maxBatchRecords: limits.maxRecords,
      maxBatchBytes: limits.maxBytes,
      // Plan finds the stream's quota (its *PerSecondLimit metrics); a stated one overrides it.
      quota: { streamName: deliveryStream.deliveryStreamName, stated: props.streamQuota ?? {} },
    }),
    statements: [
      // Reads the stream's BytesPerSecondLimit, RecordsPerSecondLimit and PutRequestsPerSecondLimit.
      // GetMetricData supports no resource-level permissions or condition keys, so it cannot be
      // held to AWS/Firehose or to this stream.
      allow(['cloudwatch:GetMetricData'], ['*']),
      allow(['s3:GetObject'], [objects.source]),
      // Without ListBucket S3 answers 403 for a missing key; with it Plan can say "does not exist".
      allow(['s3:ListBucket'], [sourceBucket.bucketArn]),
      // A rerun of dead letters reads `runs/<runId>/dead-letter/records.jsonl` as its source; listing
      // `runs/` lets a missing one be reported as missing rather than as access denied.
      allow(['s3:GetObject'], [objects.runs]),
      listRuns(props),
      // The manifest and rejects are streamed as multipart uploads, aborted if planning fails.
      allow(['s3:PutObject', 's3:AbortMultipartUpload'], [objects.runs]),
    ],
  };
}

export function putBatchSpec(props: LoaderFunctionsProps, objects: ObjectArns): FunctionSpec {
  const { sourceBucket, artifactBucket, deliveryStream } = props;
  const retry = props.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const timeoutMs = putBatchConfig.putBatchTimeoutMs(retry.budgetMs);
  return {
    description: 'firehose-loader PutBatch: puts one chunk to Firehose, retrying only failed entries',
    // A chunk is at most 4 MiB of records plus their base64 request body.
    memorySize: 512,
    timeout: Duration.millis(timeoutMs),
    environment: putBatchConfig.toEnvironment({
      streamName: deliveryStream.deliveryStreamName,
      sourceBucket: sourceBucket.bucketName,
      artifactBucket: artifactBucket.bucketName,
      retry: { ...retry, throttleWindowMs: retry.throttleWindowMs ?? 0 },
      // Pacing to the quota Plan found is on: each chunk waits its turn in the round's schedule.
      pacing: true,
      quota: props.streamQuota ?? {},
      // A chunk's claim is taken over only past this invocation's own timeout (functions/put-batch/claim.ts).
      claimTakeoverAfterMs: putBatchConfig.defaultClaimTakeoverAfterMs(timeoutMs),
    }),
    statements: [
      allow(['firehose:PutRecord', 'firehose:PutRecordBatch'], [deliveryStream.deliveryStreamArn]),
      allow(['s3:GetObject'], [objects.source, objects.runs]),
      // The chunk's claim and outcome are conditional writes (If-None-Match, If-Match), which need
      // s3:PutObject and s3:GetObject only.
      allow(['s3:PutObject'], [objects.runs]),
      // The Map run's pace board is read every few hundred ms before any environment has written it:
      // with s3:ListBucket S3 answers that 404 NoSuchKey, without it 403 AccessDenied (S3 API reference,
      // GetObject, "Permissions"), which hid real denials. Unconditional on purpose: a grant held to an
      // s3:prefix applies to LIST requests only, and S3 would still answer the GET 403. It lists key
      // names only; reading map-results/ still needs s3:GetObject, which PutBatch does not hold.
      allow(['s3:ListBucket'], [artifactBucket.bucketArn]),
    ],
  };
}

export function advanceRoundSpec(props: LoaderFunctionsProps, objects: ObjectArns): FunctionSpec {
  return {
    description: 'firehose-loader AdvanceRound: totals a round, plans the re-queue or the dead letters',
    // Reads a round's Map result files (about 1 KB per chunk) or its outcome objects.
    memorySize: 1024,
    timeout: Duration.minutes(5),
    environment: advanceRoundConfig.toEnvironment({
      artifactBucket: props.artifactBucket.bucketName,
      streamName: props.deliveryStream.deliveryStreamName,
      metricsNamespace: props.metricsNamespace,
    }),
    statements: [
      // Lists a round's outcomes and re-queue files; nothing outside `runs/`.
      listRuns(props),
      allow(['s3:GetObject', 's3:PutObject'], [objects.runs]),
      // Manifests and dead letters are streamed as multipart uploads, aborted if writing fails.
      allow(['s3:AbortMultipartUpload'], [objects.runs]),
      // Copies the source ranges of dead chunks into the dead-letter file.
      allow(['s3:GetObject'], [objects.source]),
      // Reads the round's outcomes from the Distributed Map's ResultWriter files; read only, no list:
      // a result it cannot read is replaced by the chunks' outcome objects.
      allow(['s3:GetObject'], [objects.mapResults]),
      // PutMetricData has no resource-level permissions; the namespace condition is its only scope.
      allow(['cloudwatch:PutMetricData'], ['*'], {
        StringEquals: { 'cloudwatch:namespace': props.metricsNamespace },
      }),
    ],
  };
}

export function checkMetricsSpec(props: LoaderFunctionsProps): FunctionSpec {
  return {
    description: 'firehose-loader CheckMetrics: compares AWS/Firehose metrics with what was accepted',
    memorySize: 256,
    // One GetMetricData call; shorter than the CheckMetrics state's TimeoutSeconds so Lambda's own timeout wins.
    timeout: Duration.seconds(30),
    environment: checkMetricsConfig.toEnvironment({
      streamName: props.deliveryStream.deliveryStreamName,
      metricsNamespace: props.metricsNamespace,
    }),
    // GetMetricData supports no resource-level permissions or condition keys.
    statements: [allow(['cloudwatch:GetMetricData'], ['*'])],
  };
}
