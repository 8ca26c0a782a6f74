import { retryTransientWrite, WRITE_RETRIES } from '../../../functions/put-batch/retry-write';

const transient = () =>
  Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });

/** A clock that moves only when the code under test sleeps. */
function clock() {
  let at = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => at,
    sleep: async (ms: number) => {
      slept.push(ms);
      at += ms;
    },
  };
}

describe('retryTransientWrite', () => {
  it('retries a transient failure with growing waits and returns the write once it succeeds', async () => {
    const time = clock();
    let calls = 0;
    const result = await retryTransientWrite(
      async () => {
        calls += 1;
        if (calls < 3) throw transient();
        return 'written';
      },
      { untilMs: 60_000, ...time },
    );
    expect(result).toBe('written');
    expect(time.slept).toEqual([200, 400]);
  });

  it('gives up after a bounded number of retries and throws the last error', async () => {
    const time = clock();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw transient();
    };
    await expect(retryTransientWrite(failing, { untilMs: 60_000, ...time })).rejects.toMatchObject({
      name: 'SlowDown',
    });
    expect(calls).toBe(WRITE_RETRIES + 1);
  });

  it('sleeps no later than its deadline', async () => {
    const time = clock();
    await expect(
      retryTransientWrite(
        async () => {
          throw transient();
        },
        { untilMs: 500, ...time },
      ),
    ).rejects.toMatchObject({ name: 'SlowDown' });
    expect(time.slept).toEqual([200]);
    expect(time.now()).toBeLessThanOrEqual(500);
  });

  it('does not retry an error a retry cannot fix', async () => {
    let calls = 0;
    const denied = async () => {
      calls += 1;
      throw Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    };
    await expect(retryTransientWrite(denied, { untilMs: 60_000, ...clock() })).rejects.toThrow('denied');
    expect(calls).toBe(1);
  });
});
