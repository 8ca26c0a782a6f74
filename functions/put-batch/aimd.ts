import { type AimdSettings, DEFAULT_AIMD } from './aimd-settings';
import { AnswerWindow, CALL_SHARE_MIN_ENTRIES, type CallResult, callAcceptedShare } from './aimd-window';
import type { SharedCut } from './shared-cut';

export { type AimdSettings, CALL_SHARE_MIN_ENTRIES, type CallResult, DEFAULT_AIMD, type SharedCut };

/** A stream lets one second of its quota through at once (the local Firehose's token bucket holds as much). */
export const STREAM_ALLOWANCE_MS = 1_000;

/** The climb is taken in steps this long at most (advance), however rarely an environment asks. */
export const ADVANCE_STEP_MS = 50;

/**
 * The rate a Map's children send at, as a fraction of the stream's quota, adapted like Vector's
 * adaptive request concurrency (AIMD): cut multiplicatively when Firehose throttles (another writer
 * on the stream, a quota lower than believed), raised additively while calls go through clean.
 *
 * The schedule is piecewise linear: a chunk planned `offset` ms after the Map's start at the full
 * quota is sent at `anchorWallMs + (offset - anchorOffsetMs) / rate`. Every change of rate re-anchors
 * at the current point of the schedule, so the schedule stays continuous: slowing down stretches only
 * what is still to come, and nothing already late bursts out at once.
 */
export class AimdPace {
  private rateValue: number;
  private anchorWallMs: number;
  private anchorOffsetMs = 0;
  private lastChangeMs: number;
  private lastCutMs = Number.NEGATIVE_INFINITY;
  /** Calls sent before this went out at a rate since replaced (by this environment's cut or an adopted one). */
  private rateSinceMs = Number.NEGATIVE_INFINITY;
  /** The rate the last cut came down from (the one that was throttled) and the rate it cut to. */
  private throttledRate: number | undefined;
  private cutRate = 0;
  /** Where the climb back after the last cut ends, before the probe takes over. */
  private recoverTo = 0;
  /** The first cut of the current overload: what it took for the throttled rate and where it aimed. */
  private episode: { throttledRate: number; recoverTo: number; atMs: number } | undefined;
  private localWallMs: number | undefined;
  private localOffsetMs = 0;
  /** When the schedule had this environment's previous call due, as the schedule stood then. */
  private localDueMs = 0;
  private readonly window: AnswerWindow;
  private lastCutState: SharedCut | undefined;

  constructor(
    private readonly scheduleStartMs: number,
    private readonly settings: AimdSettings,
  ) {
    this.rateValue = clamp(settings.initialRate, settings.minRate, settings.maxRate);
    this.anchorWallMs = scheduleStartMs;
    this.lastChangeMs = scheduleStartMs;
    this.window = new AnswerWindow(settings.holdMs);
  }

  /** Whether the last throttled answer that could cut was only a sliver of its window (no cut). */
  lastThrottleWasJitter = false;

  get rate(): number {
    return this.rateValue;
  }

  /** The state this pace's latest cut (its own or adopted) left, or undefined before any. */
  get lastCut(): SharedCut | undefined {
    return this.lastCutState;
  }

  /**
   * Takes another environment's cut, read at `nowMs`, as this one's: its schedule, rate and climb.
   * Every call this environment sent before `nowMs` went out at the rate the cut replaces, even those
   * sent after the cut was made: their throttling does not cut again (`record`), and its window of
   * recent answers starts afresh. A cut from a clock ahead of this one counts as made now (its hold and
   * climb would otherwise wait for this clock to catch up).
   */
  adopt(cut: SharedCut, nowMs: number): void {
    const atMs = Math.min(cut.atMs, nowMs);
    this.rateValue = clamp(cut.rate, this.settings.minRate, this.settings.maxRate);
    this.anchorWallMs = cut.anchorWallMs;
    this.anchorOffsetMs = cut.anchorOffsetMs;
    this.lastChangeMs = atMs;
    this.lastCutMs = atMs;
    this.rateSinceMs = nowMs;
    this.window.clear();
    this.throttledRate = cut.throttledRate;
    this.cutRate = cut.cutRate;
    this.recoverTo = cut.recoverTo;
    this.episode = cut.episode ? { ...cut.episode } : undefined;
    this.lastCutState = { ...cut };
  }

