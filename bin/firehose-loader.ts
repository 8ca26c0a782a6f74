#!/usr/bin/env -S npx tsx
import { LocalServicesError } from '@firehose-loader/local-services';
import { Command, Option } from 'commander';
import { LoaderError } from '../functions/shared/errors';
import { MockFormat } from '../functions/shared/mock-data';
import { LOCAL_RESOURCE_NAMES } from '../local/runner/local-resources';
import { graphCommand as awsGraphCommand, registerAwsCommands, targetOptions } from './commands/aws';
import { consoleCommand } from './commands/console';
import { graphCommand } from './commands/graph';
import { putRecordCommand, rerunFailedCommand } from './commands/local-commands';
import { mockDataCommand } from './commands/mock-data';
import { oneOf, wholeNumber } from './commands/options';
import { RUN_DEFAULTS, resumeCommand, runCommand } from './commands/run';
import { defineRunOptions } from './commands/run-options';
import { registerRunsCommand } from './commands/runs';

const program = new Command('firehose-loader')
  .description(
    'Load a file of records from S3 into an Amazon Data Firehose delivery stream with Step Functions.',
  )
  // One line per mistake, with where to read more, instead of the whole help after it.
  .configureOutput({ outputError: (text, write) => write(`${text.trimEnd()} (see --help)\n`) });

defineRunOptions(
  program
    .command('run')
    .description('run the whole job on this machine against local S3, Firehose and CloudWatch on 127.0.0.1'),
)
  .option('--json', 'print only the run summary as one JSON document on stdout (default: a table)')
  .action(async (options) => {
    process.exitCode = await runCommand(options);
  });

program
  .command('mock-data')
  .description('write generated web-traffic records (the scenario sample) to a file')
  .requiredOption('--out <file>', 'where to write')
  .option('--count <n>', 'how many records', wholeNumber('--count', 0), RUN_DEFAULTS.records)
  .addOption(
    new Option('--format <format>', 'json (one array) or jsonl')
      .argParser(oneOf('--format', Object.values(MockFormat)))
      .default(MockFormat.json),
  )
  .option('--seed <n>', 'seed', wholeNumber('--seed'), RUN_DEFAULTS.seed)
  .action(async (options) => {
    process.exitCode = await mockDataCommand(options);
  });

program
  .command('rerun-failed')
  .description(
    'rerun only the records a local run could not deliver (its dead letters), as RedriveExecution does on AWS',
  )
  .argument('<runId>', 'the run, as printed by run (a folder under <data-dir>/runs)')
  .option('--data-dir <dir>', 'where local services and runs keep their files', RUN_DEFAULTS.dataDir)
  .option('--json', 'print only the updated run summary as JSON')
  // The console names the rerun before it starts, to show its page at once.
  .addOption(new Option('--rerun-id <id>', 'the new run id of the rerun').hideHelp())
  .action(async (runId: string, options) => {
    process.exitCode = await rerunFailedCommand(runId, options);
  });

program
  .command('resume')
  .description(
    'go on with a local run that was interrupted (Ctrl-C), stopped by an error such as a full disk, or killed: sends only what was not accepted',
  )
  .argument('<runId>', 'the run, as printed by run (a folder under <data-dir>/runs)')
  .option('--data-dir <dir>', 'the --data-dir the run was started with', RUN_DEFAULTS.dataDir)
  .option('--json', 'print only the run summary (over every part) as one JSON document on stdout')
  .action(async (runId: string, options) => {
    process.exitCode = await resumeCommand(runId, options);
  });

program
  .command('put-record')
  .description('send one record with PutRecord (with retries) and print the response')
  .argument('<data>', 'the record; a trailing newline is added if missing')
  .option('--stream <name>', 'delivery stream', LOCAL_RESOURCE_NAMES.streamName)
  .option('--endpoint <url>', 'a running local endpoint (npm run local:services)')
  .option('--aws', 'send to AWS with the usual credential chain instead of local services')
  .option('--data-dir <dir>', 'where local services keep their files', RUN_DEFAULTS.dataDir)
  .action(async (data: string, options) => {
    process.exitCode = await putRecordCommand(data, options);
  });

program
  .command('graph')
  .description('draw the state machine as SVG and Mermaid, coloured by a local run or an AWS execution')
  .option('--run <runId>', 'colour each state by this local run and show its counts')
  .option('--execution <executionArn>', 'colour each state by this AWS execution (reads its history)')
  .option(
    '--out <file>',
    'one file: .svg for SVG, .mmd for Mermaid, .md for Mermaid in Markdown (others are refused)',
  )
  .option('--data-dir <dir>', 'where local runs keep their files', RUN_DEFAULTS.dataDir)
  .action(async (options) => {
    process.exitCode = options.execution
      ? await awsGraphCommand({ execution: options.execution, out: options.out })
      : await graphCommand(options);
  });

targetOptions(
  program
    .command('console')
    .description(
      'serve a web console on 127.0.0.1 to start, watch and rerun local runs (the same data folder as run)',
    )
    .option('--port <n>', 'the port; 0 picks a free one', wholeNumber('--port', 0, 65_535), 4_040)
    .option('--data-dir <dir>', 'where local services and runs keep their files', RUN_DEFAULTS.dataDir)
    .option(
      '--aws',
      'show executions of the deployed state machine instead, read-only (the stack as for start/status)',
    ),
  ['stateMachineArn', 'artifactBucket', 'destinationBucket', 'streamName'],
).action(async (options) => {
  process.exitCode = await consoleCommand(options);
});

registerAwsCommands(program);
registerRunsCommand(program);

program
  .parseAsync()
  .finally(() => {
    // A stopped run's engine may leave timers behind (a Wait state's, a task timeout's): once the
    // command is done and its output written, they must not keep the process alive.
    setTimeout(() => process.exit(), 1000).unref();
  })
  .catch((error: unknown) => {
    // Our own errors carry a sentence that names the setting or record; anything else is a bug: show it all.
    if (error instanceof LoaderError || error instanceof LocalServicesError)
      process.stderr.write(`firehose-loader: ${error.name}: ${error.message}\n`);
    else
      process.stderr.write(
        `firehose-loader: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
    process.exitCode = 1;
  });
