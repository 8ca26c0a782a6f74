import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RUNS_PREFIX } from '../functions/shared/artifacts';

/** Where the Distributed Map's ResultWriter puts its manifest and result files (the ASL's `Prefix`). */
export const MAP_RESULTS_PREFIX = 'map-results/';

export interface LoaderBucketsProps {
  /**
   * Customer managed key for all three buckets. Without it the buckets use SSE-S3, which needs no
   * key grants and costs nothing per request.
   * @default SSE-S3
   */
  readonly encryptionKey?: IKey;
  /** How long run artefacts (`runs/`, `map-results/`) stay in the artifact bucket. */
  readonly artifactRetention: Duration;
  /**
   * RETAIN keeps the buckets (and their data) when the stack is deleted; DESTROY also empties them
   * through the autoDeleteObjects custom resource, for dev stacks.
   */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Log S3 server access of the three buckets to a fourth bucket.
   * @default false: the buckets are written only by this stack's roles and CloudTrail data events are the better audit
   */
  readonly serverAccessLogs?: boolean;
}

/**
 * The three buckets of the loader: the source files (and the generated sample), the run artefacts
 * (manifests, outcomes, re-queue and dead-letter files, Distributed Map results) and the Firehose
 * destination. All block public access, refuse plain HTTP and are encrypted.
 */
export class LoaderBuckets extends Construct {
  /** Files to load; Plan, PutBatch and AdvanceRound read it. */
  public readonly source: s3.Bucket;
  /** Run artefacts under `runs/<runId>/` and the Distributed Map's `map-results/`. */
  public readonly artifacts: s3.Bucket;
  /** Where the delivery stream writes the records. */
  public readonly destination: s3.Bucket;
  /** Server access logs of the three buckets, when enabled. */
  public readonly accessLogs?: s3.Bucket;

  constructor(scope: Construct, id: string, props: LoaderBucketsProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;

    if (props.serverAccessLogs) {
      this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
        ...this.common(destroy, props.removalPolicy),
        // The S3 log delivery service writes here and supports only SSE-S3 for its target bucket.
        encryption: s3.BucketEncryption.S3_MANAGED,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      });
      Validations.of(this.accessLogs).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'This is the access log bucket; logging it to itself would loop.',
      });
    }

    const bucket = (name: string, logPrefix: string, extra: Partial<s3.BucketProps> = {}): s3.Bucket => {
      const created = new s3.Bucket(this, name, {
        ...this.common(destroy, props.removalPolicy),
        ...encryptionOf(props.encryptionKey),
        ...(this.accessLogs
          ? { serverAccessLogsBucket: this.accessLogs, serverAccessLogsPrefix: logPrefix }
          : {}),
        ...extra,
      });
      if (!this.accessLogs) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-S1',
          reason:
            "Server access logs are a setting (firehose-loader:serverAccessLogs), off by default: only this stack's roles write these buckets.",
        });
      }
      return created;
    };

    this.source = bucket('Source', 'source/');
    this.artifacts = bucket('Artifacts', 'artifacts/', {
      lifecycleRules: [
        { id: 'expire-run-artefacts', prefix: RUNS_PREFIX, expiration: props.artifactRetention },
        { id: 'expire-map-results', prefix: MAP_RESULTS_PREFIX, expiration: props.artifactRetention },
        // The ResultWriter writes with multipart uploads; a failed run must not leave parts billed forever.
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    this.destination = bucket('Destination', 'destination/');
  }

  private common(destroy: boolean, removalPolicy: RemovalPolicy): s3.BucketProps {
    return {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Adds a bucket policy denying any request with aws:SecureTransport false.
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy,
      autoDeleteObjects: destroy,
    };
  }

  /** The buckets the loader's data flows through (not the access log bucket). */
  public get all(): s3.Bucket[] {
    return [this.source, this.artifacts, this.destination];
  }
}

function encryptionOf(key: IKey | undefined): Partial<s3.BucketProps> {
  if (!key) return { encryption: s3.BucketEncryption.S3_MANAGED };
  // A bucket key cuts the KMS requests (and their cost) of thousands of small artefact objects.
  return { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true };
}
