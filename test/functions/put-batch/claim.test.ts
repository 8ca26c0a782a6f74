import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { planSource } from '../../../functions/plan/plan-source';
import { acquireChunk } from '../../../functions/put-batch/claim';
import { putChunk } from '../../../functions/put-batch/put-chunk';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { s3Client } from '../../../functions/shared/aws-clients';
import type { ChunkDescriptor } from '../../../functions/shared/chunk';
import { nextClaim, parseStoredChunk } from '../../../functions/shared/chunk-claim';
import { type RetryPolicy, resolveRetryPolicy } from '../../../functions/shared/firehose';
import { createFirehoseClient } from '../../../functions/shared/firehose/client';
import { readJsonLines } from '../../../functions/shared/s3-io';
import { recordingLogger } from '../fixtures';
import { deliveredText, getText, type LocalAws, putText, startLocalAws } from '../local-aws';

/**
 * Step Functions starts a Distributed Map's Express children at least once: the same chunk may run
 * twice at the same time, or again after an attempt died. Only the attempt holding the chunk's claim
 * sends it. Time is a fake clock here: waits advance it, so nothing depends on the machine's speed.
 */

const RECORDS = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, page: `/claim/${i}` }));
const TAKEOVER_AFTER_MS = 55_000;
const T0 = Date.parse('2026-11-30T12:00:00Z');
// Waiters may poll as long as it takes the owner to finish on a slow machine.
const PATIENT: RetryPolicy = resolveRetryPolicy({
  maxAttempts: 1,
  baseDelayMs: 0,
  maxDelayMs: 0,
  budgetMs: 600_000,
});

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

/** One planned chunk of the 50 records. */
async function plannedChunk(runId: string): Promise<ChunkDescriptor> {
  const s3 = s3Client();
  const key = `in/${runId}.jsonl`;
  await putText(s3, aws.names.sourceBucket, key, `${RECORDS.join('\n')}\n`);
  const { summary } = await planSource(
    s3,
    {
      runId,
      source: { bucket: aws.names.sourceBucket, key },
      format: 'jsonl',
      individualRecords: 0,
      pack: false,
      maxBatchRecords: 500,
      maxBatchBytes: 4 * 1024 * 1024,
      artifactBucket: aws.names.artifactBucket,
    },
    recordingLogger(),
  );
  const chunks: ChunkDescriptor[] = [];
  for await (const chunk of readJsonLines<ChunkDescriptor>(s3, {
    bucket: aws.names.artifactBucket,
    key: summary.manifestKey,
  })) {
    chunks.push(chunk);
  }
  expect(chunks).toHaveLength(1);
  return chunks[0] as ChunkDescriptor;
}

/** A Firehose client that counts its PutRecordBatch calls. */
function countingFirehose(): { client: FirehoseClient; batches: () => number } {
  const client = createFirehoseClient();
  let batches = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === PutRecordBatchCommand.name) batches += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countPutRecordBatch' },
  );
  return { client, batches: () => batches };
}

