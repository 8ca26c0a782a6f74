import { LoaderError } from '../../../functions/shared/errors';
import { describeNetworkError } from './network';

/** A sentence for the person at the terminal; the AWS commands print it alone, without a stack. */
export class AwsCliError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsCliError';
  }
}

/** What the failing call was about, so the sentence can name it. */
export interface ErrorContext {
  executionArn?: string;
  stateMachineArn?: string;
}

const CREDENTIALS_HINT =
  'set AWS_PROFILE (after `aws sso login` or `aws configure`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

const nameOf = (error: unknown) => (error instanceof Error ? error.name : '');
const named = (kind: string, arn: string | undefined) => (arn ? `${kind} ${arn}` : `the ${kind}`);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One line for the errors people cause (no credentials, a wrong ARN, a missing permission), or
 * undefined for anything else, which is a bug and keeps its stack.
 */
export function describeAwsError(error: unknown, context: ErrorContext = {}): string | undefined {
  if (error instanceof AwsCliError) return error.message;
  const network = describeNetworkError(error);
  if (network) return network;
  const name = nameOf(error);
  const message = messageOf(error);
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message))
    return `no AWS credentials: ${CREDENTIALS_HINT}`;
  if (/region is missing/i.test(message))
    return 'no AWS region: set AWS_REGION (or a region in your AWS_PROFILE), or pass a full ARN';
  switch (name) {
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return `the AWS credentials have expired: refresh them (for SSO: aws sso login) and try again`;
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
      return `AWS rejected the credentials (${name}): ${CREDENTIALS_HINT}`;
    case 'AccessDenied':
    case 'AccessDeniedException':
      return `access denied: ${message} — use credentials allowed to run and read this state machine and its buckets`;
    case 'ExecutionDoesNotExist':
      return `${named('execution', context.executionArn)} does not exist: check the ARN, and that it is from this account and region`;
    case 'StateMachineDoesNotExist':
      return `${named('state machine', context.stateMachineArn)} does not exist: deploy it (npx cdk deploy) or fix --state-machine-arn / FIREHOSE_LOADER_STATE_MACHINE_ARN`;
    case 'InvalidArn':
      return `invalid ARN: ${message}`;
    case 'ExecutionAlreadyExists':
      return `an execution with this name already exists: ${message}`;
    case 'ExecutionLimitExceeded':
      return 'too many executions are running in this account and region: wait for some to finish, then try again';
    case 'InvalidExecutionInput':
      return `Step Functions refused the execution input: ${message}`;
    case 'NoSuchBucket':
      return `the bucket does not exist: check --source-bucket / --artifact-bucket and their environment variables`;
    default:
      return undefined;
  }
}
