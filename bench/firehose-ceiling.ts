import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type FirehoseQuotas,
  type LocalServicesOptions,
  startLocalServicesProcess,
} from '@firehose-loader/local-services';
import { createFirehoseClient } from '../functions/shared/firehose';
import { ensureLocalResources, LOCAL_RESOURCE_NAMES } from '../local/runner/local-resources';

export interface Ceiling {
  records: number;
  calls: number;
  failed: number;
  ms: number;
  recordsPerSecond: number;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
// A bound on the loop whatever happens: stop sending after this long.
const MAX_MS = 10 * 60_000;

/** The file's lines as Firehose records (each ending in `\n`, as the loader sends them), 500 a request. */
export async function buildRequests(file: string, perRequest = 500): Promise<Buffer[][]> {
  const requests: Buffer[][] = [];
  let current: Buffer[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line) continue;
    current.push(Buffer.from(`${line}\n`));
    if (current.length === perRequest) {
      requests.push(current);
      current = [];
    }
  }
  if (current.length) requests.push(current);
  return requests;
}

/**
 * The ceiling of the local Firehose: `concurrency` workers sending ready-made PutRecordBatch requests
 * as fast as it answers, against a services instance started with the same quotas as the job's and,
 * like runLocalJob's, in a child process of its own (the sender keeps this process to itself).
 */
export async function measureCeiling(
  dataDir: string,
  requests: Buffer[][],
  concurrency: number,
  quotas: FirehoseQuotas,
  /** More settings of the services (the durability section switches the buffer's fsync). */
  settings: Partial<LocalServicesOptions> = {},
): Promise<Ceiling> {
  const services = await startLocalServicesProcess({ ...settings, dataDir, quotas });
  try {
    const endpoint = services.endpoint;
    const region = LOCAL_RESOURCE_NAMES.region;
    const s3 = new S3Client({ endpoint, region, credentials, forcePathStyle: true });
    await ensureLocalResources(
      s3,
      new FirehoseClient({ endpoint, region, credentials }),
      LOCAL_RESOURCE_NAMES,
    );
    // The sender's own client settings (timeouts, no SDK retries), as PutBatch uses them.
    const client = createFirehoseClient({ endpoint, region, credentials });
    let next = 0;
    let records = 0;
    let failed = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < requests.length && performance.now() - started < MAX_MS) {
        const batch = requests[next++] as Buffer[];
        const response = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: LOCAL_RESOURCE_NAMES.streamName,
            Records: batch.map((data) => ({ Data: data })),
          }),
        );
        failed += response.FailedPutCount ?? 0;
        records += batch.length - (response.FailedPutCount ?? 0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const ms = performance.now() - started;
    client.destroy();
    return { records, calls: next, failed, ms, recordsPerSecond: (records / ms) * 1000 };
  } finally {
    await services.stop();
  }
}
