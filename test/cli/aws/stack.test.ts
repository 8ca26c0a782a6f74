import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { startCommand } from '../../../bin/commands/aws';
import { EXECUTION_ARN, REGION, STARTED, testDeps } from './fixtures';

const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);

const machineOf = (name: string) => `arn:aws:states:${REGION}:123456789012:stateMachine:${name}`;

/** A stack as DescribeStacks returns it, with the outputs lib/firehose-loader-stack.ts declares. */
function loaderStack(name: string): Stack {
  const outputs = {
    StateMachineArn: machineOf(name),
    ArtifactBucketName: `${name.toLowerCase()}-artifacts`,
    SourceBucketName: `${name.toLowerCase()}-source`,
    DeliveryStreamName: name,
  };
  return {
    StackName: name,
    CreationTime: STARTED,
    StackStatus: 'CREATE_COMPLETE',
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  };
}
const otherStack: Stack = {
  StackName: 'SomethingElse',
  CreationTime: STARTED,
  StackStatus: 'CREATE_COMPLETE',
  Outputs: [{ OutputKey: 'ApiUrl', OutputValue: 'https://example.com' }],
};

beforeEach(() => {
  cfn.reset();
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: STARTED });
});

const startedOn = () => sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.stateMachineArn;

describe('the AWS commands find the state machine in the stack outputs', () => {
  it('of the only firehose-loader stack in the region when none is named', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [otherStack, loaderStack('TeamA')] });
    const deps = testDeps();
    expect(await startCommand({}, deps)).toBe(0);
    expect(startedOn()).toBe(machineOf('TeamA'));
  });

  it('reads every page of stacks before deciding there is only one', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [otherStack], NextToken: 'page-2' })
      .resolvesOnce({ Stacks: [loaderStack('TeamA')] });
    expect(await startCommand({}, testDeps())).toBe(0);
    expect(cfn.commandCalls(DescribeStacksCommand)[1]?.args[0].input).toEqual({ NextToken: 'page-2' });
    expect(startedOn()).toBe(machineOf('TeamA'));
  });

  it('of the stack named with --stack, or with FIREHOSE_LOADER_STACK', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'TeamB' }).resolves({ Stacks: [loaderStack('TeamB')] });
    expect(await startCommand({ stack: 'TeamB' }, testDeps())).toBe(0);
    expect(startedOn()).toBe(machineOf('TeamB'));
    sfn.resetHistory();
    expect(await startCommand({}, testDeps({ FIREHOSE_LOADER_STACK: 'TeamB' }))).toBe(0);
    expect(startedOn()).toBe(machineOf('TeamB'));
  });

  it('asks which one in one line when the region has two', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [loaderStack('TeamA'), loaderStack('TeamB')] });
    const deps = testDeps();
    expect(await startCommand({}, deps)).toBe(1);
    expect(deps.err.join('')).toBe(
      `firehose-loader: 2 firehose-loader stacks in ${REGION} (TeamA, TeamB): name one with --stack or FIREHOSE_LOADER_STACK\n`,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('says there is none and how to deploy one when the region has none', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [otherStack] });
    const deps = testDeps();
    expect(await startCommand({}, deps)).toBe(1);
    expect(deps.err.join('')).toMatch(/^firehose-loader: no firehose-loader stack in eu-west-1: deploy one/);
  });

  it('names a stack that does not exist, and one that is not a loader stack', async () => {
    const missing = Object.assign(new Error('Stack with id Nope does not exist'), {
      name: 'ValidationError',
    });
    cfn.on(DescribeStacksCommand, { StackName: 'Nope' }).rejects(missing);
    cfn.on(DescribeStacksCommand, { StackName: 'SomethingElse' }).resolves({ Stacks: [otherStack] });
    const deps = testDeps();
    expect(await startCommand({ stack: 'Nope' }, deps)).toBe(1);
    expect(await startCommand({ stack: 'SomethingElse' }, deps)).toBe(1);
    expect(deps.err).toEqual([
      `firehose-loader: no stack Nope in ${REGION}: check --stack / FIREHOSE_LOADER_STACK and AWS_REGION (cdk deploy prints the stack name)\n`,
      'firehose-loader: stack SomethingElse has no StateMachineArn and ArtifactBucketName outputs: it is not a firehose-loader stack\n',
    ]);
  });

  it('does not ask CloudFormation when the state machine is given, and lets an option win over the stack', async () => {
    const given = { FIREHOSE_LOADER_STATE_MACHINE_ARN: machineOf('Given') };
    expect(await startCommand({}, testDeps(given))).toBe(0);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [loaderStack('TeamB')] });
    sfn.resetHistory();
    expect(
      await startCommand({ stack: 'TeamB', stateMachineArn: machineOf('Option') }, testDeps(given)),
    ).toBe(0);
    expect(startedOn()).toBe(machineOf('Option'));
  });

  it('lets a stack named with --stack win over a value left in the environment, but not one named there', async () => {
    const given = { FIREHOSE_LOADER_STATE_MACHINE_ARN: machineOf('Given') };
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [loaderStack('TeamB')] });
    expect(await startCommand({ stack: 'TeamB' }, testDeps(given))).toBe(0);
    expect(startedOn()).toBe(machineOf('TeamB'));
    sfn.resetHistory();
    expect(await startCommand({}, testDeps({ ...given, FIREHOSE_LOADER_STACK: 'TeamB' }))).toBe(0);
    expect(startedOn()).toBe(machineOf('Given'));
  });
});
