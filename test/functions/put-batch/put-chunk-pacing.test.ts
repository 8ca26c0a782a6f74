import { S3Client } from '@aws-sdk/client-s3';
import { AimdPace, DEFAULT_AIMD } from '../../../functions/put-batch/aimd';
import { MAP_START_ALLOWANCE_MS, resetPaces } from '../../../functions/put-batch/pace';
import { putChunk } from '../../../functions/put-batch/put-chunk';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { firehoseClient, s3Client } from '../../../functions/shared/aws-clients';
import { nextClaim } from '../../../functions/shared/chunk-claim';
import { putIf } from '../../../functions/shared/claim-store';
import { type RetryPolicy, resolveRetryPolicy } from '../../../functions/shared/firehose';
import type { RunQuota } from '../../../functions/shared/quota/quota';
import { descriptor, foundQuota, recordingLogger } from '../fixtures';
import { getText, type LocalAws, putText, startLocalAws } from '../local-aws';

const ONE_ATTEMPT = resolveRetryPolicy({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 20_000 });
const QUOTA = foundQuota({
  bytesPerSecond: 1_000,
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
});
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

/**
 * An S3 client and a clock that stands still except when the code under test sleeps, and lets no time
 * pass while a request of that client is unanswered: the board read a wait starts in one slice then
 * lands before the next, as it does on AWS, where it takes far less than a slice.
 */
