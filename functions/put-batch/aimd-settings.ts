/**
 * The settings of the shared sending rate (AimdPace) and their defaults, each with the reason or the
 * simulated measurement behind it (test/functions/put-batch/pacing-sim.test.ts; BENCHMARKS.md section 5).
 */
export interface AimdSettings {
  /** Rate at which a round starts: 1 is the full quota; a re-queue round starts from the rate that worked. */
  initialRate: number;
  /** The rate never goes above this: 1 when the quota is known, more when it is only a default. */
  maxRate: number;
  minRate: number;
  /** Added per second of clean sending while nothing has been throttled yet. */
  increasePerSecond: number;
  /**
   * The cut is the share of entries accepted over the last `holdMs` of this environment's sends,
   * within [minDecrease, maxDecrease] (the first heavy cut then goes `roomReserve` further): a stream
   * at twice its quota halves the rate at once, while one big chunk clipped among clean ones costs only
   * the mildest cut.
   */
  minDecrease: number;
  maxDecrease: number;
  /** Below this share of throttled entries in the window, the cut is only `sporadicDecrease`. */
  sporadicShare: number;
  sporadicDecrease: number;
  /** After a cut, throttles from calls already in flight do not cut again for this long. */
  holdMs: number;
  /**
   * After a cut the rate climbs back, in this many ms of clean sending, to `recoverShare` of the rate
   * that was throttled: a clip from timing jitter costs a dip of a few seconds, not a lasting loss.
   */
  recoverMs: number;
  recoverShare: number;
  /** Past that point, added per second of clean sending: a slow probe of the rate that throttled. */
  probePerSecond: number;
  /**
   * The probe's step grows by its first size for every this many seconds clean past the recovery.
   * Past the rate that was last throttled it keeps its first size for this many seconds more before
   * growing again: a stream's one-second allowance, filled while the rate was below the room, hides an
   * overshoot for seconds, and a grown step is then far over the room when the first throttle shows it.
   */
  probeDoublingSeconds: number;
  /**
   * Behind the schedule, an environment moves through it this much faster than the rate until it is
   * back on it (claimTurn): environments that fell behind by different amounts converge, instead of
   * each keeping its own lag and sending other parts of the schedule at the same time as the rest.
   */
  catchUp: number;
  /**
   * Only a lag up to this long is caught up: when the whole job is behind (a slow start, a loaded
   * machine), catching up more than the stream's one-second allowance could only be throttled.
   */
  catchUpLimitMs: number;
  /**
   * From this share of throttled entries on, the first cut also heeds what the overload says of the
   * room left (roomAtFirstThrottle): a second writer is found within one cut, not four.
   */
  heavyShare: number;
  /**
   * The first heavy cut goes this share further than the cut it computes (from the room it reveals or
   * the share accepted, whichever is lower): the stream's allowance is empty at
   * that moment and the throttled entries come back a window later, so the climb back (recoverMs)
   * starts from below the room instead of sitting on it.
   */
  roomReserve: number;
  /**
   * Cuts within this long of the first cut of an overload are the same overload (its retries coming
   * back while the stream's allowance is still empty): they deepen the dip, but the climb back still
   * aims where that first cut put it, instead of ratcheting down with every cut.
   */
  settleMs: number;
}

export const DEFAULT_AIMD: Omit<AimdSettings, 'initialRate' | 'maxRate'> = Object.freeze({
  minRate: 0.05,
  // 1% of the quota per second until the first throttle: slow enough that going past the quota
  // throttles only a sliver of a second's traffic.
  increasePerSecond: 0.01,
  minDecrease: 0.5,
  // Vector's ARC cuts by 0.9 on a throttle or latency spike.
  maxDecrease: 0.9,
  sporadicShare: 0.01,
  sporadicDecrease: 0.97,
  // One quota window: the retries of entries throttled in it come a window later and must not cut again.
  holdMs: 500,
  recoverMs: 3_000,
  // Back to just under the rate that was throttled: a second writer's steady share leaves the stream
  // no room, so sitting at that rate would throttle again within seconds.
  recoverShare: 0.97,
  // A quarter of a percent per second: from the recovered rate to the throttled one in about 12 s.
  probePerSecond: 0.0025,
  // 5 s had the probe overshoot a second writer's share fast, every ~15 s (simulated shared case:
  // 1.24% of entries throttled, 0.87% with 15 s); the price is finding freed room more slowly.
  probeDoublingSeconds: 15,
  // A lag of 1 s is gone after 10 s of schedule; the extra traffic is a tenth of this environment's.
  catchUp: 0.1,
  // Half the one-second allowance: several environments catching up at once still fit in it.
  catchUpLimitMs: 500,
  // Simulated shared case (8 seeds): 5% keeps the first cut's estimate from refused PutRecords that a
  // burst of the job's own caused (1% of a window); 10% or 20% let more through at the onset.
  heavyShare: 0.05,
  // Simulated shared case, seeds 1-48 (together with settleMs and the probe that does not speed up
  // past the throttled rate): 0.1 took seeds over 1% throttled from 14 to 5; 0.15 gave 4 but more time.
  roomReserve: 0.1,
  // Same simulation: 2 s had 5 of 48 seeds over 1% throttled and 2 over 1.10 of the bound; 3 s 7 and 1,
  // 1 s 4 and 8 (each cut of a cascade lowered the climb's aim: rates of 0.33 with a slow probe).
  settleMs: 2_000,
});
