import {
  ADVANCE_STEP_MS,
  AimdPace,
  type AimdSettings,
  DEFAULT_AIMD,
  type SharedCut,
} from '../../../functions/put-batch/aimd';
import { JITTER_RETRY_MS, pacedRetryDelay } from '../../../functions/put-batch/pace';

const settings = (over: Partial<AimdSettings> = {}): AimdSettings => ({
  ...DEFAULT_AIMD,
  initialRate: 1,
  maxRate: 1,
  ...over,
});
const clean = { entries: 500, throttled: 0 };
/** A first heavy cut goes this much further, below the room it reveals. */
const RESERVE = 1 - DEFAULT_AIMD.roomReserve;
const clean1 = { entries: 1, throttled: 0 };

describe('the shared sending rate (AIMD)', () => {
  it('sends each chunk at the Map start plus its planned offset at the full quota', () => {
    const pace = new AimdPace(10_000, settings());
    expect(pace.sendAt(0)).toBe(10_000);
    expect(pace.sendAt(2_500)).toBe(12_500);
  });

  it('starts a re-queue round at the rate that worked: offsets stretch by 1/rate', () => {
    const pace = new AimdPace(10_000, settings({ initialRate: 0.5 }));
    expect(pace.sendAt(1_000)).toBe(12_000);
  });

  it('cuts the rate by the share of entries accepted, never below ×0.5 nor above ×0.9 (a first heavy cut a reserve below)', () => {
    const half = new AimdPace(0, settings());
    half.record({ entries: 100, throttled: 40 }, 0, 1_000);
    expect(half.rate).toBeCloseTo(0.6 * RESERVE);
    const most = new AimdPace(0, settings());
    most.record({ entries: 100, throttled: 95 }, 0, 1_000);
    expect(most.rate).toBeCloseTo(0.5 * RESERVE);
    const few = new AimdPace(0, settings());
    few.record({ entries: 100, throttled: 1 }, 0, 1_000);
    expect(few.rate).toBeCloseTo(0.9);
  });

  it("cuts at first by the throttled call's own share: an overload shows first among clean answers", () => {
    const pace = new AimdPace(0, settings());
    for (const at of [100, 200, 300]) pace.record({ entries: 500, throttled: 0 }, 0, at);
    // 300 of 500 throttled after 1,500 clean entries: over the window 0.85 got through, in the call 0.4.
    pace.record({ entries: 500, throttled: 300 }, 0, 400);
    expect(pace.rate).toBeCloseTo(DEFAULT_AIMD.minDecrease * RESERVE);
  });

  it('does not take a clipped 4 MiB chunk for an overload, even at the first cut', () => {
    const pace = new AimdPace(0, settings());
    for (const at of [100, 200, 300]) pace.record({ entries: 500, throttled: 0 }, 0, at);
    pace.record({ entries: 4, throttled: 3 }, 0, 400);
    expect(pace.rate).toBeCloseTo(DEFAULT_AIMD.sporadicDecrease);
  });

  it('takes a refused PutRecord among hundreds of clean ones for jitter: only the mildest cut', () => {
    const pace = new AimdPace(0, settings());
    for (let at = 1; at <= 250; at++) pace.record({ entries: 1, throttled: 0 }, 0, at);
    pace.record({ entries: 1, throttled: 1 }, 0, 251);
    expect(pace.rate).toBeCloseTo(DEFAULT_AIMD.sporadicDecrease);
  });

  it('does not cut for a refused PutRecord that is a sliver of its window by entries and by bytes alike', () => {
    const pace = new AimdPace(0, settings());
    for (let at = 1; at <= 250; at++) pace.record({ ...clean1, bytes: 300, throttledBytes: 0 }, 0, at);
    pace.record({ entries: 1, throttled: 1, bytes: 300, throttledBytes: 300 }, 0, 251);
    expect(pace.rate).toBe(1);
    expect(pace.lastThrottleWasJitter).toBe(true);
  });

  it('does not take a throttle from the overload that cut for jitter, whatever the throttle before it was', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000);
    // Past the hold, a refused PutRecord among hundreds of clean ones: jitter, retried after 50 ms.
    for (let at = 1_600; at < 1_850; at++) pace.record({ ...clean1, bytes: 300, throttledBytes: 0 }, 0, at);
    pace.record({ entries: 1, throttled: 1, bytes: 300, throttledBytes: 300 }, 0, 1_850, 1_850);
    expect(pacedRetryDelay(pace, { attempt: 1 })).toBe(JITTER_RETRY_MS);
    // A call that left before the cut, mostly throttled: the overload itself; its retry waits a window.
    pace.record({ entries: 500, throttled: 300, bytes: 150_000, throttledBytes: 90_000 }, 0, 1_900, 950);
    expect(pace.lastThrottleWasJitter).toBe(false);
    expect(pacedRetryDelay(pace, { attempt: 1 })).toBeUndefined();
  });

  it("still cuts for a clipped 4 MiB chunk: few entries, but most of the window's bytes", () => {
    const pace = new AimdPace(0, settings());
    for (const at of [100, 200, 300]) pace.record({ ...clean, bytes: 115_000, throttledBytes: 0 }, 0, at);
    pace.record({ entries: 4, throttled: 3, bytes: 4_000_000, throttledBytes: 3_000_000 }, 0, 400);
    expect(pace.rate).toBeCloseTo(DEFAULT_AIMD.sporadicDecrease);
    expect(pace.lastThrottleWasJitter).toBe(false);
  });

  it('climbs back after a sporadic cut to the rate it came down from, within the recovery time', () => {
    const pace = new AimdPace(0, settings());
    for (const at of [100, 200, 300]) pace.record(clean, 0, at);
    pace.record({ entries: 4, throttled: 3 }, 0, 400);
    expect(pace.rate).toBeCloseTo(DEFAULT_AIMD.sporadicDecrease);
    pace.record(clean, 0, 400 + DEFAULT_AIMD.recoverMs);
    expect(pace.rate).toBeCloseTo(1);
  });

  it('finds at the first heavy throttle the room a second writer leaves: the allowance and the quota since the start ran out', () => {
    const pace = new AimdPace(0, settings());
    for (const at of [1_700, 1_800, 1_900]) pace.record(clean, at, at);
    // 2 s of schedule sent in 2 s, and the one-second allowance is gone: others took at least half.
    pace.record({ entries: 500, throttled: 100 }, 2_000, 2_000);
    // A reserve below it: the stream's allowance is empty now, and the throttled entries come back.
    expect(pace.rate).toBeCloseTo(0.5 * RESERVE);
    // Then the climb back aims just under that room, not back at the rate that was throttled.
    pace.record(clean, 2_000, 2_000 + DEFAULT_AIMD.recoverMs);
    expect(pace.rate).toBeCloseTo(0.5 * DEFAULT_AIMD.recoverShare);
  });

  it('does not take its own lag behind the schedule for room another writer took', () => {
    const pace = new AimdPace(0, settings());
    // Answered 5 s after its turn (slow answers): 9 of 10 s of schedule were not another writer's.
    pace.record({ entries: 500, throttled: 100 }, 10_000, 15_000);
    expect(pace.rate).toBeCloseTo(0.8 * RESERVE);
  });

  it('cuts later by the share accepted over the last window: one clipped chunk among clean ones costs little', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 1 }, 0, 0);
    for (const at of [5_100, 5_200, 5_300]) pace.record({ entries: 500, throttled: 0 }, 0, at);
    const before = pace.rate;
    // A 4-record chunk of ~4 MB with 3 records throttled, after 1,500 clean entries: the mildest cut.
    pace.record({ entries: 4, throttled: 3 }, 0, 5_400);
    expect(pace.rate / before).toBeCloseTo(DEFAULT_AIMD.sporadicDecrease);
  });

  it('does not cut for a call that left before the last cut: it was throttled at the old rate', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000, 900);
    const cut = pace.rate;
    expect(cut).toBeCloseTo(0.5 * RESERVE);
    // Answered well after the hold, but it left before the cut (a retry dates from its chunk's first call).
    pace.record({ entries: 10, throttled: 5 }, 0, 3_000, 950);
    expect(pace.rate).toBeGreaterThanOrEqual(cut);
    pace.record({ entries: 10, throttled: 5 }, 0, 3_000, 1_000);
    expect(pace.rate).toBeLessThan(cut);
  });

  it('does not cut again for throttles inside the hold time after a cut', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000);
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000 + DEFAULT_AIMD.holdMs - 1);
    expect(pace.rate).toBeCloseTo(0.5 * RESERVE);
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000 + DEFAULT_AIMD.holdMs);
    expect(pace.rate).toBeCloseTo(0.25 * RESERVE);
  });

  it('raises the rate additively with the time spent sending clean, up to the cap', () => {
    const pace = new AimdPace(0, settings({ initialRate: 0.5 }));
    pace.record(clean, 0, 5_000);
    expect(pace.rate).toBeCloseTo(0.5 + 5 * DEFAULT_AIMD.increasePerSecond);
    pace.record(clean, 0, 500_000);
    expect(pace.rate).toBe(1);
  });

  it('climbs back within the recovery time to just under the rate that got through', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 20, throttled: 1 }, 0, 1_000);
    const cut = DEFAULT_AIMD.maxDecrease * RESERVE;
    expect(pace.rate).toBeCloseTo(cut);
    const target = 0.95 * DEFAULT_AIMD.recoverShare;
    pace.record(clean, 0, 1_000 + DEFAULT_AIMD.recoverMs / 2);
    expect(pace.rate).toBeCloseTo((cut + target) / 2);
    pace.record(clean, 0, 1_000 + DEFAULT_AIMD.recoverMs);
    expect(pace.rate).toBeCloseTo(target);
  });

  it('probes past the recovered rate faster the longer it stays clean, holding its first step for one growth period past the rate that was throttled', () => {
    const pace = new AimdPace(0, settings({ initialRate: 0.5 }));
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000);
    expect(pace.rate).toBeCloseTo(0.25 * RESERVE);
    // Half got through in the call, but the cut never aims recovery below ×0.9 of the throttled rate.
    const throttled = 0.5 * DEFAULT_AIMD.maxDecrease;
    const recovered = throttled * DEFAULT_AIMD.recoverShare;
    const clear = 1_000 + DEFAULT_AIMD.recoverMs;
    pace.record(clean, 0, clear);
    expect(pace.rate).toBeCloseTo(recovered);
    const steps: number[] = [];
    for (let second = 1; second <= 30; second++) {
      const before = pace.rate;
      pace.record(clean, 0, clear + second * 1_000);
      steps.push(pace.rate - before);
    }
    const { probePerSecond, probeDoublingSeconds } = DEFAULT_AIMD;
    const inSteps = (step: number | undefined) => (step ?? 0) / probePerSecond;
    // The climb goes in ADVANCE_STEP_MS steps, each grown by the clean time at its end: over a second
    // the growth is that of its steps' mean end, half a second and half a step into it.
    const mid = 0.5 + ADVANCE_STEP_MS / 2_000;
    expect(inSteps(steps[0])).toBeCloseTo(1 + mid / probeDoublingSeconds, 6);
    expect(inSteps(steps[3])).toBeCloseTo(1 + (3 + mid) / probeDoublingSeconds, 6);
    // Past the throttled rate a full allowance could hide an overshoot: the step stays the first one
    // for one growth period of clean sending, then grows again (room freed for good is found).
    expect(pace.rate).toBeGreaterThan(throttled);
    expect(inSteps(steps[9])).toBeCloseTo(1, 6);
    expect(inSteps(steps[29])).toBeCloseTo(1 + (29 + mid - probeDoublingSeconds) / probeDoublingSeconds, 6);
  });

  it('climbs back below the overloaded rate when a heavy cut comes soon after a mild one for a clipped chunk', () => {
    const pace = new AimdPace(0, settings({ initialRate: 1 }));
    const small = { entries: 500, throttled: 0, bytes: 150_000, throttledBytes: 0 };
    for (const at of [100, 200, 300]) pace.record(small, 0, at);
    // One ~1 MB entry of a 4 MiB chunk clipped among clean small ones: a mild cut, aimed back at 1.
    pace.record({ entries: 4, throttled: 1, bytes: 4_000_000, throttledBytes: 1_000_000 }, 0, 400);
    expect(pace.rate).toBeCloseTo(DEFAULT_AIMD.sporadicDecrease);
    // Within settleMs, a real overload: 80% of a call throttled.
    for (const at of [1_000, 1_100, 1_200]) pace.record(small, 0, at);
    pace.record({ entries: 500, throttled: 400, bytes: 150_000, throttledBytes: 120_000 }, 0, 1_300);
    pace.record(clean, 0, 1_300 + DEFAULT_AIMD.recoverMs);
    // The mild cut's aim (the rate it came down from) is not the overload's.
    expect(pace.rate).toBeLessThan(0.9);
  });

  it('recovers only to the lower rate when it is throttled again on the way back, after the overload settled', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000);
    pace.record(clean, 0, 2_700);
    const second = pace.rate;
    pace.record({ entries: 10, throttled: 1 }, 0, 1_000 + DEFAULT_AIMD.settleMs + 200);
    pace.record(clean, 0, 1_000 + DEFAULT_AIMD.settleMs + 200 + DEFAULT_AIMD.recoverMs);
    expect(pace.rate).toBeLessThan(second);
  });

  it('keeps the aim of the climb back through further cuts of the same overload (its retries coming back)', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000);
    const aim = DEFAULT_AIMD.maxDecrease * DEFAULT_AIMD.recoverShare;
    pace.record(clean, 0, 1_050);
    // Past the hold, within settleMs: a second cut deepens the dip ...
    const cutAt = 1_000 + DEFAULT_AIMD.holdMs + 100;
    const before = pace.rate;
    pace.record({ entries: 10, throttled: 2 }, 0, cutAt);
    expect(pace.rate).toBeLessThan(before);
    // ... but the climb still ends just under the rate the first cut found throttled.
    pace.record(clean, 0, cutAt + DEFAULT_AIMD.recoverMs);
    expect(pace.rate).toBeCloseTo(aim);
  });

  it('keeps the aim of the climb back when a clipped chunk cuts it mildly on the way', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 5 }, 0, 1_000);
    const aim = DEFAULT_AIMD.maxDecrease * DEFAULT_AIMD.recoverShare;
    const at = 1_000 + DEFAULT_AIMD.settleMs + 500;
    for (const t of [at - 300, at - 200, at - 100]) pace.record(clean, 0, t);
    const before = pace.rate;
    expect(before).toBeLessThan(aim);
    pace.record({ entries: 4, throttled: 3 }, 0, at);
    expect(pace.rate / before).toBeCloseTo(DEFAULT_AIMD.sporadicDecrease);
    pace.record(clean, 0, at + DEFAULT_AIMD.recoverMs);
    expect(pace.rate).toBeCloseTo(aim);
  });

  it('may climb past the assumed quota when the cap allows it', () => {
    const pace = new AimdPace(0, settings({ maxRate: 4 }));
    pace.record(clean, 0, 10_000);
    expect(pace.rate).toBeCloseTo(1 + 10 * DEFAULT_AIMD.increasePerSecond);
  });

  it('keeps the schedule continuous across a cut: only what is still to come is stretched', () => {
    const pace = new AimdPace(0, settings());
    pace.record({ entries: 10, throttled: 5 }, 3_000, 3_000);
    expect(pace.rate).toBeCloseTo(0.5 * RESERVE);
    expect(pace.sendAt(3_000)).toBe(3_000);
    expect(pace.sendAt(4_000)).toBeCloseTo(3_000 + 1_000 / (0.5 * RESERVE));
  });

  it('lets a late environment catch up by at most the burst allowance, then at the current rate', () => {
    const pace = new AimdPace(0, settings({ catchUp: 0 }));
    // Five chunks of 100 ms each, all found due at t = 10 s.
    const turns = [0, 100, 200, 300, 400].map((offset) => pace.claimTurn(offset, 10_000, 100));
    expect(turns).toEqual([10_000, 10_000, 10_100, 10_200, 10_300]);
  });

  it('paces a late environment that gets every other item at its share: by schedule distance', () => {
    const pace = new AimdPace(0, settings({ catchUp: 0 }));
    const turns = [0, 200, 400, 600].map((offset) => pace.claimTurn(offset, 10_000, 100));
    expect(turns).toEqual([10_000, 10_100, 10_300, 10_500]);
  });

  it('closes a lag on the shared schedule a little faster than the rate, until the schedule governs again', () => {
    const pace = new AimdPace(0, settings({ catchUp: 0.25, catchUpLimitMs: 1_000 }));
    // The first item is found 1 s late; then items 500 ms apart on the schedule, each ready at once.
    let now = pace.claimTurn(0, 1_000, 0);
    const lags: number[] = [];
    for (let offset = 500; offset <= 5_000; offset += 500) {
      now = pace.claimTurn(offset, now, 0);
      lags.push(now - pace.sendAt(offset));
    }
    // 500 ms of schedule in 400 ms: 100 ms of the lag gone per item, then on the shared schedule.
    expect(lags.map(Math.round)).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
  });

  it('does not catch up a lag longer than the limit: the whole job behind cannot make it up past the allowance', () => {
    const pace = new AimdPace(0, settings({ catchUp: 0.25, catchUpLimitMs: 500 }));
    let now = pace.claimTurn(0, 2_000, 0);
    const lags: number[] = [];
    for (let offset = 500; offset <= 2_000; offset += 500) {
      now = pace.claimTurn(offset, now, 0);
      lags.push(now - pace.sendAt(offset));
    }
    expect(lags.map(Math.round)).toEqual([2_000, 2_000, 2_000, 2_000]);
  });

  it("after a cut, an environment's next turn is where the shared schedule has it, however far back its previous call was", () => {
    const pace = new AimdPace(0, settings());
    // One item per environment, 40 of them: its previous call went out at offset 0, on time, at rate 1.
    expect(pace.claimTurn(0, 0, 0)).toBe(0);
    // At 1,760 ms (offset 1,760: 40 items of 44 ms sent at the full rate) the rate was cut to half.
    const cut = { atMs: 1_760, rate: 0.5, anchorWallMs: 1_760, anchorOffsetMs: 1_760 };
    pace.adopt({ ...cut, throttledRate: 0.55, cutRate: 0.5, recoverTo: 0.53 }, 1_760);
    // Its next item, 440 ms of schedule past the cut, is due at 2,640 ms. Counting the whole distance
    // since its previous call at the new rate put it at 4,400 ms, 1.76 s late (beyond catchUpLimitMs,
    // so for good): its sends overlapped other environments' and a probe met them as an overload.
    expect(pace.sendAt(2_200)).toBe(2_640);
    expect(pace.claimTurn(2_200, 2_640, 0)).toBe(2_640);
  });

  it('sends an item that started out of order (already behind) at once', () => {
    const pace = new AimdPace(0, settings());
    pace.claimTurn(500, 10_000, 100);
    expect(pace.claimTurn(300, 10_000, 100)).toBe(10_000);
  });
});