function clockWithS3(start: number) {
  const time = clock(start);
  const pending = new Set<Promise<unknown>>();
  const s3 = new S3Client({ forcePathStyle: true });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const answering = (async () => {
        const out = await next(args);
        // The board's body too, so nothing of its answer is still on the wire (chunks are streamed).
        const output = out.output as { Body?: { transformToString(): Promise<string> } };
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'GetObjectCommand' && key.includes('/pace/') && output.Body) {
          const text = await output.Body.transformToString();
          output.Body = { transformToString: async () => text };
        }
        return out;
      })();
      pending.add(answering);
      try {
        return await answering;
      } finally {
        pending.delete(answering);
      }
    },
    { step: 'initialize', name: 'trackPending' },
  );
  const sleep = time.sleep;
  time.sleep = async (ms: number) => {
    await Promise.allSettled([...pending]);
    // What the answers set off (a cut adopted) runs before the clock moves on.
    await new Promise((resolve) => setImmediate(resolve));
    await sleep(ms);
  };
  return { time, s3 };
}

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
  options: {
    retry?: RetryPolicy;
    quota?: RunQuota;
    mode?: 'batch' | 'individual';
    chunkId?: string;
    s3?: S3Client;
  } = {},
) {
  const chunk = descriptor({
    chunkId: options.chunkId ?? 'r0-c000000',
    mode: options.mode ?? 'batch',
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
    {
      runId,
      round: 0,
      chunk,
      quota: options.quota ?? QUOTA,
      paceRate: 1,
      mapStartedAt: new Date(1_000_000).toISOString(),
    },
    {
      s3: options.s3 ?? s3Client(),
      firehose: firehoseClient(),
      streamName,
      artifactBucket: aws.names.artifactBucket,
      retry: options.retry ?? ONE_ATTEMPT,
      logger: recordingLogger(),
      claimTakeoverAfterMs: 55_000,
      sleep: time.sleep,
      now: time.now,
    },
  );
}

describe('putChunk paces itself to the run quota', () => {
  it("waits for the chunk's planned offset after the Map's start (and its start allowance), then sends it", async () => {
    const { streamName } = await aws.stream('pace-wait');
    const time = clock(1_000_000);
    const outcome = await putPaced('run-pace-wait', streamName, 700, time);
    expect(time.slept.reduce((sum, ms) => sum + ms, 0)).toBe(MAP_START_ALLOWANCE_MS + 700);
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

describe("putChunk shares the Map run's rate with the other execution environments", () => {
  it("publishes its cut to the run's pace board before it returns, and another environment's next chunk waits at that rate", async () => {
    const { streamName } = await aws.stream('pace-board');
    const runId = 'run-pace-board';
    aws.services.setFaults({ entryFailureRate: 0.5, entryErrorCode: 'ServiceUnavailableException', seed: 3 });
    const cutting = await putPaced(runId, streamName, 0, clock(1_000_000));
    expect(cutting.paceRate).toBeLessThan(1);

    // Returned: the publish was awaited, the board holds the cut.
    const key = artifactKeys.paceBoard(runId, 0, new Date(1_000_000).toISOString());
    const board = JSON.parse(await getText(s3Client(), aws.names.artifactBucket, key));
    expect(board).toMatchObject({ seq: 1, cut: { rate: cutting.paceRate } });

    aws.services.setFaults({ entryFailureRate: 0 });
    resetPaces(); // another execution environment, which never met the throttle
    const start = 1_000_000 + MAP_START_ALLOWANCE_MS;
    const { time, s3 } = clockWithS3(start);
    const next = await putPaced(runId, streamName, 700, time, { chunkId: 'r0-c000001', s3 });
    s3.destroy();

    // Where that cut puts the offset, the climb back since it counted (the rate climbs with the clock).
    const reference = new AimdPace(0, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 });
    reference.adopt(board.cut, time.now());
    reference.advance(time.now());
    expect(next.delivered).toBe(4);
    expect(Math.abs(time.now() - reference.sendAt(700))).toBeLessThan(5);
    // Its own rate of 1 would have sent it 700 ms after the schedule's zero.
    expect(time.now() - start).toBeGreaterThan(700 / 0.6);
  });
});

/**
 * The Lambda timeout is the retry budget plus headroom for one last call and the outcome writes
 * (config.ts): every wait of an invocation together (claim polls, pacing, retries) must fit the budget.
 */
describe('putChunk keeps all its waits within one deadline', () => {
  const BUDGET_MS = 20_000;
  const RETRYING = resolveRetryPolicy({
    maxAttempts: 8,
    baseDelayMs: 100,
    maxDelayMs: 5_000,
    budgetMs: BUDGET_MS,
  });
  const total = (time: ReturnType<typeof clock>) => time.slept.reduce((sum, ms) => sum + ms, 0);

  it("after waiting out another attempt's claim, pacing and retries get only what is left", async () => {
    const { streamName } = await aws.stream('deadline-claim');
    const runId = 'run-deadline-claim';
    const start = 1_000_000;
    // Another attempt claimed the chunk 35.5 s ago: with a 55 s takeover limit, it is taken over after
    // about 19.75 s of polling, almost the whole budget.
    const key = artifactKeys.outcome(runId, 0, 'r0-c000000');
    const claim = nextClaim({ chunkId: 'r0-c000000', round: 0, records: 4 }, 'other', start - 35_500);
    await putIf(s3Client(), { bucket: aws.names.artifactBucket, key }, { claim }, { ifNoneMatch: '*' });
    aws.services.setFaults({ entryFailureRate: 1, entryErrorCode: 'ServiceUnavailableException', seed: 5 });
    const time = clock(start);

    // Its turn is 40 s after the Map's start, and Firehose throttles every entry.
    await expect(putPaced(runId, streamName, 40_000, time, { retry: RETRYING })).rejects.toMatchObject({
      name: 'ChunkThrottledError',
    });

    expect(total(time)).toBeGreaterThan(19_000);
    expect(total(time)).toBeLessThanOrEqual(BUDGET_MS);
    expect(time.now() - start).toBeLessThanOrEqual(BUDGET_MS);
  });

  it('one record at a time, does not wait for a turn past the deadline and sends nothing after it', async () => {
    const { streamName } = await aws.stream('deadline-individual');
    // Four PutRecord calls at 4 calls a minute: one turn every 15 s, so only two fit 20 s.
    const slow: RunQuota = { ...QUOTA, bytesPerSecond: 1_000_000, requestsPerSecond: 4 / 60 };
    const time = clock(1_000_000);

    const outcome = await putPaced('run-deadline-individual', streamName, 0, time, {
      retry: RETRYING,
      quota: slow,
      mode: 'individual',
    });

    expect(total(time)).toBeLessThanOrEqual(BUDGET_MS);
    expect(outcome.putRecordCalls).toBe(2);
    expect(outcome.delivered).toBe(2);
    expect(outcome.requeued).toBe(2);
  });
});
