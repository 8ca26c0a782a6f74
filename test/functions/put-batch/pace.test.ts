import { AimdPace, DEFAULT_AIMD } from '../../../functions/put-batch/aimd';
import {
  boardReadEveryMs,
  callSchedule,
  effectiveQuota,
  MAP_START_ALLOWANCE_MS,
  MAX_BOARD_READS_PER_SECOND,
  MAX_RATE_OVER_DEFAULT_QUOTA,
  paceFor,
  resetPaces,
  WAIT_SLICE_MS,
  waitForTurn,
} from '../../../functions/put-batch/pace';
import type { ChunkDescriptor } from '../../../functions/shared/chunk';
import { QuotaSource, type RunQuota } from '../../../functions/shared/quota/quota';
import { descriptor, foundQuota } from '../fixtures';

const chunk = (over: Partial<ChunkDescriptor> = {}): ChunkDescriptor =>
  descriptor({ records: 500, firehoseRecords: 500, payloadBytes: 150_000, ...over });
const found = foundQuota({
  bytesPerSecond: 1_000_000,
  recordsPerSecond: 5_000,
  requestsPerSecond: 500,
});

/** A clock whose sleeps move time forward by exactly what was asked. */
function fakeClock(start: number) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

describe('pacing a PutBatch item', () => {
  afterEach(() => resetPaces());

  it('lets a stated quota override the found one field by field', () => {
    expect(effectiveQuota(found, { recordsPerSecond: 100 })).toMatchObject({
      recordsPerSecond: 100,
      bytesPerSecond: 1_000_000,
    });
    expect(effectiveQuota(undefined, { recordsPerSecond: 100 })).toBeUndefined();
    const stated = { recordsPerSecond: 1, bytesPerSecond: 2, requestsPerSecond: 3 };
    expect(effectiveQuota(undefined, stated)).toEqual(stated);
  });

  it('spreads the PutRecord calls of an individual chunk evenly over its cost', () => {
    const calls = callSchedule(
      chunk({ mode: 'individual', firehoseRecords: 50, payloadBytes: 5_000, paceOffsetMs: 1_000 }),
      found,
    );
    // 50 requests at 500/s: 100 ms, 2 ms each.
    expect(calls.costMs).toBe(2);
    expect([0, 1, 49].map(calls.offsetMs)).toEqual([1_000, 1_002, 1_098]);
  });

  it('waits until the chunk is due, then sends', async () => {
    const pace = new AimdPace(10_000, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 });
    const clock = fakeClock(10_000);
    const waited = await waitForTurn(pace, { offsetMs: 700, costMs: 100 }, clock, 15_000);
    expect(waited).toBe(700);
    expect(clock.now()).toBe(10_700);
  });

  it('waits longer when the rate is cut while it sleeps', async () => {
    // Without the first cut's reserve the cut is exactly half: the wait would double, but the rate
    // climbs back with the clock (recoverMs) while the item waits.
    const pace = new AimdPace(0, { ...DEFAULT_AIMD, roomReserve: 0, initialRate: 1, maxRate: 1 });
    const clock = fakeClock(0);
    const sleep = clock.sleep;
    let cut = false;
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      if (!cut) {
        cut = true;
        pace.record({ entries: 10, throttled: 5 }, 0, 0);
      }
    };
    const waited = await waitForTurn(pace, { offsetMs: 1_000, costMs: 10 }, clock, 15_000);
    // Measured 1,668 ms: due at 1 s uncut, at 2 s at the cut rate without the climb.
    expect(waited).toBeGreaterThan(1_500);
    expect(waited).toBeLessThan(2_000);
  });

  it('re-reads the schedule while it waits: a rate raised meanwhile brings the turn forward', async () => {
    // The rate climbs by half the quota per second (fast, to show it within one slice).
    const pace = new AimdPace(0, { ...DEFAULT_AIMD, initialRate: 0.5, maxRate: 1, increasePerSecond: 2 });
    const clock = fakeClock(0);
    const sleep = clock.sleep;
    let raised = false;
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      if (!raised) {
        raised = true;
        // A clean call elsewhere in this environment, answered after the first slice: back at the full quota.
        pace.record({ entries: 10, throttled: 0 }, 0, clock.now());
      }
    };
    // Due at 2 s at half the quota. Raised in 50 ms steps (0.5, 0.6, ... 0.9) to the full quota by
    // 250 ms, when the schedule stood at 175 ms: due at 1,075 ms.
    const waited = await waitForTurn(pace, { offsetMs: 1_000, costMs: 10 }, clock, 15_000);
    expect(waited).toBe(1_075);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(WAIT_SLICE_MS);
  });

  it('never lets a board read that does not answer lengthen a slice or the wait', async () => {
    const pace = new AimdPace(0, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 });
    const clock = fakeClock(0);
    let reads = 0;
    const stalled = {
      sync: () => {
        reads += 1;
        return new Promise<void>(() => undefined);
      },
    };
    const waited = await waitForTurn(pace, { offsetMs: 700, costMs: 10 }, clock, 15_000, stalled);
    expect(waited).toBe(700);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(WAIT_SLICE_MS);
    // A read is started at every slice (SharedRate itself keeps to one in flight).
    expect(reads).toBeGreaterThan(1);
  });

  it('never waits past the longest wait the retry budget allows', async () => {
    const pace = new AimdPace(0, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 });
    const clock = fakeClock(0);
    expect(await waitForTurn(pace, { offsetMs: 60_000, costMs: 10 }, clock, 15_000)).toBe(15_000);
  });

  it('shares one rate between the items of one Map run, and starts a new one for the next', () => {
    const context = { quota: found, mapStartedAt: '2026-11-30T18:00:00.000Z', initialRate: 0.8 };
    const first = paceFor({ ...context, mapRunKey: 'run|0|a' });
    expect(paceFor({ ...context, mapRunKey: 'run|0|a' })).toBe(first);
    expect(first.rate).toBe(0.8);
    expect(paceFor({ ...context, mapRunKey: 'run|1|b' })).not.toBe(first);
  });

  it('starts the shared schedule a fixed allowance after the Map state was entered, the same for every environment', () => {
    const mapStartedAt = '2026-11-30T18:00:00.000Z';
    const pace = paceFor({ quota: found, mapStartedAt, initialRate: 1, mapRunKey: 'run|0|s' });
    expect(pace.sendAt(0)).toBe(Date.parse(mapStartedAt) + MAP_START_ALLOWANCE_MS);
    expect(pace.sendAt(250)).toBe(Date.parse(mapStartedAt) + MAP_START_ALLOWANCE_MS + 250);
  });

  it('lets the rate climb past a quota that was only assumed from the region', () => {
    const assumed: RunQuota = {
      ...found,
      sources: { ...found.sources, bytesPerSecond: QuotaSource.regionDefault },
    };
    const started = Date.parse('2026-11-30T18:00:00.000Z');
    const pace = paceFor({
      quota: assumed,
      mapStartedAt: '2026-11-30T18:00:00.000Z',
      initialRate: 1,
      mapRunKey: 'run|0|x',
    });
    pace.record({ entries: 10, throttled: 0 }, 0, started + 1_000_000);
    expect(pace.rate).toBe(MAX_RATE_OVER_DEFAULT_QUOTA);
  });
});

describe("how often an environment reads the Map run's pace board", () => {
  it('every wait slice while the Map runs few environments at once', () => {
    expect(boardReadEveryMs(undefined)).toBe(WAIT_SLICE_MS);
    expect(boardReadEveryMs(40)).toBe(WAIT_SLICE_MS);
  });

  it('less often with many, so all of them together stay under the reads a second one board may take', () => {
    expect(boardReadEveryMs(2_000)).toBe(2_000);
    expect(boardReadEveryMs(10_000)).toBe(10_000);
    for (const environments of [1, 250, 251, 1_000, 10_000]) {
      const readsPerSecond = (environments * 1_000) / boardReadEveryMs(environments);
      expect(readsPerSecond).toBeLessThanOrEqual(MAX_BOARD_READS_PER_SECOND);
    }
  });
});