describe('one rate shared by environments', () => {
  it('an environment that adopts a cut 5 s late stands on the same schedule as the one that cut', () => {
    const settings = { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 };
    const cutter = new AimdPace(0, settings);
    const late = new AimdPace(0, settings);
    cutter.record({ entries: 500, throttled: 250 }, 5_000, 5_000);
    // The cutter sends all the time and climbs back; the other adopts the cut only at 10 s.
    for (let t = 5_020; t <= 10_000; t += 20) cutter.record({ entries: 500, throttled: 0 }, 0, t);
    late.adopt(cutter.lastCut as SharedCut, 10_000);
    late.advance(10_000);
    expect(late.rate).toBeCloseTo(cutter.rate, 3);
    // One step of 5 s at the cut's rate put it 2.6 s behind. Now within 50 ms (BURST_MS: the lead a late
    // environment may take anyway); measured 13 ms, from climbing in 50 ms steps against 20 ms ones.
    expect(Math.abs(late.sendAt(40_000) - cutter.sendAt(40_000))).toBeLessThan(50);
  });
});

describe('adopting a cut', () => {
  const settings = { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 };
  const heavy = { entries: 500, throttled: 250 };

  it('does not cut again for a call sent after the cut was made but before this environment adopted it', () => {
    const cutter = new AimdPace(0, settings);
    cutter.record(heavy, 1_000, 1_000);
    const late = new AimdPace(0, settings);
    late.adopt(cutter.lastCut as SharedCut, 2_300);
    // Sent at 2,200 ms at the old rate (this environment did not know the cut yet), throttled at 2,550.
    late.record(heavy, 2_000, 2_550, 2_200);
    expect(late.rate).toBeCloseTo(cutter.rate, 2);
    // A call sent after adopting, at the adopted rate, and throttled past the hold still cuts.
    late.record(heavy, 2_500, 3_000, 2_400);
    expect(late.rate).toBeLessThan(cutter.rate * 0.6);
  });

  it('counts a cut from a clock ahead of this one as made now: its hold ends and the climb starts on this clock', () => {
    const ahead = new AimdPace(0, settings);
    ahead.record(heavy, 1_000, 61_000);
    const here = new AimdPace(0, settings);
    here.adopt(ahead.lastCut as SharedCut, 1_000);
    const cut = here.rate;
    here.advance(2_000);
    expect(here.rate).toBeGreaterThan(cut);
    here.record(heavy, 1_200, 1_600, 1_100);
    expect(here.rate).toBeLessThan(cut);
  });
});
