import { setTimeout as delay } from 'node:timers/promises';
import type { SendOutcome } from '../shared/firehose';
import type { StreamQuota } from '../shared/quota/quota';
import type { PutBatchInput } from '../shared/run-state';
import type { AimdPace } from './aimd';
import {
  callSchedule,
  effectiveQuota,
  MAX_PACING_WAIT_MS,
  MIN_SEND_BUDGET_MS,
  paceFor,
  waitForTurn,
} from './pace';

/** One chunk's part in the shared schedule: wait for its turn, then report how the send went. */
export interface PacedSend {
  /** Waits for the chunk's (first call's) turn; the milliseconds waited. */
  waitFirst(): Promise<number>;
  /** PutRecord one by one: waits for call `index`'s turn (the first one was waited for already). */
  waitCall(index: number): Promise<void>;
  /** Feeds the outcome to the shared rate: throttled entries cut it, a clean send raises it. */
  record(sent: Pick<SendOutcome, 'throttledEntries' | 'accepted'>): void;
  /** The shared rate after `record`, or undefined without pacing. */
  readonly rate: number | undefined;
}

const NOT_PACED: PacedSend = {
  waitFirst: async () => 0,
  waitCall: async () => undefined,
  record: () => undefined,
  rate: undefined,
};

export interface PacedSendDeps {
  quota?: Partial<StreamQuota>;
  pacing?: boolean;
  retry: { budgetMs: number };
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Pacing needs the run's quota (or a complete stated one), the chunk's planned offset and the Map's
 * start; an item without them (an older manifest, a test calling the handler directly) sends at once.
 */
export function pacedSend(input: PutBatchInput, deps: PacedSendDeps): PacedSend {
  const quota = effectiveQuota(input.quota, deps.quota ?? {});
  const { chunk, mapStartedAt } = input;
  if (deps.pacing === false || !quota || chunk.paceOffsetMs === undefined || !mapStartedAt) return NOT_PACED;
  if (!Number.isFinite(Date.parse(mapStartedAt))) return NOT_PACED;
  const pace: AimdPace = paceFor({
    quota,
    mapStartedAt,
    initialRate: input.paceRate ?? 1,
    mapRunKey: `${input.runId}|${input.round}|${mapStartedAt}`,
  });
  const clock = {
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? ((ms: number) => delay(ms)),
  };
  const calls = callSchedule(chunk, quota);
  const turn = (call: number) => ({ offsetMs: calls.offsetMs(call), costMs: calls.costMs });
  const maxWaitMs = Math.min(MAX_PACING_WAIT_MS, Math.max(0, deps.retry.budgetMs - MIN_SEND_BUDGET_MS));
  let sentAt = clock.now();
  let rate: number | undefined;
  return {
    async waitFirst() {
      const waited = await waitForTurn(pace, turn(0), clock, maxWaitMs);
      sentAt = clock.now();
      return waited;
    },
    async waitCall(index) {
      if (index > 0) await waitForTurn(pace, turn(index), clock, maxWaitMs);
    },
    record(sent) {
      pace.record(
        { entries: sent.accepted + sent.throttledEntries, throttled: sent.throttledEntries },
        calls.offsetMs(0),
        Math.max(sentAt, clock.now()),
      );
      rate = pace.rate;
    },
    get rate() {
      return rate;
    },
  };
}
