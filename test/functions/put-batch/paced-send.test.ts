import { AimdPace, DEFAULT_AIMD } from '../../../functions/put-batch/aimd';
import { JITTER_RETRY_MS, resetPaces } from '../../../functions/put-batch/pace';
import { pacedSend } from '../../../functions/put-batch/paced-send';
import type { RateBoard } from '../../../functions/put-batch/rate-board';
import { descriptor, foundQuota, recordingLogger } from '../fixtures';
import { heldWrites, memoryBoard } from './memory-board';

const QUOTA = foundQuota({ bytesPerSecond: 5_000_000, recordsPerSecond: 500_000, requestsPerSecond: 500 });

function individualChunk(runId: string) {
  const chunk = descriptor({ mode: 'individual', records: 500, firehoseRecords: 500, paceOffsetMs: 0 });
  return pacedSend(
    { runId, round: 0, chunk, quota: QUOTA, paceRate: 1, mapStartedAt: new Date(0).toISOString() },
    { deadlineMs: 60_000, now: () => 5_000, sleep: async () => undefined },
  );
}
const answer = (attempt: number, throttled: number, sentAtMs: number) => ({
  attempt,
  entries: 1,
  throttled,
  bytes: 300,
  throttledBytes: throttled * 300,
  sentAtMs,
});

afterEach(() => resetPaces());

/** Whether `work` has finished within `ms` of real time (a board that hangs must not hold it up). */
async function doneWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void work.then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, ms));
  return done;
}

describe('a paced send retries a refused call the pacing takes for jitter', () => {
  it('after a short wait, not at the next one-second window, and keeps the rate', () => {
    const paced = individualChunk('run-jitter');
    for (let at = 0; at < 250; at++) paced.afterCall(answer(1, 0, 4_000 + at));
    paced.afterCall(answer(1, 1, 4_300));
    expect(paced.throttledRetryDelay(answer(1, 1, 4_300))).toBe(JITTER_RETRY_MS);
    paced.record({ accepted: 251, throttledEntries: 0 });
    expect(paced.rate).toBe(1);
  });

  it('at the usual window when the throttle was no sliver, or the retry was refused again', () => {
    const paced = individualChunk('run-overload');
    for (let at = 0; at < 10; at++) paced.afterCall(answer(1, 0, 4_000 + at));
    paced.afterCall(answer(1, 1, 4_300));
    expect(paced.throttledRetryDelay(answer(1, 1, 4_300))).toBeUndefined();
    expect(paced.throttledRetryDelay(answer(2, 1, 4_300))).toBeUndefined();
  });
});

const MAP_STARTED = new Date(0).toISOString();
// The schedule's zero is the Map's start plus its allowance (pace.ts MAP_START_ALLOWANCE_MS).
const ZERO = 1_000;
const BATCH_QUOTA = foundQuota({
  bytesPerSecond: 5_000_000,
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
});
/** A PutRecordBatch answer with half of its 500 entries throttled. */
const heavy = (sentAtMs: number, attempt = 1) => ({
  attempt,
  entries: 500,
  throttled: 250,
  bytes: 50_000,
  throttledBytes: 25_000,
  sentAtMs,
});

