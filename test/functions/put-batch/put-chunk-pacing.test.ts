import { resetPaces } from '../../../functions/put-batch/pace';
import { putChunk } from '../../../functions/put-batch/put-chunk';
import { firehoseClient, s3Client } from '../../../functions/shared/aws-clients';
import { resolveRetryPolicy } from '../../../functions/shared/firehose';
import { QuotaSource, type RunQuota } from '../../../functions/shared/quota/quota';
import { descriptor, recordingLogger } from '../fixtures';
import { type LocalAws, putText, startLocalAws } from '../local-aws';

const ONE_ATTEMPT = resolveRetryPolicy({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 20_000 });
const QUOTA: RunQuota = {
  bytesPerSecond: 1_000,
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
  sources: {
    bytesPerSecond: QuotaSource.metrics,
    recordsPerSecond: QuotaSource.metrics,
    requestsPerSecond: QuotaSource.metrics,
  },
};
const TEXT = `${Array.from({ length: 4 }, (_, i) => JSON.stringify({ id: i })).join('\n')}\n`;

let aws: LocalAws;
let etag: string;
beforeAll(async () => {
  aws = await startLocalAws();
  etag = await putText(s3Client(), aws.names.sourceBucket, 'pace/in.jsonl', TEXT);
});
afterAll(async () => {
  await aws?.stop();
});
afterEach(() => {
  aws.services.setFaults({ entryFailureRate: 0 });
  resetPaces();
});

/** A clock that stands still except when the code under test sleeps. */
function clock(start: number) {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

async function putPaced(
  runId: string,
  streamName: string,
  paceOffsetMs: number,
  time: ReturnType<typeof clock>,
) {
  const chunk = descriptor({
    bucket: aws.names.sourceBucket,
    key: 'pace/in.jsonl',
    etag,
    format: 'jsonl',
    start: 0,
    end: Buffer.byteLength(TEXT),
    records: 4,
    firehoseRecords: 4,
    payloadBytes: Buffer.byteLength(TEXT),
    paceOffsetMs,
  });
  return putChunk(
    { runId, round: 0, chunk, quota: QUOTA, paceRate: 1, mapStartedAt: new Date(1_000_000).toISOString() },
    {
      s3: s3Client(),
      firehose: firehoseClient(),
      streamName,
      artifactBucket: aws.names.artifactBucket,
      retry: ONE_ATTEMPT,
      logger: recordingLogger(),
      claimTakeoverAfterMs: 55_000,
      sleep: time.sleep,
      now: time.now,
    },
  );
}

describe('putChunk paces itself to the run quota', () => {
  it("waits for the chunk's planned offset after the Map's start, then sends it", async () => {
    const { streamName } = await aws.stream('pace-wait');
    const time = clock(1_000_000);
    const outcome = await putPaced('run-pace-wait', streamName, 700, time);
    expect(time.slept.reduce((sum, ms) => sum + ms, 0)).toBe(700);
    expect(outcome.delivered).toBe(4);
    expect(outcome.paceRate).toBe(1);
  });

  it('cuts the shared rate when Firehose throttles part of the chunk', async () => {
    const { streamName } = await aws.stream('pace-cut');
    aws.services.setFaults({ entryFailureRate: 0.5, entryErrorCode: 'ServiceUnavailableException', seed: 3 });
    const outcome = await putPaced('run-pace-cut', streamName, 0, clock(1_000_000));
    expect(outcome.throttledEntries).toBeGreaterThan(0);
    expect(outcome.paceRate).toBeLessThan(1);
  });
});
