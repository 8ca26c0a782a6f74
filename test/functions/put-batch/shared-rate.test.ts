import { AimdPace, type AimdSettings, DEFAULT_AIMD } from '../../../functions/put-batch/aimd';
import type { RateBoard } from '../../../functions/put-batch/rate-board';
import { SharedRate } from '../../../functions/put-batch/shared-rate';
import { recordingLogger } from '../fixtures';
import { heldWrites, memoryBoard } from './memory-board';

const settings: AimdSettings = { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 };
const READ_EVERY_MS = 250;
const HEAVY = { entries: 500, throttled: 250 };

function environment(board: RateBoard, logger = recordingLogger(), now?: () => number) {
  const pace = new AimdPace(0, settings);
  const shared = new SharedRate(board, pace, logger, {
    readEveryMs: READ_EVERY_MS,
    logKeys: { paceBoard: 'k' },
    ...(now ? { now } : {}),
  });
  return { pace, shared, logger };
}

/** A promise and the function that resolves it. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Whether `promise` has resolved once everything already queued has run. */
async function isResolved(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("a Map run's environments share one rate through the board", () => {
  it("an environment's own cut is published, and another environment adopts its rate and anchor at its next read", async () => {
    const board = memoryBoard();
    const a = environment(board);
    const b = environment(board);
    await b.shared.sync(0);

    a.pace.record(HEAVY, 2_000, 2_100);
    await a.shared.publish();
    expect(board.stored?.seq).toBe(1);
    expect(board.stored?.cut).toEqual(a.pace.lastCut);

    expect(b.pace.rate).toBe(1);
    await b.shared.sync(2_200);
    expect(b.pace.rate).toBe(a.pace.rate);
    expect(b.pace.sendAt(5_000)).toBe(a.pace.sendAt(5_000));
    // What it adopted is not its own cut: it publishes nothing.
    await b.shared.publish();
    expect(board.writes).toHaveLength(1);
  });

  it('reads at most once per slice', async () => {
    const board = memoryBoard();
    const { shared } = environment(board);
    await shared.sync(0);
    await shared.sync(READ_EVERY_MS - 1);
    expect(board.reads).toBe(1);
    await shared.sync(READ_EVERY_MS);
    expect(board.reads).toBe(2);
  });

  it('lets a second waiter share the read in flight: it resolves only when that read has answered, with the rate it adopted', async () => {
    const inner = memoryBoard();
    const cutter = environment(inner);
    cutter.pace.record(HEAVY, 2_000, 2_100);
    await cutter.shared.publish();
    const held = gate();
    const board: RateBoard = {
      read: async () => {
        await held.opened;
        return inner.read();
      },
      write: (body, etag) => inner.write(body, etag),
    };
    const { shared, pace } = environment(board);

    const first = shared.sync(2_200);
    const second = shared.sync(2_210);
    expect(await isResolved(second)).toBe(false);

    held.open();
    await second;
    expect(pace.rate).toBe(cutter.pace.rate);
    await first;
    expect(inner.reads).toBe(1);
  });

  it('publishes a later own cut over the one before (If-Match), with the next sequence number', async () => {
    const board = memoryBoard();
    const a = environment(board);
    a.pace.record(HEAVY, 0, 2_000);
    await a.shared.publish();
    a.pace.record(HEAVY, 0, 6_000);
    await a.shared.publish();
    expect(board.writes.map((entry) => entry.seq)).toEqual([1, 2]);
    expect(board.stored?.cut.atMs).toBe(6_000);
  });

  it('losing the write race adopts the stored cut instead, does not cut again for the same overload, and does not retry', async () => {
    const board = memoryBoard();
    const a = environment(board);
    const b = environment(board);
    // Both meet the same overload before either knows of the other's cut.
    a.pace.record(HEAVY, 2_000, 2_100);
    b.pace.record({ entries: 500, throttled: 400 }, 2_000, 2_150);
    await a.shared.publish();
    await b.shared.publish();

    expect(board.writes).toHaveLength(1);
    expect(b.pace.lastCut).toEqual(a.pace.lastCut);
    expect(b.pace.rate).toBe(a.pace.rate);
    // A throttled answer to a call that left before the adopted cut says nothing of its rate.
    b.pace.record(HEAVY, 2_000, 2_300, 2_050);
    expect(b.pace.rate).toBe(a.pace.rate);
    await b.shared.publish();
    expect(board.writes).toHaveLength(1);
  });

  it('a cut queued behind an adoption is not written: the adopted cut replaced it', async () => {
    const board = memoryBoard();
    const a = environment(board);
    const b = environment(board);
    a.pace.record(HEAVY, 0, 2_000);
    await a.shared.publish();
    b.pace.record(HEAVY, 0, 2_050);
    await b.shared.sync(2_060);
    await b.shared.publish();
    expect(board.writes).toHaveLength(1);
    expect(b.pace.lastCut).toEqual(a.pace.lastCut);
  });

  it('a board that fails leaves the local rate in charge, logs one warning, and is read again later', async () => {
    let failing = true;
    const inner = memoryBoard();
    const board: RateBoard = {
      read: async () => {
        if (failing) throw Object.assign(new Error('Slow Down'), { name: 'SlowDown' });
        return inner.read();
      },
      write: async (body, etag) => {
        if (failing) throw Object.assign(new Error('Slow Down'), { name: 'SlowDown' });
        return inner.write(body, etag);
      },
    };
    const a = environment(board);
    await a.shared.sync(0);
    a.pace.record(HEAVY, 0, 2_000);
    const cutRate = a.pace.rate;
    await a.shared.publish();
    await a.shared.sync(READ_EVERY_MS);
    await a.shared.settled();

    expect(cutRate).toBeLessThan(1);
    expect(a.pace.rate).toBe(cutRate);
    const warnings = a.logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.attributes).toMatchObject({
      paceBoard: 'k',
      operation: 'read',
      errorName: 'SlowDown',
    });

    failing = false;
    const other = environment(inner);
    other.pace.record(HEAVY, 0, 9_000);
    await other.shared.publish();
    await a.shared.sync(9_100);
    expect(a.pace.lastCut).toEqual(other.pace.lastCut);
  });

  it('a write that meets an object no read finds is logged once and leaves the next write to create the board', async () => {
    const inner = memoryBoard();
    let hidden = true;
    const board: RateBoard = {
      read: async () => (hidden ? undefined : inner.read()),
      write: (body, etag) => inner.write(body, etag),
    };
    const other = environment(inner);
    other.pace.record(HEAVY, 0, 1_000);
    await other.shared.publish();
    const a = environment(board);
    a.pace.record(HEAVY, 0, 2_000);
    await a.shared.publish();

    expect(a.logger.lines.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({
        attributes: expect.objectContaining({ operation: 'read after a lost write' }),
      }),
    ]);
    hidden = false;
    await a.shared.sync(3_000);
    expect(a.pace.lastCut).toEqual(other.pace.lastCut);
  });

  it('settles only once its writes are done', async () => {
    const inner = memoryBoard();
    const { board, release } = heldWrites(inner);
    const a = environment(board);
    a.pace.record(HEAVY, 0, 2_000);
    void a.shared.publish();
    const settling = a.shared.settled();
    expect(await isResolved(settling)).toBe(false);
    release();
    await settling;
    expect(inner.writes).toHaveLength(1);
  });
});

