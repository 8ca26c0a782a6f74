import { resolve } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { createFirehoseClient, DEFAULT_RETRY_POLICY, putRecord } from '../../functions/shared/firehose';
import { createLogger } from '../../functions/shared/logger';
import { ensureLocalResources, LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import { rerunFailed } from '../../local/runner/rerun-failed';
import { startLocalServices } from '../../local/services';
import { readDataLock } from '../../local/services/data-lock';
import { exitCode, report } from './run';

/** `rerun-failed RUN_ID`: redrive a local run's undelivered records and update its summary. */
export async function rerunFailedCommand(runId: string, options: { dataDir: string; json?: boolean }) {
  const { rerun, updated } = await rerunFailed(runId, {
    dataDir: options.dataDir,
    progress: { interactive: Boolean(process.stderr.isTTY) },
  });
  if (!rerun) process.stderr.write(`run ${runId} has no dead-lettered records: nothing to rerun\n`);
  report(updated, Boolean(options.json));
  return exitCode(updated);
}

/**
 * `put-record DATA`: one PutRecord with retries. Against AWS with --aws (the usual credential chain and
 * --stream), against a running `npm run local:services` with --endpoint or the services that own
 * --data-dir's services folder, else against local services started for this one call.
 */
export async function putRecordCommand(
  data: string,
  options: { stream: string; aws?: boolean; endpoint?: string; dataDir: string },
) {
  const logger = createLogger('firehose-loader-cli');
  const payload = Buffer.from(data.endsWith('\n') ? data : `${data}\n`);
  if (options.aws) {
    const response = await putRecord(createFirehoseClient(), options.stream, payload, DEFAULT_RETRY_POLICY, {
      logger,
    });
    process.stdout.write(`${JSON.stringify(response)}\n`);
    return 0;
  }
  const dataDir = resolve(options.dataDir, 'services');
  // Services that already own the folder (a run, or local:services) are used rather than refused.
  const owner = options.endpoint ? undefined : (await readDataLock(dataDir))?.endpoint;
  const services = options.endpoint || owner ? undefined : await startLocalServices({ dataDir });
  const endpoint = options.endpoint ?? owner ?? services?.endpoint ?? '';
  const local = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  try {
    await ensureLocalResources(new S3Client({ ...local, forcePathStyle: true }), new FirehoseClient(local), {
      ...LOCAL_RESOURCE_NAMES,
      streamName: options.stream,
    });
    const response = await putRecord(
      createFirehoseClient(local),
      options.stream,
      payload,
      DEFAULT_RETRY_POLICY,
      {
        logger,
      },
    );
    process.stdout.write(`${JSON.stringify(response)}\n`);
    return 0;
  } finally {
    await services?.stop();
  }
}