/** A clock that moves only when an attempt waits; the wait itself yields for real, briefly. */
function fakeClock(start = T0) {
  let at = start;
  return {
    now: () => at,
    set: (ms: number) => {
      at = ms;
    },
    sleep: async (ms: number) => {
      at += ms;
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}

function deps(
  streamName: string,
  firehose: FirehoseClient,
  clock: ReturnType<typeof fakeClock>,
  options: { s3?: S3Client; retry?: RetryPolicy } = {},
) {
  return {
    s3: options.s3 ?? s3Client(),
    firehose,
    streamName,
    artifactBucket: aws.names.artifactBucket,
    retry: options.retry ?? PATIENT,
    logger: recordingLogger(),
    claimTakeoverAfterMs: TAKEOVER_AFTER_MS,
    now: clock.now,
    sleep: clock.sleep,
  };
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe.each([2, 10])('the same chunk started %i times at once', (starts) => {
  it('is sent in exactly one PutRecordBatch, and every start returns that one outcome', async () => {
    const runId = `run-concurrent-${starts}`;
    const { streamName, destinationBucket } = await aws.stream(`claim-concurrent-${starts}`);
    const chunk = await plannedChunk(runId);
    const firehose = countingFirehose();
    const clock = fakeClock();

    const outcomes = await Promise.all(
      Array.from({ length: starts }, () =>
        putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock)),
      ),
    );

    expect(firehose.batches()).toBe(1);
    for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
    expect(outcomes[0]).toMatchObject({ delivered: 50, takenOverClaims: 0, possibleDuplicateRecords: 0 });
    await aws.services.flush();
    expect(lines(await deliveredText(s3Client(), destinationBucket)).sort()).toEqual([...RECORDS].sort());
  });
});

describe('an attempt that died', () => {
  it('after claiming and before sending: a later attempt waits, then past the takeover limit sends once', async () => {
    const runId = 'run-died-claimed';
    const { streamName, destinationBucket } = await aws.stream('claim-died-claimed');
    const chunk = await plannedChunk(runId);
    const ref = { bucket: aws.names.artifactBucket, key: artifactKeys.outcome(runId, 0, chunk.chunkId) };
    // The dead attempt: it claimed at T0 and never came back.
    const dead = await acquireChunk({ chunkId: chunk.chunkId, round: 0, records: chunk.records }, ref, {
      s3: s3Client(),
      logger: recordingLogger(),
      takeoverAfterMs: TAKEOVER_AFTER_MS,
      waitBudgetMs: 0,
      now: () => T0,
    });
    expect(dead.kind).toBe('claimed');
    const firehose = countingFirehose();

    // Within the limit the owner may still be sending: a retry waits its budget out, then gives up.
    const early = fakeClock(T0 + 1_000);
    const shortWait = resolveRetryPolicy({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 10_000 });
    await expect(
      putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, early, { retry: shortWait })),
    ).rejects.toMatchObject({ name: 'ChunkInProgressError' });
    expect(firehose.batches()).toBe(0);

    // A retry that starts before the limit and waits past it takes the claim over and sends.
    const later = fakeClock(T0 + 30_000);
    const outcome = await putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, later));

    expect(later.now()).toBeGreaterThanOrEqual(T0 + TAKEOVER_AFTER_MS);
    expect(firehose.batches()).toBe(1);
    // The dead attempt might have sent before dying; nobody can know, so the run says "possibly".
    expect(outcome).toMatchObject({ delivered: 50, takenOverClaims: 1, possibleDuplicateRecords: 50 });
    await aws.services.flush();
    expect(lines(await deliveredText(s3Client(), destinationBucket)).sort()).toEqual([...RECORDS].sort());
  });

  it('after Firehose accepted and before its outcome was written: the resend is the duplicate, counted in the outcome', async () => {
    const runId = 'run-died-sent';
    const { streamName, destinationBucket } = await aws.stream('claim-died-sent');
    const chunk = await plannedChunk(runId);
    const firehose = countingFirehose();
    // The first attempt's S3 client dies on the outcome write (the compare-and-swap of the claim).
    const dying = new S3Client({ forcePathStyle: true });
    dying.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IfMatch?: string; Body?: unknown };
        const outcomeWrite = context.commandName === 'PutObjectCommand' && input.IfMatch;
        if (outcomeWrite && !String(input.Body).includes('"claim"')) throw new Error('simulated crash');
        return next(args);
      },
      { step: 'initialize', name: 'crashOnOutcomeWrite' },
    );
    const clock = fakeClock();
    await expect(
      putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock, { s3: dying })),
    ).rejects.toThrow('simulated crash');
    dying.destroy();
    expect(firehose.batches()).toBe(1);
    const left = parseStoredChunk(
      await getText(s3Client(), aws.names.artifactBucket, artifactKeys.outcome(runId, 0, chunk.chunkId)),
    );
    // The claim stays unreleased: Firehose took the records, so nobody may resend them unseen.
    expect(left).toMatchObject({ kind: 'claim', claim: { possibleDuplicateRecords: 0 } });
    expect(left.kind === 'claim' && left.claim.releasedAt).toBeFalsy();

    clock.set(T0 + TAKEOVER_AFTER_MS);
    const outcome = await putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock));

    expect(firehose.batches()).toBe(2);
    expect(outcome).toMatchObject({ delivered: 50, takenOverClaims: 1, possibleDuplicateRecords: 50 });
    await aws.services.flush();
    const delivered = lines(await deliveredText(s3Client(), destinationBucket));
    expect(delivered).toHaveLength(100);
    expect(delivered.length - RECORDS.length).toBe(outcome.possibleDuplicateRecords);
  });
});

describe('a released claim', () => {
  it('is taken over at once by a retry after Firehose accepted nothing, and counts no duplicate', async () => {
    const runId = 'run-released';
    const { streamName, destinationBucket } = await aws.stream('claim-released');
    const chunk = await plannedChunk(runId);
    const firehose = countingFirehose();
    const clock = fakeClock();
    aws.services.setFaults({ entryFailureRate: 1, seed: 3 });
    try {
      await expect(
        putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock)),
      ).rejects.toMatchObject({ name: 'ChunkThrottledError' });
    } finally {
      aws.services.setFaults({ entryFailureRate: 0 });
    }

    const outcome = await putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock));

    expect(clock.now()).toBe(T0);
    expect(outcome).toMatchObject({ delivered: 50, takenOverClaims: 0, possibleDuplicateRecords: 0 });
    await aws.services.flush();
    expect(lines(await deliveredText(s3Client(), destinationBucket)).sort()).toEqual([...RECORDS].sort());
  });
});