describe("a paced send shares the Map run's rate with the other environments through its board", () => {
  function clockAt(start: number) {
    let now = start;
    return {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
      set: (ms: number) => {
        now = ms;
      },
    };
  }

  function batchChunk(
    paceOffsetMs: number,
    board: RateBoard | undefined,
    time: ReturnType<typeof clockAt>,
    logger = recordingLogger(),
  ) {
    const chunk = descriptor({ records: 500, firehoseRecords: 500, paceOffsetMs });
    return pacedSend(
      { runId: 'run-shared', round: 0, chunk, quota: BATCH_QUOTA, paceRate: 1, mapStartedAt: MAP_STARTED },
      { deadlineMs: 60_000, now: time.now, sleep: time.sleep, rateBoard: board, logger },
    );
  }

  it("after one environment's cut, another's next wait follows that cut's rate and anchor", async () => {
    const board = memoryBoard();
    const timeA = clockAt(ZERO);
    const a = batchChunk(0, board, timeA);
    await a.waitFirst();
    timeA.set(ZERO + 100);
    a.afterCall(heavy(ZERO));
    a.record({ accepted: 250, throttledEntries: 250 });
    await a.settled();
    const stored = board.stored;
    expect(stored?.seq).toBe(1);
    expect(a.rate).toBeLessThan(0.6);

    resetPaces(); // another execution environment: its own pace, at the round's rate of 1
    const timeB = clockAt(ZERO + 200);
    const b = batchChunk(2_000, board, timeB);
    const waited = await b.waitFirst();

    if (!stored) throw new Error('no cut stored');
    // Where that cut puts the offset once the climb back since it is counted (the rate climbs with the
    // clock); B's slices and this one-off advance take the climb in differently aligned 50 ms steps.
    const reference = new AimdPace(0, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 });
    reference.adopt(stored.cut, timeB.now());
    reference.advance(timeB.now());
    expect(Math.abs(timeB.now() - reference.sendAt(2_000))).toBeLessThan(5);
    // At its own rate of 1 it would have gone at ZERO + 2,000.
    expect(waited).toBeGreaterThan(2_000);
  });

  it('a lost write race adopts the stored cut, writes nothing, and its retry does not cut again', async () => {
    const board = memoryBoard();
    const time = clockAt(ZERO);
    const paced = batchChunk(0, board, time);
    await paced.waitFirst();
    // Another environment cuts after this call left, before this environment knows.
    const theirs = {
      atMs: ZERO + 50,
      rate: 0.5,
      anchorWallMs: ZERO,
      anchorOffsetMs: 0,
      throttledRate: 0.9,
      cutRate: 0.5,
      recoverTo: 0.8,
    };
    await board.write({ cut: theirs, seq: 1 }, undefined);
    time.set(ZERO + 100);

    paced.afterCall(heavy(ZERO));
    await paced.settled();
    time.set(ZERO + 1_200);
    paced.afterCall(heavy(ZERO + 1_100, 2));
    paced.record({ accepted: 500, throttledEntries: 500 });
    await paced.settled();

    expect(board.writes).toEqual([{ cut: theirs, seq: 1 }]);
    expect(paced.rate).toBe(0.5);
  });

  it('a board that throws leaves pacing as it was without one, and logs one warning', async () => {
    const failing: RateBoard = {
      read: async () => Promise.reject(Object.assign(new Error('Internal Error'), { name: 'InternalError' })),
      write: async () =>
        Promise.reject(Object.assign(new Error('Internal Error'), { name: 'InternalError' })),
    };
    /** A cut in one chunk, then the wait of the next one in the same environment. */
    async function cutThenWait(board: RateBoard | undefined, logger = recordingLogger()) {
      const time = clockAt(ZERO);
      const first = batchChunk(0, board, time, logger);
      await first.waitFirst();
      time.set(ZERO + 100);
      first.afterCall(heavy(ZERO));
      first.record({ accepted: 250, throttledEntries: 250 });
      await first.settled();
      const waited = await batchChunk(700, board, time, logger).waitFirst();
      resetPaces();
      return { rate: first.rate, waited };
    }
    const logger = recordingLogger();
    const withFailing = await cutThenWait(failing, logger);
    const without = await cutThenWait(undefined);

    expect(withFailing.rate).toBeLessThan(0.6);
    // Waited longer than the 600 ms left at the full rate.
    expect(withFailing.waited).toBeGreaterThan(700);
    expect(withFailing).toEqual(without);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });

  it('keeps the publish of a cut until the chunk is settled, and its next call does not wait for it', async () => {
    const inner = memoryBoard();
    const { board: slow, release } = heldWrites(inner);
    const time = clockAt(ZERO);
    const paced = pacedSend(
      {
        runId: 'run-shared-settle',
        round: 0,
        chunk: descriptor({ mode: 'individual', records: 2, firehoseRecords: 2, paceOffsetMs: 0 }),
        quota: QUOTA,
        paceRate: 1,
        mapStartedAt: MAP_STARTED,
      },
      { deadlineMs: 60_000, now: time.now, sleep: time.sleep, rateBoard: slow, logger: recordingLogger() },
    );
    await paced.waitFirst();
    paced.afterCall({ ...heavy(ZERO), entries: 1, throttled: 1, bytes: 100, throttledBytes: 100 });
    // The next record goes while the write is still out: the board is advice, not on the send's path.
    await paced.waitCall(1);
    expect(inner.writes).toHaveLength(0);
    const settling = paced.settled();
    expect(await doneWithin(settling, 20)).toBe(false);
    release();
    await settling;
    expect(inner.writes).toHaveLength(1);
  });
});

