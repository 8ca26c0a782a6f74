import type { AimdPace, SharedCut } from '../../../functions/put-batch/aimd';
import { BOARD_READ_TIMEOUT_MS, BOARD_WRITE_TIMEOUT_MS } from '../../../functions/put-batch/rate-board';
import { sameCut } from '../../../functions/put-batch/shared-cut';
import { MAX_REPUBLISH_BACKOFF_MS } from '../../../functions/put-batch/shared-rate';
import type { Clock } from './pacing-sim';

/**
 * The Map run's pace board as the shipped code keeps it, one view per environment, every request an S3
 * round trip (used by pacing-sim-lambda.ts and by pacing-sim.ts's sharedRate). Each rule of the
 * protocol and where this file (or pacing-sim-lambda.ts) follows it:
 *
 * 1. Unawaited reads (pace.ts waitForTurn, shared-rate.ts sync): each wait slice calls `sync`, which
 *    starts a GET if none is in flight and the last started `readEveryMs` ago or more
 *    (boardReadEveryMs(maxConcurrency), passed in by the sims) and returns at once; the slice goes on
 *    at the rate it had (the lambda sim's `wait` calls `sync`, then advances the rate and sleeps or
 *    sends in the same event). The answer adopts a newer seq when it arrives (`take`), so it counts
 *    from the next slice; an item already due has been sent by then.
 * 2. Publish after a cut (shared-rate.ts publish): skipped when the pace's lastCut equals (by value,
 *    `sameCut`) the last cut published or adopted, or before the back-off's end (`retryAtMs`);
 *    otherwise queued, one write after another (`writeNext`); a write superseded while queued is
 *    dropped (`write`).
 * 3. Compare-and-swap (tryWrite): seq = max(over, known) + 1, If-Match the ETag this view knows, or
 *    If-None-Match when it knows none (`put` checks the condition against the object's ETag when the
 *    PUT reaches the board, halfway through its round trip).
 * 4. A refused write (`write`): one GET; a newer seq than known is adopted; otherwise ONE more write
 *    over the ETag just read (If-None-Match if absent). Refused twice: the ETag is forgotten.
 * 5. A write that throws, or is refused twice (`forget`): `known` is cleared and `retryAtMs` set
 *    readEveryMs × 2^(failures in a row) ahead, 5 s at most; a stored write resets the count. The cut is
 *    re-published only by a later `publish` (after a Firehose answer) past that time.
 * 6. The send path never waits for the board: `publish` and `sync` return at once; only `settled`
 *    (the chunk's end) waits for the reads and writes in flight, bounded by the invocation's deadline
 *    (pacing-sim-lambda.ts calls it before the environment takes its next item).
 * 7. Time limits (rate-board.ts): a GET past BOARD_READ_TIMEOUT_MS, a PUT past BOARD_WRITE_TIMEOUT_MS
 *    is abandoned and fails at that limit; an abandoned PUT still commits if it reaches the board. A
 *    request failing on purpose (`failShare`) changes nothing on the board.
 */
export interface BoardTiming {
  /** A GET's round trip: served halfway, answered at its end. */
  getMs(random: () => number): number;
  /** A PUT's round trip: checked and committed halfway, answered at its end. */
  putMs(random: () => number): number;
  /** Share of reads and writes that fail (an S3 error): never reach the board. */
  failShare?: number;
}

export interface BoardCounts {
  reads: number;
  writes: number;
  /** Writes refused (412/409), first or second. */
  refused: number;
  /** Second writes after a refused one with nothing newer stored. */
  retries: number;
  /** Retries not made: the cut was one this environment no longer paces on (it adopted another meanwhile). */
  supersededRetries: number;
  adopted: number;
  failed: number;
  /** Cuts given up until a later publish past the back-off (rule 5). */
  forgotten: number;
}

type Stored = { seq: number; cut: SharedCut; etag: string };
type Result = 'stored' | 'refused' | 'failed';

