import {
  type CloudFormationClient,
  DescribeStacksCommand,
  paginateDescribeStacks,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { AwsCliError } from './errors';
import { type AwsTarget, TARGET_SOURCES } from './settings';

/** Names the deployed stack to read the targets from; `--stack` wins over it. */
export const STACK_ENV = 'FIREHOSE_LOADER_STACK';

type TargetKey = keyof typeof TARGET_SOURCES;
const TARGET_KEYS = Object.keys(TARGET_SOURCES) as TargetKey[];

/** A stack is a loader stack when it has the outputs the CLI reads (lib/firehose-loader-stack.ts). */
const MARKER_OUTPUTS = [TARGET_SOURCES.stateMachineArn.output, TARGET_SOURCES.artifactBucket.output];

const outputsOf = (stack: Stack) =>
  new Map((stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));

const isLoaderStack = (stack: Stack) => {
  const outputs = outputsOf(stack);
  return MARKER_OUTPUTS.every((key) => outputs.get(key));
};

/** The targets a stack's outputs give (StateMachineArn, SourceBucketName, …). */
export function targetOfStack(stack: Stack): AwsTarget {
  const outputs = outputsOf(stack);
  const target: AwsTarget = {};
  for (const key of TARGET_KEYS) {
    const value = outputs.get(TARGET_SOURCES[key].output);
    if (value) target[key] = value;
  }
  return target;
}

/**
 * Reads the targets from the CloudFormation outputs of the named stack, or of the only loader stack
 * in the region when none is named: the state machine's name derives from its stack, so it is looked
 * up rather than assumed.
 */
export async function targetFromStack(
  cfn: CloudFormationClient,
  stackName: string | undefined,
  region: string,
): Promise<AwsTarget> {
  if (stackName) {
    const stack = await describeNamed(cfn, stackName, region);
    if (!isLoaderStack(stack))
      throw new AwsCliError(
        `stack ${stackName} has no ${MARKER_OUTPUTS.join(' and ')} outputs: it is not a firehose-loader stack`,
      );
    return targetOfStack(stack);
  }
  const loaders = await loaderStacks(cfn);
  if (loaders.length === 1) return targetOfStack(loaders[0] as Stack);
  if (loaders.length === 0)
    throw new AwsCliError(
      `no firehose-loader stack in ${region}: deploy one (npx cdk deploy), check AWS_REGION, or pass --state-machine-arn`,
    );
  const names = loaders.map((stack) => stack.StackName).join(', ');
  throw new AwsCliError(
    `${loaders.length} firehose-loader stacks in ${region} (${names}): name one with --stack or ${STACK_ENV}`,
  );
}

async function describeNamed(cfn: CloudFormationClient, stackName: string, region: string): Promise<Stack> {
  try {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const [stack] = Stacks;
    if (stack) return stack;
  } catch (error) {
    // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
    if (!(error instanceof Error && /does not exist/.test(error.message))) throw error;
  }
  throw new AwsCliError(
    `no stack ${stackName} in ${region}: check --stack / ${STACK_ENV} and AWS_REGION (cdk deploy prints the stack name)`,
  );
}

async function loaderStacks(cfn: CloudFormationClient): Promise<Stack[]> {
  const found: Stack[] = [];
  for await (const page of paginateDescribeStacks({ client: cfn }, {})) {
    found.push(...(page.Stacks ?? []).filter(isLoaderStack));
  }
  return found;
}
