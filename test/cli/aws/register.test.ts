import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { registerAwsCommands } from '../../../bin/commands/aws';
import { ARTIFACT_BUCKET, EXECUTION_ARN, RUN_ID, STATE_MACHINE_ARN } from './fixtures';

const sfn = mockClient(SFNClient);

function program(): Command {
  const root = new Command('firehose-loader').exitOverride();
  registerAwsCommands(root);
  return root;
}

describe('registerAwsCommands', () => {
  let written: string[];
  beforeEach(() => {
    sfn.reset();
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((text) => written.push(String(text)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation((text) => written.push(String(text)) > 0);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('adds start, status, redrive and rerun (graph --execution joins the one graph command), naming each environment variable in the help', () => {
    const root = program();
    expect(root.commands.map((c) => c.name())).toEqual(['start', 'status', 'redrive', 'rerun']);
    const help = root.commands.find((c) => c.name() === 'start')?.helpInformation() ?? '';
    expect(help).toContain('FIREHOSE_LOADER_STATE_MACHINE_ARN');
    expect(help).toContain('FIREHOSE_LOADER_SOURCE_BUCKET');
  });

  it('passes the parsed options through to the command', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    await program().parseAsync(
      [
        'rerun',
        '--dead-letter',
        RUN_ID,
        '--state-machine-arn',
        STATE_MACHINE_ARN,
        '--artifact-bucket',
        ARTIFACT_BUCKET,
      ],
      { from: 'user' },
    );
    expect(process.exitCode).toBe(0);
    expect(
      JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}').source,
    ).toEqual({
      bucket: ARTIFACT_BUCKET,
      key: `runs/${RUN_ID}/dead-letter/records.jsonl`,
    });
    expect(written.join('')).toContain(`started ${EXECUTION_ARN}`);
  });

  it('refuses a --interval that is not a whole number of seconds', async () => {
    await expect(program().parseAsync(['start', '--interval', 'soon'], { from: 'user' })).rejects.toThrow(
      /--interval must be a whole number/,
    );
  });
});
