import { throttled } from '../../../local/console/web/throttle';

describe('the Map Run tab refreshes at most every 2 s however often the run changes', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('many pokes in a gap make one refresh, a poke during a refresh makes one more after the gap, stop ends it', async () => {
    let calls = 0;
    let finish: () => void = () => undefined;
    const live = throttled(
      () =>
        new Promise<void>((done) => {
          calls += 1;
          finish = done;
        }),
      2000,
    );
    for (let i = 0; i < 10; i += 1) live.poke();
    await jest.advanceTimersByTimeAsync(1999);
    expect(calls).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toBe(1);
    // Still reading (a big Map Run): pokes wait for it, then for a whole gap.
    live.poke();
    live.poke();
    await jest.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(1);
    finish();
    await jest.advanceTimersByTimeAsync(1999);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    finish();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
    live.poke();
    live.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
  });
});
