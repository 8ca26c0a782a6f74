import { firehoseClient, s3Client } from '../shared/aws-clients';
import { createLogger } from '../shared/logger';
import type { PutBatchInput } from '../shared/run-state';
import { withTransientErrorsNamed } from '../shared/transient';
import { loadPutBatchConfig } from './config';
import { putChunk } from './put-chunk';

const logger = createLogger('firehose-loader-put-batch');

/** One Distributed Map item: one chunk, one PutRecordBatch (or PutRecord per record). Returns a small summary. */
export async function handler(event: PutBatchInput) {
  const config = loadPutBatchConfig();
  const outcome = await withTransientErrorsNamed(() =>
    putChunk(event, {
      s3: s3Client(),
      firehose: firehoseClient(),
      streamName: config.streamName,
      artifactBucket: config.artifactBucket,
      retry: config.retry,
      quota: config.quota,
      logger: logger.createChild({ persistentKeys: { runId: event.runId, chunkId: event.chunk.chunkId } }),
    }),
  );
  return { chunkId: outcome.chunkId, delivered: outcome.delivered, requeued: outcome.requeued };
}
