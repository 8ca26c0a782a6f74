import type { AimdPace, SharedCut } from '../../../functions/put-batch/aimd';
import { WAIT_SLICE_MS } from '../../../functions/put-batch/pace';
import type { Clock } from './pacing-sim';

/** Board requests' timing and failures (an S3 GET or conditional PUT of a small object). */
export interface BoardTiming {
  /** A GET's round trip: served halfway, answered at its end. */
  getMs(random: () => number): number;
  /** A PUT's round trip: committed (and visible to reads served after) halfway, answered at its end. */
  putMs(random: () => number): number;
  /** Share of reads and writes that fail: the environment keeps its own rate (shared-rate.ts's warnOnce). */
  failShare?: number;
}

export interface BoardCounts {
  reads: number;
  writes: number;
  lostRaces: number;
  adopted: number;
  failed: number;
}

/**
 * The Map run's board as shared-rate.ts keeps it, one view per environment, with every request taking
 * time: a read is issued at most every WAIT_SLICE_MS (one in flight; waiters share it) and its answer
 * adopts a newer cut when it arrives; an own cut is written over the seq this environment knows
 * (compare-and-swap checked when the PUT reaches the board), one write after another; a lost race
 * reads the board (another GET) and adopts what it finds. Failed requests change nothing.
 */
export function asyncBoard(clock: Clock, paces: AimdPace[], timing: BoardTiming, random: () => number) {
  const committed: { seq: number; cut: SharedCut }[] = [];
  const counts: BoardCounts = { reads: 0, writes: 0, lostRaces: 0, adopted: 0, failed: 0 };
  const views = paces.map((pace) => ({
    pace,
    knownSeq: 0,
    lastReadMs: Number.NEGATIVE_INFINITY,
    reading: undefined as (() => void)[] | undefined,
    writes: [] as SharedCut[],
    writing: false,
    known: undefined as SharedCut | undefined,
    idle: [] as (() => void)[],
  }));
  type View = (typeof views)[number];
  const fails = () => random() < (timing.failShare ?? 0);
  const latest = () => committed[committed.length - 1];

  const take = (view: View, stored: (typeof committed)[number] | undefined) => {
    if (!stored || stored.seq <= view.knownSeq) return;
    view.pace.adopt(stored.cut, clock.now);
    view.known = view.pace.lastCut;
    view.knownSeq = stored.seq;
    counts.adopted += 1;
  };
  /** A GET: served halfway through its round trip, its answer handled at the end. */
  const get = (view: View, answered: () => void) => {
    counts.reads += 1;
    const ms = timing.getMs(random);
    let stored: (typeof committed)[number] | undefined;
    const failed = fails();
    clock.at(clock.now + ms / 2, () => {
      stored = latest();
    });
    clock.at(clock.now + ms, () => {
      if (failed) counts.failed += 1;
      else take(view, stored);
      answered();
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
    // Superseded while queued (shared-rate.ts's write): a newer own cut follows, or an adopted one replaced it.
    if (view.pace.lastCut !== cut) return writeNext(view);
    view.writing = true;
    counts.writes += 1;
    const expected = view.knownSeq;
    const ms = timing.putMs(random);
    const failed = fails();
    let won = false;
    clock.at(clock.now + ms / 2, () => {
      if (failed || (latest()?.seq ?? 0) !== expected) return;
      committed.push({ seq: expected + 1, cut });
      won = true;
    });
    clock.at(clock.now + ms, () => {
      if (failed) counts.failed += 1;
      if (won) view.knownSeq = Math.max(view.knownSeq, expected + 1);
      if (failed || won) return writeNext(view);
      counts.lostRaces += 1;
      get(view, () => writeNext(view));
    });
  };

  return {
    counts,
    /** shared-rate.ts's sync: `then` runs once the read (if one is due or in flight) has answered. */
    sync(index: number, then: () => void): void {
      const view = views[index] as View;
      if (view.reading) {
        view.reading.push(then);
        return;
      }
      if (clock.now - view.lastReadMs < WAIT_SLICE_MS) {
        then();
        return;
      }
      view.lastReadMs = clock.now;
      view.reading = [then];
      get(view, () => {
        const waiting = view.reading ?? [];
        view.reading = undefined;
        for (const run of waiting) run();
        settleIfIdle(view);
      });
    },
    /** shared-rate.ts's publish, after each `pace.record`: writes the pace's own new cut, if it made one. */
    publish(index: number): void {
      const view = views[index] as View;
      const cut = view.pace.lastCut;
      if (!cut || cut === view.known) return;
      view.known = cut;
      view.writes.push(cut);
      if (!view.writing) writeNext(view);
    },
    /** Runs `then` once no read or write of this environment is in flight (the handler awaits `settled`). */
    settled(index: number, then: () => void): void {
      const view = views[index] as View;
      view.idle.push(then);
      settleIfIdle(view);
    },
  };
}