describe('a cut that did not reach the board is not dropped for good', () => {
  it('a write that throws is tried again at a later publish, once a back-off has passed', async () => {
    const inner = memoryBoard();
    let failures = 1;
    const board: RateBoard = {
      read: () => inner.read(),
      write: async (body, etag) => {
        if (failures-- > 0)
          throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' });
        return inner.write(body, etag);
      },
    };
    let now = 2_000;
    const a = environment(board, recordingLogger(), () => now);
    a.pace.record(HEAVY, 0, 2_000);
    await a.shared.publish();
    expect(inner.writes).toHaveLength(0);

    // A clean call answered 100 ms later does not try yet (the back-off is one read interval)...
    now = 2_100;
    a.pace.record({ entries: 500, throttled: 0 }, 0, now);
    await a.shared.publish();
    expect(inner.writes).toHaveLength(0);
    // ...one answered past it publishes the cut it could not write.
    now = 2_300;
    a.pace.record({ entries: 500, throttled: 0 }, 0, now);
    await a.shared.publish();
    expect(inner.stored).toMatchObject({ seq: 1, cut: a.pace.lastCut });
  });

  it('a board that keeps failing is written to ever more rarely, not once per call', async () => {
    let writes = 0;
    const board: RateBoard = {
      read: async () => undefined,
      write: async () => {
        writes += 1;
        throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
      },
    };
    let now = 2_000;
    const a = environment(board, recordingLogger(), () => now);
    a.pace.record(HEAVY, 0, now);
    // A PutRecord answer every 2 ms for 10 s: 5,000 chances to publish.
    for (; now < 12_000; now += 2) await a.shared.publish();
    // Back-offs of 250, 500, 1,000, 2,000, then 5,000 ms at most: 6 writes.
    expect(writes).toBe(6);
  });

  it('a write refused while the board holds nothing newer is retried once over what it holds', async () => {
    const inner = memoryBoard();
    let refusals = 1;
    // A 409 ConditionalRequestConflict whose conflicting operation left nothing newer (S3 user guide:
    // "fetch the object's ETag and retry the upload").
    const board: RateBoard = {
      read: () => inner.read(),
      write: async (body, etag) => (refusals-- > 0 ? undefined : inner.write(body, etag)),
    };
    const a = environment(board);
    a.pace.record(HEAVY, 0, 2_000);
    await a.shared.publish();
    expect(inner.stored).toMatchObject({ seq: 1, cut: a.pace.lastCut });
  });

  it("does not retry a refused write over a cut it adopted meanwhile: the other environment's cut stands", async () => {
    const inner = memoryBoard();
    const { board, release } = heldWrites(inner);
    const a = environment(board);
    a.pace.record(HEAVY, 0, 2_000);
    const publishing = a.shared.publish();
    // While A's first write is out, B's cut lands and A's next read adopts it.
    const b = environment(inner);
    b.pace.record(HEAVY, 100, 2_100);
    await b.shared.publish();
    await a.shared.sync(3_000);
    expect(a.pace.lastCut).toEqual(b.pace.lastCut);

    release(); // A's write, If-None-Match on a board that now exists, is refused.
    await publishing;
    expect(inner.stored).toMatchObject({ seq: 1, cut: b.pace.lastCut });
    expect(inner.writes).toHaveLength(1);
  });

  it('a write answered after a read adopted a newer cut does not take its sequence number and ETag back', async () => {
    const inner = memoryBoard();
    const answer = gate();
    const slowAnswers: RateBoard = {
      read: () => inner.read(),
      write: async (body, etag) => {
        const written = await inner.write(body, etag);
        await answer.opened;
        return written;
      },
    };
    const clock = { now: 2_000 };
    const a = environment(slowAnswers, recordingLogger(), () => clock.now);
    const b = environment(inner, recordingLogger(), () => clock.now);
    a.pace.record(HEAVY, 0, 2_000);
    const publishing = a.shared.publish();
    // A's write is stored (seq 1) but its answer is late; B reads it, cuts again later and writes seq 2,
    // and A adopts that before its own answer arrives.
    await new Promise((resolve) => setImmediate(resolve));
    await b.shared.sync(2_050);
    clock.now = 8_000;
    b.pace.record(HEAVY, 0, 8_000);
    await b.shared.publish();
    await a.shared.sync(8_100);
    expect(a.pace.lastCut).toEqual(b.pace.lastCut);
    answer.open();
    await publishing;

    // A's own next cut goes over B's (seq 3), not over its stale first ETag (refused, then dropped for B's).
    clock.now = 14_000;
    a.pace.record(HEAVY, 0, 14_000);
    await a.shared.publish();
    expect(inner.stored).toMatchObject({ seq: 3, cut: a.pace.lastCut });
  });
});

describe('board I/O is bounded', () => {
  it('settles within the time it is given even while a write hangs', async () => {
    const board: RateBoard = {
      read: async () => undefined,
      write: () => new Promise(() => undefined),
    };
    const a = environment(board);
    a.pace.record(HEAVY, 0, 2_000);
    void a.shared.publish();
    await a.shared.settled(0);
    expect(await isResolved(a.shared.settled())).toBe(false);
  });
});
