import { isDeadLetterRecordsKey } from '../../../functions/shared/artifacts';
import { AwsCliError } from './errors';

/**
 * Pure parsing of what people paste into the AWS commands: execution ARNs, state machine ARNs,
 * s3:// URIs and run ids, and the console links printed back.
 */

export interface ExecutionArnParts {
  partition: string;
  region: string;
  account: string;
  stateMachineName: string;
  /** The execution name, which the state machine uses as the run id (`$$.Execution.Name`). */
  executionName: string;
}

// arn:<partition>:states:<region>:<account>:execution:<stateMachine>:<name>
const EXECUTION_ARN = /^arn:([\w-]+):states:([\w-]+):(\d{12}):execution:([^:]+):([^:]+)$/;
const STATE_MACHINE_ARN = /^arn:([\w-]+):states:([\w-]+):(\d{12}):stateMachine:([^:]+)$/;

export function parseExecutionArn(arn: string): ExecutionArnParts | undefined {
  const match = EXECUTION_ARN.exec(arn.trim());
  if (!match) return undefined;
  const [, partition = '', region = '', account = '', stateMachineName = '', executionName = ''] = match;
  return { partition, region, account, stateMachineName, executionName };
}

/** The execution ARN or a one-line error that shows what one looks like. */
export function requireExecutionArn(arn: string): ExecutionArnParts {
  const parts = parseExecutionArn(arn);
  if (!parts)
    throw new AwsCliError(
      `"${arn}" is not an execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)`,
    );
  return parts;
}

export function regionOfStateMachineArn(arn: string): string | undefined {
  return STATE_MACHINE_ARN.exec(arn.trim())?.[2];
}

export function isStateMachineArn(arn: string): boolean {
  return STATE_MACHINE_ARN.test(arn.trim());
}

/** The execution's page in the Step Functions console (graph, events, Map Run links). */
export function executionConsoleUrl(executionArn: string): string {
  const region = parseExecutionArn(executionArn)?.region ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri.trim());
  if (!match) return undefined;
  return { bucket: match[1] ?? '', key: match[2] ?? '' };
}

export const s3Uri = (location: S3Location): string => `s3://${location.bucket}/${location.key}`;

/** Run ids are execution names: letters, digits, `-` and `_`, at most 80 characters. */
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Where a run's dead-lettered records are, from an s3:// URI of the records file, an execution ARN or a
 * bare run id (which needs the artifact bucket). Plan accepts a source outside the source bucket only
 * at exactly this key, so anything else is refused here with the key it expects.
 */
export function deadLetterLocation(reference: string, artifactBucket: string | undefined): S3Location {
  const trimmed = reference.trim();
  if (trimmed.startsWith('s3://')) {
    const location = parseS3Uri(trimmed);
    if (!location || !isDeadLetterRecordsKey(location.key))
      throw new AwsCliError(
        `"${trimmed}" is not a dead-letter records file: expected s3://<artifact bucket>/runs/<runId>/dead-letter/records.jsonl`,
      );
    return location;
  }
  const runId = parseExecutionArn(trimmed)?.executionName ?? trimmed;
  if (!RUN_ID.test(runId))
    throw new AwsCliError(`"${trimmed}" is neither an s3:// URI, an execution ARN nor a run id`);
  if (!artifactBucket)
    throw new AwsCliError(
      `a run id needs the artifact bucket: pass --artifact-bucket or set FIREHOSE_LOADER_ARTIFACT_BUCKET (or give the s3:// URI of the dead-letter file)`,
    );
  return { bucket: artifactBucket, key: `runs/${runId}/dead-letter/records.jsonl` };
}

/** A new execution name in the local runner's shape, so AWS and local run ids read alike. */
export function newExecutionName(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `run-${stamp}-${random().toString(36).slice(2, 6).padEnd(4, '0')}`;
}

/** `inputs/<timestamp>-<basename>`: sortable by upload time, and two uploads of one file never collide. */
export function uploadKey(now: Date, basename: string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `inputs/${stamp}-${basename.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}