export function asyncBoard(
  clock: Clock,
  paces: AimdPace[],
  timing: BoardTiming,
  random: () => number,
  readEveryMs: number,
) {
  let object: Stored | undefined;
  let versions = 0;
  const counts: BoardCounts = {
    reads: 0,
    writes: 0,
    refused: 0,
    retries: 0,
    supersededRetries: 0,
    adopted: 0,
    failed: 0,
    forgotten: 0,
  };
  const views = paces.map((pace) => ({
    pace,
    knownSeq: 0,
    etag: undefined as string | undefined,
    lastReadMs: Number.NEGATIVE_INFINITY,
    reading: false,
    writes: [] as SharedCut[],
    writing: false,
    known: undefined as SharedCut | undefined,
    retryAtMs: Number.NEGATIVE_INFINITY,
    failedWrites: 0,
    idle: [] as (() => void)[],
  }));
  type View = (typeof views)[number];
  const fails = () => random() < (timing.failShare ?? 0);

  /** A GET (rule 7): the object as it was halfway, or failed. */
  const get = (done: (ok: boolean, found: Stored | undefined) => void) => {
    counts.reads += 1;
    const ms = timing.getMs(random);
    const failed = fails() || ms > BOARD_READ_TIMEOUT_MS;
    let found: Stored | undefined;
    clock.at(clock.now + ms / 2, () => {
      found = object;
    });
    clock.at(clock.now + Math.min(ms, BOARD_READ_TIMEOUT_MS), () => {
      if (failed) counts.failed += 1;
      done(!failed, failed ? undefined : found);
    });
  };
  /** A conditional PUT (rules 3, 7): If-Match `etag`, or If-None-Match when undefined. */
  const put = (
    entry: Omit<Stored, 'etag'>,
    etag: string | undefined,
    done: (r: Result, etag?: string) => void,
  ) => {
    counts.writes += 1;
    const ms = timing.putMs(random);
    const broken = fails();
    let written: string | undefined;
    clock.at(clock.now + ms / 2, () => {
      if (broken || (etag === undefined ? object !== undefined : object?.etag !== etag)) return;
      versions += 1;
      object = { ...entry, etag: `v${versions}` };
      written = object.etag;
    });
    clock.at(clock.now + Math.min(ms, BOARD_WRITE_TIMEOUT_MS), () => {
      if (broken || ms > BOARD_WRITE_TIMEOUT_MS) {
        counts.failed += 1;
        return done('failed');
      }
      if (written === undefined) counts.refused += 1;
      done(written === undefined ? 'refused' : 'stored', written);
    });
  };
  const take = (view: View, stored: Stored | undefined) => {
    if (!stored || stored.seq <= view.knownSeq) return;
    view.pace.adopt(stored.cut, clock.now);
    view.known = view.pace.lastCut;
    view.knownSeq = stored.seq;
    view.etag = stored.etag;
    counts.adopted += 1;
  };
  const tryWrite = (
    view: View,
    cut: SharedCut,
    etag: string | undefined,
    overSeq: number,
    done: (r: Result) => void,
  ) => {
    const seq = Math.max(overSeq, view.knownSeq) + 1;
    put({ cut, seq }, etag, (result, written) => {
      if (result === 'stored') {
        view.failedWrites = 0;
        // A read that answered meanwhile may have adopted a newer cut: keep that.
        if (seq > view.knownSeq) {
          view.knownSeq = seq;
          view.etag = written;
        }
      }
      done(result);
    });
  };
  const forget = (view: View, cut: SharedCut) => {
    counts.forgotten += 1;
    if (sameCut(view.known, cut)) view.known = undefined;
    const backoff = Math.min(MAX_REPUBLISH_BACKOFF_MS, readEveryMs * 2 ** view.failedWrites);
    view.failedWrites += 1;
    view.retryAtMs = clock.now + backoff;
  };
  /** shared-rate.ts's write (rules 2-5). */
  const write = (view: View, cut: SharedCut, done: () => void) => {
    if (!sameCut(view.pace.lastCut, cut)) return done();
    const giveUp = () => {
      forget(view, cut);
      done();
    };
    tryWrite(view, cut, view.etag, view.knownSeq, (first) => {
      if (first === 'stored') return done();
      if (first === 'failed') return giveUp();
      get((ok, stored) => {
        if (!ok) return giveUp();
        if (stored && stored.seq > view.knownSeq) {
          take(view, stored);
          return done();
        }
        // As shared-rate.ts: a cut adopted meanwhile (during the first write or this GET) stands.
        if (!sameCut(view.pace.lastCut, cut)) {
          counts.supersededRetries += 1;
          return done();
        }
        counts.retries += 1;
        tryWrite(view, cut, stored?.etag, stored?.seq ?? view.knownSeq, (second) => {
          if (second === 'stored') return done();
          if (second === 'refused') view.etag = undefined;
          giveUp();
        });
      });
    });
  };
  const settleIfIdle = (view: View) => {
    if (view.reading || view.writing) return;
    for (const run of view.idle.splice(0)) run();
  };
  const writeNext = (view: View) => {
    const cut = view.writes.shift();
    if (!cut) {
      view.writing = false;
      return settleIfIdle(view);
    }
    view.writing = true;
    write(view, cut, () => writeNext(view));
  };

  return {
    counts,
    /** shared-rate.ts's sync (rule 1): starts a read if one is due, never waits for it. */
    sync(index: number): void {
      const view = views[index] as View;
      if (view.reading || clock.now - view.lastReadMs < readEveryMs) return;
      view.lastReadMs = clock.now;
      view.reading = true;
      get((ok, stored) => {
        if (ok) take(view, stored);
        view.reading = false;
        settleIfIdle(view);
      });
    },
    /** shared-rate.ts's publish, after each `pace.record` (rule 2). */
    publish(index: number): void {
      const view = views[index] as View;
      const cut = view.pace.lastCut;
      if (!cut || sameCut(cut, view.known) || clock.now < view.retryAtMs) return;
      view.known = cut;
      view.writes.push(cut);
      if (!view.writing) writeNext(view);
    },
    /** Runs `then` once no read or write of this environment is in flight, or after `withinMs` (rule 6). */
    settled(index: number, withinMs: number, then: () => void): void {
      const view = views[index] as View;
      let done = false;
      const once = () => {
        if (done) return;
        done = true;
        late.cancel();
        then();
      };
      const late = clock.timer(clock.now + Math.max(0, withinMs), once);
      view.idle.push(once);
      settleIfIdle(view);
    },
  };
}
