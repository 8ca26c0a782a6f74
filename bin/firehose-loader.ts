#!/usr/bin/env -S npx tsx
import { LocalServicesError } from '@firehose-loader/local-services';
import { Command, Option } from 'commander';
import { INPUT_FORMATS, PLAN_FALLBACKS, RUN_SETTING_RANGES } from '../functions/plan/config';
import { LoaderError } from '../functions/shared/errors';
import { MockFormat } from '../functions/shared/mock-data';
import { DuplicateChildren } from '../local/runner/duplicate-children';
import { LOCAL_RESOURCE_NAMES } from '../local/runner/local-resources';
import { graphCommand as awsGraphCommand, registerAwsCommands } from './commands/aws';
import { graphCommand } from './commands/graph';
import { putRecordCommand, rerunFailedCommand } from './commands/local-commands';
import { addLocalServiceOptions } from './commands/local-service-options';
import { mockDataCommand } from './commands/mock-data';
import { oneOf, wholeNumber, wholeRange } from './commands/options';
import { RUN_DEFAULTS, resumeCommand, runCommand } from './commands/run';
import { registerRunsCommand } from './commands/runs';

// The ranges of the run settings Plan checks in the execution input: the options keep to the same.
const { maxConcurrency: concurrency, requeueRounds: rounds } = RUN_SETTING_RANGES;

const program = new Command('firehose-loader')
  .description(
    'Load a file of records from S3 into an Amazon Data Firehose delivery stream with Step Functions.',
  )
  // One line per mistake, with where to read more, instead of the whole help after it.
  .configureOutput({ outputError: (text, write) => write(`${text.trimEnd()} (see --help)\n`) });

const run = program
  .command('run')
  .description('run the whole job on this machine against local S3, Firehose and CloudWatch on 127.0.0.1')
  .option('--input <file>', 'the file to load (default: generate web-traffic records)')
  .option(
    '--records <n>',
    `records to generate without --input, a whole number ${wholeRange(0)}`,
    wholeNumber('--records', 0),
    RUN_DEFAULTS.records,
  )
  .option(
    '--seed <n>',
    `seed for generated data and fault injection, a whole number ${wholeRange(0)}`,
    wholeNumber('--seed'),
    RUN_DEFAULTS.seed,
  )
  .addOption(
    new Option(
      '--format <format>',
      'input format: auto (json if the file starts with [, else jsonl), json (one array), jsonl (one JSON value a line) or lines (any text, a record a line) (default: auto)',
    ).argParser(oneOf('--format', INPUT_FORMATS)),
  )
  .option(
    '--individual <n>',
    `send the first N records one by one with PutRecord, a whole number ${wholeRange(0)} (default: 100 for generated records, 0 with --input)`,
    wholeNumber('--individual'),
  )
  .option(
    '--pack',
    'pack consecutive records into Firehose records of up to 1,000 KiB (same S3 bytes, lower bill) (default: off)',
  )
  .option(
    '--concurrency <n>',
    `Distributed Map MaxConcurrency, ${wholeRange(concurrency.min, concurrency.max)} (default: ${PLAN_FALLBACKS.maxConcurrency})`,
    wholeNumber('--concurrency', concurrency.min, concurrency.max),
  )
  .option(
    '--requeue-rounds <n>',
    `re-queue rounds before dead-lettering, ${wholeRange(rounds.min, rounds.max)} (default: ${PLAN_FALLBACKS.requeueRounds})`,
    wholeNumber('--requeue-rounds', rounds.min, rounds.max),
  )
  .option('--data-dir <dir>', 'where local services and runs keep their files', RUN_DEFAULTS.dataDir);
addLocalServiceOptions(run)
  .addOption(
    new Option(
      '--duplicate-children <when>',
      'fault: start every Distributed Map child twice, concurrent or late, as AWS may (Express children run at least once) (default: off)',
    ).argParser(oneOf('--duplicate-children', Object.values(DuplicateChildren))),
  )
  .addOption(
    new Option(
      '--fast-timers',
      'Wait states and Step Functions retries take milliseconds (tests)',
    ).hideHelp(),
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