describe("a paced send keeps the Map run's board off its critical path", () => {
  function send(
    runId: string,
    board: RateBoard,
    options: {
      paceOffsetMs?: number;
      maxConcurrency?: number;
      deadlineMs?: number;
      logger?: ReturnType<typeof recordingLogger>;
      boardLogger?: ReturnType<typeof recordingLogger>;
    } = {},
  ) {
    let now = ZERO;
    const chunk = descriptor({ records: 500, firehoseRecords: 500, paceOffsetMs: options.paceOffsetMs ?? 0 });
    const paced = pacedSend(
      {
        runId,
        round: 0,
        chunk,
        quota: BATCH_QUOTA,
        paceRate: 1,
        mapStartedAt: MAP_STARTED,
        ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
      },
      {
        deadlineMs: options.deadlineMs ?? 60_000,
        now: () => now,
        sleep: async (ms: number) => {
          now += ms;
        },
        rateBoard: board,
        logger: options.logger ?? recordingLogger(),
        ...(options.boardLogger ? { boardLogger: options.boardLogger } : {}),
      },
    );
    return { paced, setNow: (ms: number) => (now = ms) };
  }
  const hanging: RateBoard = { read: async () => undefined, write: () => new Promise(() => undefined) };

  it('reads the board every slice with few environments, and less often with many, so one board is not read past what S3 serves', async () => {
    const few = memoryBoard();
    await send('run-reads-few', few, { paceOffsetMs: 1_000 }).paced.waitFirst();
    const many = memoryBoard();
    await send('run-reads-many', many, { paceOffsetMs: 1_000, maxConcurrency: 4_000 }).paced.waitFirst();
    // A wait of 1 s: a read every 250 ms slice (one still in flight is shared), or one read in 4 s with
    // 4,000 environments at once.
    expect(few.reads).toBeGreaterThan(1);
    expect(many.reads).toBe(1);
  });

  it('settles by the deadline while a publish of its cut hangs, and its next call does not wait for it', async () => {
    let writes = 0;
    const hangingWrites: RateBoard = {
      read: hanging.read,
      write: (...args) => {
        writes += 1;
        return hanging.write(...args);
      },
    };
    const { paced, setNow } = send('run-settle-deadline', hangingWrites, { deadlineMs: ZERO + 200 });
    await paced.waitFirst();
    setNow(ZERO + 100);
    paced.afterCall(heavy(ZERO));
    expect(await doneWithin(paced.waitCall(1), 20)).toBe(true);
    setNow(ZERO + 200);
    expect(await doneWithin(paced.settled(), 20)).toBe(true);
    expect(writes).toBe(1);
  });

  it("logs the board's trouble with the logger without chunk keys, which serves the Map run's later chunks too", async () => {
    const failing: RateBoard = {
      read: async () => Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })),
      write: async () => undefined,
    };
    const chunkLogger = recordingLogger();
    const boardLogger = recordingLogger();
    await send('run-board-logger', failing, {
      paceOffsetMs: 100,
      logger: chunkLogger,
      boardLogger,
    }).paced.waitFirst();
    await new Promise((resolve) => setImmediate(resolve));
    expect(boardLogger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(chunkLogger.lines.filter((line) => line.level === 'warn')).toHaveLength(0);
  });
});
