import { JITTER_RETRY_MS, resetPaces } from '../../../functions/put-batch/pace';
import { pacedSend } from '../../../functions/put-batch/paced-send';
import { descriptor, foundQuota } from '../fixtures';

const QUOTA = foundQuota({ bytesPerSecond: 5_000_000, recordsPerSecond: 500_000, requestsPerSecond: 500 });

function individualChunk(runId: string) {
  const chunk = descriptor({ mode: 'individual', records: 500, firehoseRecords: 500, paceOffsetMs: 0 });
  return pacedSend(
    { runId, round: 0, chunk, quota: QUOTA, paceRate: 1, mapStartedAt: new Date(0).toISOString() },
    { deadlineMs: 60_000, now: () => 5_000, sleep: async () => undefined },
  );
}
const answer = (attempt: number, throttled: number, sentAtMs: number) => ({
  attempt,
  entries: 1,
  throttled,
  bytes: 300,
  throttledBytes: throttled * 300,
  sentAtMs,
});

afterEach(() => resetPaces());

describe('a paced send retries a refused call the pacing takes for jitter', () => {
  it('after a short wait, not at the next one-second window, and keeps the rate', () => {
    const paced = individualChunk('run-jitter');
    for (let at = 0; at < 250; at++) paced.afterCall(answer(1, 0, 4_000 + at));
    paced.afterCall(answer(1, 1, 4_300));
    expect(paced.throttledRetryDelay(answer(1, 1, 4_300))).toBe(JITTER_RETRY_MS);
    paced.record({ accepted: 251, throttledEntries: 0 });
    expect(paced.rate).toBe(1);
  });

  it('at the usual window when the throttle was no sliver, or the retry was refused again', () => {
    const paced = individualChunk('run-overload');
    for (let at = 0; at < 10; at++) paced.afterCall(answer(1, 0, 4_000 + at));
    paced.afterCall(answer(1, 1, 4_300));
    expect(paced.throttledRetryDelay(answer(1, 1, 4_300))).toBeUndefined();
    expect(paced.throttledRetryDelay(answer(2, 1, 4_300))).toBeUndefined();
  });
});