  /** Wall-clock time (ms) at which a chunk planned `offsetMs` after the Map's start may be sent. */
  sendAt(offsetMs: number): number {
    return this.anchorWallMs + (offsetMs - this.anchorOffsetMs) / this.rateValue;
  }

  /**
   * Claims this environment's turn for the call planned at `offsetMs`, once the shared schedule says it
   * is due; returns when it may go. Behind the schedule (the Map started slowly, the machine stalled),
   * a whole backlog would otherwise leave at once, past the stream's one-second allowance, and be
   * throttled. So this environment keeps its own pace through the schedule (a virtual-scheduling
   * limiter, GCRA, on schedule distance): from its previous call, the next one may go the schedule's
   * time between the two (from when the previous one was due, `localDueMs`) ÷ (1 + catchUp) later (a
   * lag over `catchUpLimitMs` is not caught up: the whole time), less `burstMs`, and never before the
   * shared schedule. An environment that gets every k-th item moves k items of schedule per step, so
   * together they send at about the rate, however many there are, and a lag shrinks until the shared
   * schedule governs again. The distance is the schedule's time, not the offsets' ÷ the current rate:
   * with one item per environment (40 of them), the offsets since its previous call went out at the
   * rate before a cut, and counting them at the cut rate left it up to 2 s late for good (simulated:
   * 279 of 640 sends 0.5-2 s late; the overlap cost probes and throttling).
   */
  claimTurn(offsetMs: number, nowMs: number, burstMs: number): number {
    if (this.localWallMs === undefined || offsetMs < this.localOffsetMs) {
      // The first call here, or one that started out of order (already behind): it goes now.
      if (this.localWallMs === undefined) {
        this.localWallMs = nowMs;
        this.localOffsetMs = offsetMs;
        this.localDueMs = this.sendAt(offsetMs);
      }
      return nowMs;
    }
    const distance = Math.max(0, this.sendAt(offsetMs) - this.localDueMs);
    const lag = this.localWallMs + distance - this.sendAt(offsetMs);
    const speedUp = lag <= this.settings.catchUpLimitMs ? 1 + this.settings.catchUp : 1;
    const due = Math.max(this.localWallMs + distance / speedUp, this.sendAt(offsetMs));
    const sendAt = Math.max(nowMs, due - burstMs);
    // Late: the local pace restarts from now (no credit beyond the burst); early or on time: from due.
    this.localWallMs = Math.max(due, sendAt);
    this.localOffsetMs = offsetMs;
    this.localDueMs = this.sendAt(offsetMs);
    return sendAt;
  }

  /**
   * After a chunk planned at `offsetMs`, whose first call left at `sentAtMs`, was answered at `nowMs`:
   * cut on throttling, else raise. A call that left before the last cut was throttled at the old rate:
   * it says nothing about the new one, and cutting again for it would overshoot far below the quota.
   */
  record(result: CallResult, offsetMs: number, nowMs: number, sentAtMs = nowMs): void {
    this.window.add(result, nowMs);
    if (result.throttled > 0) {
      this.throttled(result, offsetMs, nowMs, sentAtMs);
      return;
    }
    this.advance(nowMs);
  }

