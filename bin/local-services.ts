import path from 'node:path';
import { startLocalServices } from '@firehose-loader/local-services';
import { Command } from 'commander';
import { FIREHOSE_LIMITS } from '../local/runner/service-limits';
import {
  addLocalServiceOptions,
  describeSettings,
  type LocalServiceOptionValues,
  localServiceSettings,
} from './commands/local-service-options';
import { wholeNumber } from './commands/options';

/**
 * Runs local S3, Firehose and CloudWatch for people: `tsx bin/local-services.ts [--port N] [--data-dir DIR]`
 * and the same fault and quota options as `firehose-loader run` (flags or LOCAL_* environment variables).
 * Stops cleanly on Ctrl-C (SIGINT) or SIGTERM, delivering every buffered Firehose record first.
 */

// A fixed default port keeps the printed AWS_ENDPOINT_URL stable between runs; --port 0 picks a free one.
const DEFAULT_PORT = 4566;
const DEFAULT_DATA_DIR = '.local/services';

interface MainOptions extends LocalServiceOptionValues {
  port: number;
  dataDir: string;
  region: string;
  seed?: number;
}

async function main(): Promise<void> {
  const program = new Command('local-services')
    .description('local S3, Firehose and CloudWatch on 127.0.0.1, for the AWS SDKs and CLI')
    .option('--port <n>', 'port (0 picks a free one)', wholeNumber('--port', 0, 65_535), DEFAULT_PORT)
    .option('--data-dir <dir>', 'where objects and streams are kept', DEFAULT_DATA_DIR)
    .option('--region <region>', 'the region the services answer for', 'us-east-1')
    .option('--seed <n>', 'seed for fault injection', wholeNumber('--seed'));
  addLocalServiceOptions(program);
  const values = program.parse().opts<MainOptions>();
  const settings = localServiceSettings(values);
  const dataDir = path.resolve(values.dataDir);
  const services = await startLocalServices({
    dataDir,
    port: values.port,
    region: values.region,
    limits: FIREHOSE_LIMITS,
    quotas: settings.quotas,
    faults: { ...settings.faults, ...(values.seed !== undefined ? { seed: values.seed } : {}) },
    metricPublishDelayMs: settings.metricPublishDelayMs,
    streamCreatingMs: settings.streamCreatingMs,
  });

  console.log(`Local S3, Firehose and CloudWatch listening on ${services.endpoint} (127.0.0.1 only)`);
  console.log(`Data directory: ${dataDir} (objects are plain files under s3/<bucket>/<key>)`);
  console.log(describeSettings(settings));
  console.log('Use these settings (AWS CLI v2.9 and boto3 need --endpoint-url / endpoint_url instead):');
  console.log(`AWS_ENDPOINT_URL=${services.endpoint}`);
  console.log(`AWS_REGION=${values.region}`);
  console.log('AWS_ACCESS_KEY_ID=local');
  console.log('AWS_SECRET_ACCESS_KEY=local');
  console.log('Press Ctrl-C to stop (buffered Firehose records are delivered first).');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: delivering buffered records and stopping...`);
    services.stop().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Stopping failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const taken = typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE';
  const message = taken
    ? `${String((error as { message?: unknown }).message)}: another program (an earlier npm run local:services?) has that port; ` +
      'stop it, or choose another port: npm run local:services -- --port 4567 (--port 0 picks a free one)'
    : error instanceof Error
      ? error.message
      : String(error);
  console.error(`local services failed to start: ${message}`);
  process.exit(1);
});
