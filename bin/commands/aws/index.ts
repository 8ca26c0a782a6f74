import { type Command, Option } from 'commander';
import { wholeNumber } from '../options';
import { DEFAULT_POLL_SECONDS } from './launch';
import { redriveCommand } from './redrive';
import { type RerunOptions, rerunCommand } from './rerun';
import { TARGET_SOURCES } from './settings';
import { STACK_ENV } from './stack';
import { type StartOptions, startCommand } from './start';
import { type StatusOptions, statusCommand } from './status';

export { type GraphOptions, graphCommand } from './graph';
export { redriveCommand } from './redrive';
export { type RerunOptions, rerunCommand, rerunInput } from './rerun';
export { TARGET_SOURCES } from './settings';
export { type StartOptions, startCommand } from './start';
export { type StatusOptions, statusCommand } from './status';

type TargetKey = keyof typeof TARGET_SOURCES;

/** `--stack`, `--state-machine-arn` and friends; each falls back to its environment variable, then the stack. */
export function targetOptions(command: Command, keys: TargetKey[]): Command {
  const help: Record<TargetKey, string> = {
    stateMachineArn: 'the deployed state machine',
    sourceBucket: 'where --file is uploaded',
    artifactBucket: 'the run artefacts bucket (dead letters, rejects)',
    destinationBucket: 'list the objects Firehose delivered during the run',
    streamName: 'the delivery stream, for the summary',
  };
  command.addOption(
    new Option(
      '--stack <name>',
      `the deployed stack whose outputs say where everything is (env ${STACK_ENV}; default: the only firehose-loader stack in the region)`,
    ),
  );
  for (const key of keys) {
    const { option, env } = TARGET_SOURCES[key];
    const value = `<${option.replace(/^--/, '').split('-').pop()}>`;
    command.addOption(new Option(`${option} ${value}`, `${help[key]} (env ${env})`));
  }
  return command;
}

const SUMMARY_KEYS: TargetKey[] = ['artifactBucket', 'destinationBucket', 'streamName'];

function followOptions(command: Command): Command {
  return command
    .option(
      '--follow',
      'wait for the execution to end, showing progress on stderr, then print the run summary',
    )
    .option(
      '--interval <seconds>',
      'seconds between polls with --follow',
      wholeNumber('--interval', 1, 300),
      DEFAULT_POLL_SECONDS,
    )
    .option('--json', 'print one JSON document on stdout (the run summary with --follow)');
}

/**
 * The AWS side of the CLI: start, status, redrive and rerun against the deployed stack. `graph
 * --execution` is wired into the one `graph` command in bin/firehose-loader.ts.
 */
export function registerAwsCommands(program: Command): void {
  const start = program
    .command('start')
    .description('start an execution of the deployed state machine on AWS (input {} loads the sample)')
    .option('--input <json>', 'the execution input, e.g. \'{"pack":true}\'')
    .option('--file <file>', 'upload this file to the source bucket and load it');
  followOptions(targetOptions(start, ['stateMachineArn', 'sourceBucket', ...SUMMARY_KEYS])).action(
    async (options: StartOptions) => {
      process.exitCode = await startCommand(options);
    },
  );

  const status = program
    .command('status')
    .description('show an AWS execution: status, times, summary, and why it failed')
    .argument('<executionArn>', 'the execution ARN printed by start')
    .option('--json', 'print one JSON document on stdout');
  targetOptions(status, SUMMARY_KEYS).action(async (executionArn: string, options: StatusOptions) => {
    process.exitCode = await statusCommand(executionArn, options);
  });

  program
    .command('redrive')
    .description('redrive a failed AWS execution from its failed step (RedriveExecution)')
    .argument('<executionArn>', 'the failed execution')
    .action(async (executionArn: string) => {
      process.exitCode = await redriveCommand(executionArn);
    });

  const rerun = program
    .command('rerun')
    .description("start a new AWS execution over a run's dead-lettered records")
    .requiredOption(
      '--dead-letter <ref>',
      's3://<artifact bucket>/runs/<runId>/dead-letter/records.jsonl, an execution ARN or a run id',
    );
  followOptions(targetOptions(rerun, ['stateMachineArn', ...SUMMARY_KEYS])).action(
    async (options: RerunOptions) => {
      process.exitCode = await rerunCommand(options);
    },
  );
}