  /**
   * Raises the rate for the clean time since its last change, re-anchoring where the schedule stands at
   * `nowMs`. The climb depends on the clock alone, not on which calls this environment made: every
   * environment that adopted the same cut (shared-rate.ts) is on the same schedule, and one whose items
   * are all waiting still sees the rate climb (a climb driven by its own clean calls never came).
   */
  advance(nowMs: number): void {
    // In steps of ADVANCE_STEP_MS, as an environment that sends all the time raises it: one that adopts
    // a cut seconds late then stands where the others climbed to (one step of seconds at the cut's rate
    // put it seconds behind them).
    while (nowMs > this.lastChangeMs && this.rateValue < this.settings.maxRate) {
      const atMs = Math.min(nowMs, this.lastChangeMs + ADVANCE_STEP_MS);
      const offsetNow = this.anchorOffsetMs + (atMs - this.anchorWallMs) * this.rateValue;
      this.change(this.raised(atMs - this.lastChangeMs, atMs), offsetNow, atMs);
    }
  }

  private throttled(result: CallResult, offsetMs: number, nowMs: number, sentAtMs: number): void {
    const { settings } = this;
    if (nowMs - this.lastCutMs < settings.holdMs || sentAtMs < this.rateSinceMs) {
      // Throttled inside the hold after a real cut, or at the rate before it: the overload that cut,
      // not a sliver of a clean window (whatever an earlier throttle was). Its retry waits for a window.
      this.lastThrottleWasJitter = false;
      return;
    }
    const accepted = this.window.acceptedShare();
    // A sliver of the window by entries and by bytes alike (a refused PutRecord among hundreds
    // clean: 2 ms of a 500 requests/s quota) is arrival jitter, not a rate too high: no cut. Each
    // cut had cost requests-500 seconds (simulated: 1.17-1.72 of the bound with 0.13% refused).
    this.lastThrottleWasJitter = this.window.isSliver(settings.sporadicShare);
    if (this.lastThrottleWasJitter) return;
    // The first cut also heeds the call's own share: the first throttled answers of an overload come
    // among many clean ones from before the stream's allowance ran out, which hide how far over the
    // rate is. Later, one call's share is too noisy (a call that meets an empty bucket is mostly
    // throttled even when the rate is barely over): the share over the last window decides.
    // A call of a few huge entries (a 4 MiB chunk clipped by timing) tells nothing of the kind.
    const callAccepted = callAcceptedShare(result);
    const share = this.throttledRate === undefined ? Math.min(accepted, callAccepted) : accepted;
    this.cut(share, accepted, offsetMs, nowMs);
  }

  /**
   * A sporadic throttle (a refused PutRecord among hundreds, a 4 MiB chunk clipped by timing) is
   * jitter more than a rate too high: it costs only the mildest cut, and the climb back returns to
   * the rate it came down from. Otherwise what got through is the best guess of what the stream has
   * room for, and recovery aims just below it.
   */
  private cut(share: number, accepted: number, offsetMs: number, nowMs: number): void {
    const { settings } = this;
    const first = this.throttledRate === undefined;
    this.lastCutMs = nowMs;
    this.rateSinceMs = nowMs;
    const sporadic = 1 - share < settings.sporadicShare;
    const before = this.rateValue;
    const firstHeavy = first && 1 - share >= settings.heavyShare;
    const room = firstHeavy ? this.roomAtFirstThrottle(offsetMs) : before;
    const cut = sporadic
      ? settings.sporadicDecrease
      : clamp(Math.min(share, room / before), settings.minDecrease, settings.maxDecrease) *
        (firstHeavy ? 1 - settings.roomReserve : 1);
    // The rate taken as throttled: what the window let through, at least ×maxDecrease, at most the room.
    const throttledAt = Math.min(before * Math.max(accepted, settings.maxDecrease), room);
    const previous = { throttledRate: this.throttledRate ?? 0, recoverTo: this.recoverTo };
    this.throttledRate = Math.max(throttledAt, before * settings.minDecrease);
    this.change(before * cut, offsetMs, nowMs);
    this.cutRate = this.rateValue;
    this.recoverTo = sporadic ? before : this.throttledRate * settings.recoverShare;
    if (sporadic) {
      // A clipped chunk in the middle of a climb back says nothing new of the room: the climb keeps its aim.
      this.throttledRate = Math.max(this.throttledRate, previous.throttledRate);
      this.recoverTo = Math.max(this.recoverTo, previous.recoverTo);
    }
    const episode = this.episode;
    if (episode && nowMs - episode.atMs < settings.settleMs) {
      this.throttledRate = Math.max(this.throttledRate, episode.throttledRate);
      this.recoverTo = Math.max(this.recoverTo, episode.recoverTo);
    } else if (!sporadic) {
      // Only a real overload opens an episode: a mild cut's aim is the rate it came down from, which a
      // heavy cut soon after must not inherit (it would climb straight back to the overloaded rate).
      this.episode = { throttledRate: this.throttledRate, recoverTo: this.recoverTo, atMs: nowMs };
    }
    this.lastCutState = {
      atMs: nowMs,
      rate: this.rateValue,
      anchorWallMs: this.anchorWallMs,
      anchorOffsetMs: this.anchorOffsetMs,
      throttledRate: this.throttledRate,
      cutRate: this.cutRate,
      recoverTo: this.recoverTo,
      ...(this.episode ? { episode: { ...this.episode } } : {}),
    };
  }

