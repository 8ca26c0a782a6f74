import { SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { startCommand, statusCommand } from '../../../bin/commands/aws';
import { describeAwsError } from '../../../bin/commands/aws/errors';
import { EXECUTION_ARN, STATE_MACHINE_ARN, testDeps } from './fixtures';

const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe('clear one-line messages', () => {
  it('tells how to provide credentials when the SDK finds none', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(named('CredentialsProviderError', 'Could not load credentials from any providers'));
    const deps = testDeps({ FIREHOSE_LOADER_STATE_MACHINE_ARN: STATE_MACHINE_ARN });
    expect(await startCommand({}, deps)).toBe(1);
    expect(deps.err).toEqual([
      'firehose-loader: no AWS credentials: set AWS_PROFILE (after `aws sso login` or `aws configure`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n',
    ]);
  });

  it('names the state machine that does not exist and how to fix it', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    const deps = testDeps({ FIREHOSE_LOADER_STATE_MACHINE_ARN: STATE_MACHINE_ARN });
    expect(await startCommand({}, deps)).toBe(1);
    expect(deps.err.join('')).toBe(
      `firehose-loader: state machine ${STATE_MACHINE_ARN} does not exist: deploy it (npx cdk deploy) or fix --state-machine-arn / FIREHOSE_LOADER_STATE_MACHINE_ARN\n`,
    );
  });

  it("passes AWS's access-denied reason on with what the credentials need", () => {
    expect(
      describeAwsError(
        named(
          'AccessDeniedException',
          'User: arn:aws:iam::1:user/x is not authorized to perform: states:StartExecution',
        ),
      ),
    ).toBe(
      'access denied: User: arn:aws:iam::1:user/x is not authorized to perform: states:StartExecution — use credentials allowed to run and read this state machine and its buckets',
    );
    expect(describeAwsError(named('AccessDenied', 'Access Denied'))).toMatch(/^access denied: Access Denied/);
  });

  it('refuses an ARN that is not an execution or state machine ARN before calling AWS', async () => {
    const deps = testDeps({ FIREHOSE_LOADER_STATE_MACHINE_ARN: EXECUTION_ARN });
    expect(await startCommand({}, deps)).toBe(1);
    expect(await statusCommand(STATE_MACHINE_ARN, {}, deps)).toBe(1);
    expect(deps.err.join('')).toMatch(/is not a state machine ARN[\s\S]*is not an execution ARN/);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('leaves an unexpected error alone, with its stack, because it is a bug', async () => {
    sfn.on(StartExecutionCommand).rejects(new TypeError('boom'));
    const deps = testDeps({ FIREHOSE_LOADER_STATE_MACHINE_ARN: STATE_MACHINE_ARN });
    await expect(startCommand({}, deps)).rejects.toThrow('boom');
    expect(describeAwsError(new Error('something else'))).toBeUndefined();
  });
});
