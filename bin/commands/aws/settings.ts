import { AwsCliError } from './errors';

/**
 * Where the deployed stack is. Read from options first, then from environment variables holding the
 * stack's CloudFormation outputs, then from the outputs themselves (target.ts, stack.ts).
 */
export interface AwsTargetOptions {
  stateMachineArn?: string;
  sourceBucket?: string;
  artifactBucket?: string;
  destinationBucket?: string;
  streamName?: string;
}

export type AwsTarget = AwsTargetOptions;

/** Each setting's option and environment variable, named in the error when one is missing. */
export const TARGET_SOURCES: Record<keyof AwsTargetOptions, { option: string; env: string; output: string }> =
  {
    stateMachineArn: {
      option: '--state-machine-arn',
      env: 'FIREHOSE_LOADER_STATE_MACHINE_ARN',
      output: 'StateMachineArn',
    },
    sourceBucket: {
      option: '--source-bucket',
      env: 'FIREHOSE_LOADER_SOURCE_BUCKET',
      output: 'SourceBucketName',
    },
    artifactBucket: {
      option: '--artifact-bucket',
      env: 'FIREHOSE_LOADER_ARTIFACT_BUCKET',
      output: 'ArtifactBucketName',
    },
    destinationBucket: {
      option: '--destination-bucket',
      env: 'FIREHOSE_LOADER_DESTINATION_BUCKET',
      output: 'DestinationBucketName',
    },
    streamName: {
      option: '--stream-name',
      env: 'FIREHOSE_LOADER_DELIVERY_STREAM_NAME',
      output: 'DeliveryStreamName',
    },
  };

export function resolveTarget(options: AwsTargetOptions, env: NodeJS.ProcessEnv = process.env): AwsTarget {
  const target: AwsTarget = {};
  for (const key of Object.keys(TARGET_SOURCES) as (keyof AwsTargetOptions)[]) {
    const value = options[key] ?? env[TARGET_SOURCES[key].env];
    if (value?.trim()) target[key] = value.trim();
  }
  return target;
}

export function requireSetting(target: AwsTarget, key: keyof AwsTargetOptions): string {
  const value = target[key];
  if (value) return value;
  const { option, env, output } = TARGET_SOURCES[key];
  throw new AwsCliError(
    `no ${describe(key)}: pass ${option}, set ${env}, or name the stack with --stack (its output ${output})`,
  );
}

function describe(key: keyof AwsTargetOptions): string {
  return {
    stateMachineArn: 'state machine ARN',
    sourceBucket: 'source bucket',
    artifactBucket: 'artifact bucket',
    destinationBucket: 'destination bucket',
    streamName: 'delivery stream name',
  }[key];
}