  /**
   * The rate after `elapsedMs` of clean sending: additive increase before any throttle; after one,
   * a quick climb back to just under the throttled rate, then a probe that speeds up the longer it
   * stays clean (a guess that was too low is left within seconds, not minutes), holding its first,
   * small step for one growth period once past that rate.
   */
  private raised(elapsedMs: number, nowMs: number): number {
    const { settings } = this;
    if (this.throttledRate === undefined)
      return this.rateValue + (settings.increasePerSecond * elapsedMs) / 1000;
    const recovered = Math.min(settings.maxRate, this.recoverTo);
    const cleanSeconds = Math.max(0, nowMs - this.lastCutMs - settings.recoverMs) / 1000;
    // Past the rate that was throttled the step stays small for one growth period, then grows again:
    // a full allowance hides an overshoot for seconds, but room freed for good (another writer that
    // stopped) must not take minutes to find (simulated, a writer stopping at 10 s: 113.6 s for the
    // job with a step that never grew there, 98.3 s with this, 95.5-97.4 s with growth throughout;
    // the shared case's seeds 1-48 over 1% throttled: 5, 5 and 14).
    const period = settings.probeDoublingSeconds;
    const growth =
      this.rateValue < this.throttledRate
        ? cleanSeconds / period
        : Math.max(0, cleanSeconds - period) / period;
    const probe = (settings.probePerSecond * (1 + growth) * elapsedMs) / 1000;
    if (this.rateValue >= recovered) return this.rateValue + probe;
    const step = ((recovered - this.cutRate) * elapsedMs) / settings.recoverMs;
    return Math.min(recovered, this.rateValue + Math.max(step, probe));
  }

  /**
   * What the first overload says of the room left: the schedule (at offset `offsetMs`) spent that much
   * quota since its start, and the stream's one-second allowance plus the quota since then ran out, so
   * other writers took at least the rest. As a rate: at most (offset − allowance) ÷ elapsed. Only ever
   * makes the first cut deeper: a writer that started later took more, not less. Elapsed is counted to
   * when the offset was due, not to the answer: time this environment fell behind its schedule (slow
   * answers, retries) is its own slowness, not room another writer took.
   */
  private roomAtFirstThrottle(offsetMs: number): number {
    const elapsedMs = this.sendAt(offsetMs) - this.scheduleStartMs;
    if (elapsedMs <= STREAM_ALLOWANCE_MS) return this.rateValue;
    return Math.max(0, (offsetMs - STREAM_ALLOWANCE_MS) / elapsedMs);
  }

  private change(rate: number, offsetMs: number, nowMs: number): void {
    const next = clamp(rate, this.settings.minRate, this.settings.maxRate);
    // Re-anchor where the schedule stands (never backwards: chunks finish out of order), so the
    // schedule stays continuous.
    const at = Math.max(offsetMs, this.anchorOffsetMs);
    this.anchorWallMs = this.sendAt(at);
    this.anchorOffsetMs = at;
    this.rateValue = next;
    this.lastChangeMs = nowMs;
  }
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
