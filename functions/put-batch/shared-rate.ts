import type { LoggerLike } from '../shared/logger';
import type { AimdPace, SharedCut } from './aimd';
import type { BoardEntry, RateBoard } from './rate-board';

/**
 * One rate for a whole Map run, not one per execution environment: an environment's cut goes to the
 * run's board (rate-board.ts), and the others adopt it at their next wait, so a throttle slows every
 * environment onto the same schedule instead of only the one that met it (they drifted apart).
 *
 * Each environment keeps the sequence number and ETag of the latest cut it knows. It publishes only its
 * own cuts, as that number + 1 over that ETag (compare-and-swap); losing the race means another
 * environment cut first, from an overload this environment's call met too: it adopts the stored cut
 * rather than cutting twice for one overload, and does not retry its write. The board is advice: an S3
 * error never fails a chunk; it is logged once and the environment paces on its own rate meanwhile.
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
    if (!cut || sameCut(cut, this.known)) return this.writing;
    this.known = cut;
    this.writing = this.writing.then(() => this.write(cut));
    return this.writing;
  }

  /** Resolves when no read or write of this environment's is in flight any more. */
  async settled(): Promise<void> {
    await Promise.all([this.reading, this.writing]);
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
      const seq = this.knownSeq + 1;
      const etag = await this.board.write({ cut, seq }, this.etag);
      if (etag !== undefined) {
        this.knownSeq = seq;
        this.etag = etag;
        return;
      }
      const stored = await this.board.read();
      if (stored) {
        this.take(stored);
        return;
      }
      // The write met an object the read does not find: deleted since, or s3:GetObject denied. Start
      // over as the first writer next time, and say so once (a denial would otherwise go unseen).
      this.etag = undefined;
      this.warnOnce(
        'read after a lost write',
        new Error('the board refused the write but reads find nothing'),
      );
    } catch (error) {
      this.warnOnce('write', error);
    }
  }

  private take(stored: BoardEntry & { etag: string }): void {
    if (stored.seq <= this.knownSeq) return;
    // Adopted when the read answers: every call sent until then went out at the rate it replaces.
    this.pace.adopt(stored.cut, (this.options.now ?? Date.now)());
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

/** Cuts compared by value: `lastCut` may hand out a copy. */
function sameCut(a: SharedCut | undefined, b: SharedCut | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.atMs === b.atMs &&
    a.rate === b.rate &&
    a.anchorWallMs === b.anchorWallMs &&
    a.anchorOffsetMs === b.anchorOffsetMs
  );
}
