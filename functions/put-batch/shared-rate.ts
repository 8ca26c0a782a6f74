import type { LoggerLike } from '../shared/logger';
import type { AimdPace, SharedCut } from './aimd';
import type { BoardEntry, RateBoard } from './rate-board';
import { sameCut } from './shared-cut';

// A failed write (S3 down, a denial) is retried at most this rarely: one PUT per PutRecord call of a
// failing board would be thousands of requests for nothing.
export const MAX_REPUBLISH_BACKOFF_MS = 5_000;

/**
 * One rate for a whole Map run, not one per execution environment: an environment's cut goes to the
 * run's board (rate-board.ts), and the others adopt it at their next wait, so a throttle slows every
 * environment onto the same schedule instead of only the one that met it (they drifted apart).
 *
 * Each environment keeps the sequence number and ETag of the latest cut it knows. It publishes only its
 * own cuts, as that number + 1 over that ETag (compare-and-swap); losing the race to a newer cut means
 * another environment cut first, from an overload this environment's call met too: it adopts the stored
 * cut rather than cutting twice for one overload. A write refused with nothing newer stored is retried
 * once over what is there; one that fails is tried again at the next publish. The board is advice: an
 * S3 error never fails a chunk; it is logged once and the environment paces on its own rate meanwhile.
 */
export class SharedRate {
  private knownSeq = 0;
  private etag: string | undefined;
  private lastReadMs = Number.NEGATIVE_INFINITY;
  /** One read in flight at a time, shared by every child waiting in this environment. */
  private reading: Promise<void> | undefined;
  /** Writes go one after another, each starting from what the one before left. */
  private writing: Promise<void> = Promise.resolve();
  /** The last cut published or adopted here: a pace whose lastCut differs has cut on its own since. */
  private known: SharedCut | undefined;
  private warned = false;
  /** After a failed write the cut is published again, but not before this (backing off). */
  private retryAtMs = Number.NEGATIVE_INFINITY;
  private failedWrites = 0;

  constructor(
    private readonly board: RateBoard,
    private readonly pace: AimdPace,
    private readonly logger: LoggerLike,
    private readonly options: { readEveryMs: number; logKeys: Record<string, unknown>; now?: () => number },
  ) {}

  /** Adopts a newer cut from the board, reading it at most once per `readEveryMs`. Never rejects. */
  sync(nowMs: number): Promise<void> {
    if (this.reading) return this.reading;
    if (nowMs - this.lastReadMs < this.options.readEveryMs) return Promise.resolve();
    this.lastReadMs = nowMs;
    this.reading = this.readAndAdopt().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** After `pace.record`: publishes the pace's own new cut, if it made one. Never rejects. */
  publish(): Promise<void> {
    const cut = this.pace.lastCut;
    if (!cut || sameCut(cut, this.known) || this.now() < this.retryAtMs) return this.writing;
    // Set now so the calls answered meanwhile do not queue the same cut again; a write that fails
    // clears it (write), and the next publish tries again.
    this.known = cut;
    this.writing = this.writing.then(() => this.write(cut));
    return this.writing;
  }

  /**
   * Resolves when no read or write of this environment's is in flight any more, or after `withinMs`
   * (what is left of the invocation's deadline): the board is advice, never worth a late answer.
   */
  async settled(withinMs = Number.POSITIVE_INFINITY): Promise<void> {
    const idle = Promise.all([this.reading, this.writing]).then(() => undefined);
    if (!Number.isFinite(withinMs)) return idle;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, withinMs));
    });
    await Promise.race([idle, late]).finally(() => clearTimeout(timer));
  }

  private async readAndAdopt(): Promise<void> {
    try {
      const stored = await this.board.read();
      if (stored) this.take(stored);
    } catch (error) {
      this.warnOnce('read', error);
    }
  }

  private async write(cut: SharedCut): Promise<void> {
    // Superseded while queued: a newer own cut follows (its own write), or an adopted one replaced it.
    if (!sameCut(this.pace.lastCut, cut)) return;
    try {
      if (await this.tryWrite(cut, this.etag)) return;
      // Refused (412, or 409 ConditionalRequestConflict): another write got there, or the board changed
      // under a write that then finished nothing newer (a delete, a rewrite of a cut already known). S3
      // user guide on a 409: "fetch the object's ETag and retry the upload". Once, over what is there now.
      const stored = await this.board.read();
      if (stored && stored.seq > this.knownSeq) {
        this.take(stored);
        return;
      }
      // A read that answered meanwhile may have adopted another environment's cut: that one stands.
      if (!sameCut(this.pace.lastCut, cut)) return;
      if (stored && (await this.tryWrite(cut, stored.etag, stored.seq))) return;
      if (!stored && (await this.tryWrite(cut, undefined))) return;
      // Refused twice with nothing newer to adopt: start over as the first writer next time, and say so
      // once (an object no read finds is a denial that would otherwise go unseen).
      this.etag = undefined;
      this.forget(cut);
      this.warnOnce(
        'read after a lost write',
        new Error('the board refused the write twice with nothing newer on it'),
      );
    } catch (error) {
      this.forget(cut);
      this.warnOnce('write', error);
    }
  }

  /** Writes `cut` over `etag` as the sequence after `overSeq`; whether it was stored. */
  private async tryWrite(
    cut: SharedCut,
    etag: string | undefined,
    overSeq = this.knownSeq,
  ): Promise<boolean> {
    const seq = Math.max(overSeq, this.knownSeq) + 1;
    const written = await this.board.write({ cut, seq }, etag);
    if (written === undefined) return false;
    this.failedWrites = 0;
    // A read that answered while this write was in flight may have adopted a newer cut: keep that.
    if (seq > this.knownSeq) {
      this.knownSeq = seq;
      this.etag = written;
    }
    return true;
  }

  /** A cut that did not reach the board is published again at the next `publish`. */
  /** A write of `cut` failed: a later publish tries again, after a wait that doubles each time. */
  private forget(cut: SharedCut): void {
    if (sameCut(this.known, cut)) this.known = undefined;
    const backoff = Math.min(MAX_REPUBLISH_BACKOFF_MS, this.options.readEveryMs * 2 ** this.failedWrites);
    this.failedWrites += 1;
    this.retryAtMs = this.now() + backoff;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private take(stored: BoardEntry & { etag: string }): void {
    if (stored.seq <= this.knownSeq) return;
    // Adopted when the read answers: every call sent until then went out at the rate it replaces.
    this.pace.adopt(stored.cut, this.now());
    this.known = this.pace.lastCut;
    this.knownSeq = stored.seq;
    this.etag = stored.etag;
  }

  private warnOnce(operation: string, error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const e = error as { name?: string; message?: string };
    this.logger.warn('shared pace board unavailable; this environment paces on its own rate meanwhile', {
      ...this.options.logKeys,
      operation,
      errorName: e?.name,
      errorMessage: e?.message,
    });
  }
}
