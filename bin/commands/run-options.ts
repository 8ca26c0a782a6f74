import { type Command, Option } from 'commander';
import { INPUT_FORMATS, PLAN_FALLBACKS, RUN_SETTING_RANGES } from '../../functions/plan/config';
import { DuplicateChildren } from '../../local/runner/duplicate-children';
import { addLocalServiceOptions } from './local-service-options';
import { oneOf, wholeNumber, wholeRange } from './options';
import { RUN_DEFAULTS } from './run';

/**
 * The options of `run`, defined once: the CLI registers them, and the console parses its start form
 * with them, so a form field gets the very error line the CLI prints for the same value.
 */
// The ranges of the run settings Plan checks in the execution input: the options keep to the same.
const { maxConcurrency: concurrency, requeueRounds: rounds } = RUN_SETTING_RANGES;

export function defineRunOptions(command: Command): Command {
  command
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
  return (
    addLocalServiceOptions(command)
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
      // The console names the run before it starts, to show its page at once.
      .addOption(new Option('--run-id <id>', 'the run id (default: from the time)').hideHelp())
  );
}
