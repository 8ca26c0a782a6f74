import { firehoseClient, s3Client } from '../shared/aws-clients';
import { createLogger } from '../shared/logger';
import type { ChunkOutcome, PutBatchInput } from '../shared/run-state';
import { withTransientErrorsNamed } from '../shared/transient';
import { load } from './config';
import { putChunk } from './put-chunk';

const logger = createLogger('firehose-loader-put-batch');

/**
 * One Distributed Map item: one chunk, one PutRecordBatch (or PutRecord per record). Returns the whole
 * outcome (under 1 KB, a re-queue descriptor included) so the Map's ResultWriter carries it to
 * AdvanceRound, which then need not GET each chunk's outcome object.
 */
export async function handler(event: PutBatchInput): Promise<ChunkOutcome> {
  const config = load();
  // The Map run's pace board outlives this chunk in the container: its warnings carry the run, not the chunk.
  const runLogger = logger.createChild({ persistentKeys: { runId: event.runId } });
  return withTransientErrorsNamed(() =>
    putChunk(event, {
      s3: s3Client(),
      firehose: firehoseClient(),
      streamName: config.streamName,
      artifactBucket: config.artifactBucket,
      retry: config.retry,
      quota: config.quota,
      claimTakeoverAfterMs: config.claimTakeoverAfterMs,
      pacing: config.pacing,
      logger: runLogger.createChild({ persistentKeys: { chunkId: event.chunk.chunkId } }),
      boardLogger: runLogger,
    }),
  );
}
