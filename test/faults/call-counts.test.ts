import { join } from 'node:path';
import {
  LOCAL_FIREHOSE_NAMESPACE,
  LocalFirehoseMetric,
  openMetricStore,
} from '@firehose-loader/local-services';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import { runLocalJob } from '../../local/runner/run-job';
import { expectAddsUp, mockFile, tempDataDir } from '../e2e/helpers';

/**
 * The summary's call counts against the calls the stream received. With one send per attempt and half
 * the requests refused whole, many PutBatch attempts accept nothing and throw for Step Functions to
 * retry, and some chunks fail their round and are re-queued: their calls count all the same.
 */

const MINUTE_MS = 60_000;

/** PutRecordBatch requests the local stream received, refused ones included (a local-only metric). */
async function receivedBatches(dataDir: string, fromMs: number): Promise<number> {
  const store = await openMetricStore(join(dataDir, 'services'));
  const { Datapoints } = store.getMetricStatistics({
    Namespace: LOCAL_FIREHOSE_NAMESPACE,
    MetricName: LocalFirehoseMetric.putRecordBatchReceived,
    Dimensions: [{ Name: 'DeliveryStreamName', Value: LOCAL_RESOURCE_NAMES.streamName }],
    StartTime: new Date(fromMs - MINUTE_MS),
    EndTime: new Date(Date.now() + MINUTE_MS),
    Period: 60,
    Statistics: ['Sum'],
  });
  return Datapoints.reduce((sum, point) => sum + (typeof point.Sum === 'number' ? point.Sum : 0), 0);
}

describe('the run summary under whole requests refused', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  beforeAll(async () => {
    data = await tempDataDir();
  });
  afterAll(async () => {
    await data.cleanup();
  });

  it('counts every PutRecordBatch call the stream received, also those of attempts that accepted nothing', async () => {
    const input = await mockFile(data.dir, 6_000, 'jsonl');
    const started = Date.now();
    const summary = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      format: 'jsonl',
      maxConcurrency: 4,
      requeueRounds: 6,
      faults: { requestErrorRate: 0.6, requestErrorStatus: 503, seed: 9 },
      retry: { maxAttempts: 1 },
      fastTimers: true,
      handlerThreads: 0,
      progress: { write: () => undefined, interactive: false },
    });

    expect(summary.status).toBe('SUCCEEDED');
    expectAddsUp(summary);
    const f = summary.firehose;
    // Attempts that accepted nothing happened: more calls than chunks, whole calls refused.
    expect(f.refusedRequests).toBeGreaterThan(0);
    expect(f.putRecordBatchCalls).toBe(f.minimumPutRecordBatchCalls + f.refusedRequests);
    expect(f.putRecordBatchCalls).toBe(await receivedBatches(data.dir, started));
  });
});