describe('the calls of an attempt that recorded no outcome', () => {
  it('are counted once in the outcome of the attempt that ends the chunk: refused wholesale once, then accepted, is 2 calls', async () => {
    const runId = 'run-released-calls';
    const { streamName } = await aws.stream('claim-released-calls');
    const chunk = await plannedChunk(runId);
    const firehose = countingFirehose();
    const clock = fakeClock();
    aws.services.setFaults({ requestErrorRate: 1, requestErrorStatus: 503, seed: 5 });
    try {
      await expect(
        putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock)),
      ).rejects.toMatchObject({ name: 'ChunkThrottledError' });
    } finally {
      aws.services.setFaults({ requestErrorRate: 0 });
    }

    const outcome = await putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock));
    // A duplicate start of the same item finds the outcome and adds nothing.
    const again = await putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock));

    expect(firehose.batches()).toBe(2);
    expect(outcome).toMatchObject({
      delivered: 50,
      putRecordBatchCalls: 2,
      refusedRequests: 1,
      attempts: 2,
      acceptedFirehoseRecords: 50,
    });
    expect(outcome.bytesSent).toBe(2 * outcome.acceptedBytes);
    expect(again).toEqual(outcome);
  });
});

describe('a Firehose request that timed out after Firehose took it', () => {
  it('is resent, and its records are counted as possible duplicates in the outcome', async () => {
    const runId = 'run-unanswered';
    const { streamName, destinationBucket } = await aws.stream('claim-unanswered');
    const chunk = await plannedChunk(runId);
    // The client gives up after 100 ms; local Firehose answers after 600 ms but keeps the records.
    const impatient = createFirehoseClient({
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 100, throwOnRequestTimeout: true },
    });
    const twice = resolveRetryPolicy({ maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 60_000 });
    const clock = fakeClock();
    aws.services.setFaults({ latencyMs: 600 });
    try {
      await expect(
        putChunk({ runId, round: 0, chunk }, deps(streamName, impatient, clock, { retry: twice })),
      ).rejects.toMatchObject({
        name: 'ChunkThrottledError',
        message: expect.stringContaining('TimeoutError'),
      });
    } finally {
      aws.services.setFaults({ latencyMs: 0 });
      impatient.destroy();
    }

    const firehose = countingFirehose();
    const outcome = await putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, clock));

    // Two calls went unanswered: both may have delivered the 50 records, and both did here.
    expect(outcome).toMatchObject({ delivered: 50, takenOverClaims: 0, possibleDuplicateRecords: 100 });
    let delivered: string[] = [];
    for (let tries = 0; tries < 200 && delivered.length < 150; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await aws.services.flush();
      delivered = lines(await deliveredText(s3Client(), destinationBucket));
    }
    expect(delivered.length - RECORDS.length).toBe(outcome.possibleDuplicateRecords);
  });
});

describe('a conditional write the SDK retries after S3 stored it', () => {
  it('is recognised as our own claim and our own outcome, so the chunk is sent once and not blocked', async () => {
    const runId = 'run-sdk-retry';
    const { streamName, destinationBucket } = await aws.stream('claim-sdk-retry');
    const chunk = await plannedChunk(runId);
    // Each conditional PutObject reaches S3, then its answer is "lost": the SDK sends it again.
    const lossy = new S3Client({ forcePathStyle: true });
    let lost = 0;
    lossy.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = args.input as { IfMatch?: string; IfNoneMatch?: string };
        if (context.commandName === 'PutObjectCommand' && (input.IfMatch || input.IfNoneMatch) && lost < 2) {
          lost += 1;
          throw Object.assign(new Error('answer lost'), { name: 'TimeoutError', $metadata: {} });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseConditionalAnswers' },
    );
    const firehose = countingFirehose();

    const outcome = await putChunk(
      { runId, round: 0, chunk },
      deps(streamName, firehose.client, fakeClock(), { s3: lossy }),
    );
    lossy.destroy();

    expect(lost).toBe(2);
    expect(firehose.batches()).toBe(1);
    expect(outcome).toMatchObject({ delivered: 50, takenOverClaims: 0, possibleDuplicateRecords: 0 });
    await aws.services.flush();
    expect(lines(await deliveredText(s3Client(), destinationBucket)).sort()).toEqual([...RECORDS].sort());
  });
});

describe('a late attempt after its round ended', () => {
  it('sends nothing when AdvanceRound already handed the chunk on', async () => {
    const runId = 'run-superseded';
    const { streamName, destinationBucket } = await aws.stream('claim-superseded');
    const chunk = await plannedChunk(runId);
    const key = artifactKeys.outcome(runId, 0, chunk.chunkId);
    const claim = {
      ...nextClaim({ chunkId: chunk.chunkId, round: 0, records: chunk.records }, 'gone', T0),
      requeuedAt: new Date(T0 + 60_000).toISOString(),
    };
    await putText(s3Client(), aws.names.artifactBucket, key, JSON.stringify({ claim }));
    const firehose = countingFirehose();

    await expect(
      putChunk({ runId, round: 0, chunk }, deps(streamName, firehose.client, fakeClock(T0 + 600_000))),
    ).rejects.toMatchObject({ name: 'ChunkSupersededError' });

    expect(firehose.batches()).toBe(0);
    await aws.services.flush();
    expect(await deliveredText(s3Client(), destinationBucket)).toBe('');
  });
});
