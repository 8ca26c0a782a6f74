import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalServices } from './index';

/**
 * Runs local S3, Firehose and CloudWatch for people: `tsx local/services/main.ts [--port N] [--data-dir DIR]`.
 * Stops cleanly on Ctrl-C (SIGINT) or SIGTERM, delivering every buffered Firehose record first.
 */

// A fixed default port keeps the printed AWS_ENDPOINT_URL stable between runs; --port 0 picks a free one.
const DEFAULT_PORT = 4566;
const DEFAULT_DATA_DIR = '.local/services';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      region: { type: 'string', default: 'us-east-1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: tsx local/services/main.ts [--port N] [--data-dir DIR] [--region REGION]');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  const dataDir = path.resolve(values['data-dir']);
  const services = await startLocalServices({ dataDir, port, region: values.region });

  console.log(`Local S3, Firehose and CloudWatch listening on ${services.endpoint} (127.0.0.1 only)`);
  console.log(`Data directory: ${dataDir} (objects are plain files under s3/<bucket>/<key>)`);
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
  const message = error instanceof Error ? error.message : String(error);
  console.error(`local services failed to start: ${message}`);
  process.exit(1);
});
