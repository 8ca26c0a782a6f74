import { join, relative, resolve, sep } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { type LocalServices, readDataLock, startLocalServices } from '@firehose-loader/local-services';
import { createFirehoseClient, DEFAULT_RETRY_POLICY, putRecord } from '../../functions/shared/firehose';
import type { LoggerLike } from '../../functions/shared/logger';
import { ensureLocalResources, LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import { rerunFailed } from '../../local/runner/rerun-failed';
import { FIREHOSE_LIMITS } from '../../local/runner/service-limits';
import { hourPrefix, objectFiles, stderrLogger } from './put-record-cli';
import { exitCode, report } from './run';

/** `rerun-failed RUN_ID`: redrive a local run's undelivered records and update its summary. */
export async function rerunFailedCommand(
  runId: string,
  options: { dataDir: string; json?: boolean; rerunId?: string },
) {
  const { rerun, updated } = await rerunFailed(runId, {
    dataDir: options.dataDir,
    ...(options.rerunId ? { runId: options.rerunId } : {}),
    progress: { interactive: Boolean(process.stderr.isTTY) },
  });
  if (!rerun) process.stderr.write(`run ${runId} has no dead-lettered records: nothing to rerun\n`);
  report(updated, Boolean(options.json));
  return exitCode(updated);
}

/** put-record --aws: the usual credential chain and region. */
async function putRecordOnAws(stream: string, payload: Buffer, prefix: string, logger: LoggerLike) {
  const response = await putRecord(createFirehoseClient(), stream, payload, DEFAULT_RETRY_POLICY, { logger });
  process.stdout.write(`${JSON.stringify(response)}\n`);
  process.stderr.write(
    `Firehose delivers it to the S3 destination of stream "${stream}" after the stream's buffering ` +
      `interval, under ${prefix} (the UTC hour) unless the stream has a prefix of its own\n`,
  );
  return 0;
}

/**
 * `put-record DATA`: one PutRecord with retries. Against AWS with --aws (the usual credential chain and
 * --stream), against a running `npm run local:services` with --endpoint or the services that own
 * --data-dir's services folder, else against local services started for this one call. Stdout holds
 * only the response; where the record lands goes to stderr.
 */
export async function putRecordCommand(
  data: string,
  options: { stream: string; aws?: boolean; endpoint?: string; dataDir: string },
) {
  const logger = stderrLogger();
  const payload = Buffer.from(data.endsWith('\n') ? data : `${data}\n`);
  const prefix = hourPrefix(new Date());
  if (options.aws) return putRecordOnAws(options.stream, payload, prefix, logger);
  const servicesDir = resolve(options.dataDir, 'services');
  const { endpoint, services } = await servicesForPutRecord(servicesDir, options.endpoint);
  const local = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const names = { ...LOCAL_RESOURCE_NAMES, streamName: options.stream };
  const destinationDir = join(servicesDir, 's3', names.destinationBucket);
  const before = await objectFiles(destinationDir);
  try {
    await ensureLocalResources(
      new S3Client({ ...local, forcePathStyle: true }),
      new FirehoseClient(local),
      names,
    );
    const response = await putRecord(
      createFirehoseClient(local),
      options.stream,
      payload,
      DEFAULT_RETRY_POLICY,
      { logger },
    );
    process.stdout.write(`${JSON.stringify(response)}
`);
  } finally {
    await services?.stop();
  }
  const destination = { bucket: names.destinationBucket, dir: destinationDir, prefix };
  process.stderr.write(services ? await whereDelivered(destination, before) : whereItWillBe(destination));
  return 0;
}

/** The services put-record talks to: --endpoint, else the ones owning the folder, else its own. */
async function servicesForPutRecord(
  servicesDir: string,
  endpointOption: string | undefined,
): Promise<{ endpoint: string; services?: LocalServices }> {
  if (endpointOption) return { endpoint: endpointOption };
  // Services that already own the folder (a run, or local:services) are used rather than refused.
  const owner = (await readDataLock(servicesDir))?.endpoint;
  if (owner) return { endpoint: owner };
  const services = await startLocalServices({ dataDir: servicesDir, limits: FIREHOSE_LIMITS });
  return { endpoint: services.endpoint, services };
}

interface Destination {
  bucket: string;
  dir: string;
  prefix: string;
}

/** Services this call started and stopped: stopping delivered the stream's buffer, so the new object holds the record. */
async function whereDelivered(destination: Destination, before: ReadonlySet<string>): Promise<string> {
  const added = [...(await objectFiles(destination.dir))].filter((file) => !before.has(file));
  const where = added.map(
    (file) => `s3://${destination.bucket}/${relative(destination.dir, file).split(sep).join('/')} (${file})`,
  );
  return where.length
    ? `the record is in ${where.join(', ')}\n`
    : `delivered to s3://${destination.bucket}/${destination.prefix} in ${destination.dir}\n`;
}

/** Services still running: the record waits in the stream's buffer. */
function whereItWillBe(destination: Destination): string {
  return (
    `the running local services deliver it to s3://${destination.bucket}/${destination.prefix} when the stream's ` +
    'buffer flushes (5 MiB or 60 s, or when they stop): under s3/ in their --data-dir\n'
  );
}
