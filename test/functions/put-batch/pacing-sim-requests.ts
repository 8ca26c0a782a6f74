import { AimdPace, type AimdSettings, DEFAULT_AIMD } from '../../../functions/put-batch/aimd';
import {
  BURST_MS,
  MAP_START_ALLOWANCE_MS,
  pacedRetryDelay,
  WAIT_SLICE_MS,
} from '../../../functions/put-batch/pace';
import { throttledDelay } from '../../../functions/shared/firehose/backoff';
import { DEFAULT_RETRY_POLICY } from '../../../functions/shared/firehose/retry-policy';
import { bucket, Clock } from './pacing-sim';

/**
 * The requests-bound case on a simulated clock: chunks of records sent one PutRecord at a time, each
 * call waiting its own turn (callSchedule spreads a chunk's calls evenly over its cost), against a
 * one-second token bucket of requests. A refused call is retried at the next one-second window and
 * holds up the calls after it in its chunk, as putRecordsIndividually does; every answer goes to the
 * environment's rate (the sender's afterCall hook). At most `concurrency` chunks are in flight, a
 * child starting `startMs` after the one before it finished.
 */
export interface RequestsSimSettings {
  /** Records per chunk (each one PutRecord call). */
  chunkRecords: number[];
  requestsPerSecond: number;
  environments: number;
  concurrency: number;
  startMs(random: () => number): number;
  latencyMs(random: () => number): number;
  /** Share of calls refused whatever the bucket holds: arrival jitter on a loaded machine. */
  refusedShare?: number;
  /** Payload bytes of each record (300 unless given). */
  recordBytes?: number;
  /** Settings of the rate that differ from DEFAULT_AIMD. */
  aimd?: Partial<AimdSettings>;
  random: () => number;
}

export interface RequestsSimResult {
  jobMs: number;
  boundMs: number;
  calls: number;
  records: number;
  refused: number;
}

export function simulateRequests(settings: RequestsSimSettings): RequestsSimResult {
  const costMs = 1000 / settings.requestsPerSecond;
  const starts: number[] = [];
  settings.chunkRecords.reduce((offset, n) => {
    starts.push(offset);
    return offset + n * costMs;
  }, 0);
  const paces = Array.from(
    { length: settings.environments },
    () =>
      new AimdPace(MAP_START_ALLOWANCE_MS, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1, ...settings.aimd }),
  );
  const take = bucket(settings.requestsPerSecond);
  const clock = new Clock();
  const result = { jobMs: 0, calls: 0, refused: 0 };
  let next = 0;

  const runChunk = (index: number) => {
    const pace = paces[Math.floor(settings.random() * paces.length)] as AimdPace;
    const start = starts[index] as number;
    const records = settings.chunkRecords[index] as number;
    let firstSentAt: number | undefined;
    const call = (k: number, attempt: number) => (sentAtMs: number) => {
      firstSentAt ??= sentAtMs;
      clock.at(sentAtMs + settings.latencyMs(settings.random), () => {
        const nowMs = clock.now;
        result.calls += 1;
        const refused = settings.random() < (settings.refusedShare ?? 0) || !take(1, nowMs);
        const leftAt = attempt > 1 ? (firstSentAt as number) : sentAtMs;
        const bytes = settings.recordBytes ?? 300;
        const answer = { entries: 1, throttled: refused ? 1 : 0, bytes, throttledBytes: refused ? bytes : 0 };
        pace.record(answer, start, nowMs, leftAt);
        if (refused) {
          result.refused += 1;
          const delay =
            pacedRetryDelay(pace, { attempt }) ??
            throttledDelay(attempt - 1, DEFAULT_RETRY_POLICY, settings.random, nowMs);
          return call(k, attempt + 1)(nowMs + delay);
        }
        if (k + 1 < records) return waitTurn(k + 1);
        result.jobMs = Math.max(result.jobMs, nowMs);
        startNext(nowMs);
      });
    };
    const waitTurn = (k: number) => {
      const offset = start + k * costMs;
      const due = pace.sendAt(offset);
      const nowMs = clock.now;
      if (due - nowMs > 0.5) {
        return clock.at(nowMs + Math.min(Math.ceil(due - nowMs), WAIT_SLICE_MS), () => waitTurn(k));
      }
      call(k, 1)(pace.claimTurn(offset, nowMs, BURST_MS));
    };
    waitTurn(0);
  };
  const startNext = (nowMs: number) => {
    if (next >= settings.chunkRecords.length) return;
    const index = next++;
    clock.at(nowMs + settings.startMs(settings.random), () => runChunk(index));
  };
  for (let i = 0; i < settings.concurrency; i++) startNext(0);
  clock.runAll();
  const records = settings.chunkRecords.reduce((a, b) => a + b, 0);
  return { ...result, records, boundMs: (records / settings.requestsPerSecond) * 1000 };
}
