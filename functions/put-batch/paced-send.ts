import { setTimeout as delay } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { artifactKeys } from '../shared/artifacts';
import type { CallReport, SendOutcome } from '../shared/firehose';
import type { LoggerLike } from '../shared/logger';
import type { StreamQuota } from '../shared/quota/quota';
import type { PutBatchInput } from '../shared/run-state';
import type { AimdPace } from './aimd';
import {
  callSchedule,
  effectiveQuota,
  MAX_PACING_WAIT_MS,
  MIN_SEND_BUDGET_MS,
  type PaceContext,
  pacedRetryDelay,
  paceFor,
  sharedRateFor,
  waitForTurn,
} from './pace';
import { type RateBoard, s3RateBoard } from './rate-board';
import type { SharedRate } from './shared-rate';

/** One chunk's part in the shared schedule: wait for its turn, then report how the send went. */
export interface PacedSend {
  /** Waits for the chunk's (first call's) turn; the milliseconds waited. */
  waitFirst(): Promise<number>;
  /** PutRecord one by one: waits for call `index`'s turn (the first one was waited for already). */
  waitCall(index: number): Promise<void>;
  /** Feeds each call's answer to the shared rate as it comes: throttled entries cut it, clean ones raise it. */
  afterCall(call: CallReport): void;
  /** The wait before retrying an all-throttled call, when the pacing takes its throttle for jitter. */
  throttledRetryDelay(call: CallReport): number | undefined;
  /** After the send: the rate it leaves (fed the totals only if no call was reported). */
  record(sent: Pick<SendOutcome, 'throttledEntries' | 'accepted'>): void;
  /** The shared rate after `record`, or undefined without pacing. */
  readonly rate: number | undefined;
  /**
   * Resolves once the Map run's board is neither read nor written any more (awaited before returning),
   * or once the invocation's deadline has come: board I/O never holds the send past it.
   */
  settled(): Promise<void>;
}

const NOT_PACED: PacedSend = {
  waitFirst: async () => 0,
  waitCall: async () => undefined,
  afterCall: () => undefined,
  throttledRetryDelay: () => undefined,
  record: () => undefined,
  rate: undefined,
  settled: async () => undefined,
};

export interface PacedSendDeps {
  quota?: Partial<StreamQuota>;
  pacing?: boolean;
  /**
   * The invocation's one deadline (epoch ms): the retry budget counted from the start, claim wait
   * included. Every wait ends by it; the first leaves MIN_SEND_BUDGET_MS of it for the send.
   */
  deadlineMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /**
   * The Map run's one rate, shared by its environments (shared-rate.ts): its board in the artifact bucket
   * (s3, artifactBucket), or `rateBoard` given whole (tests); logged through `boardLogger`, else `logger`.
   * Without them each environment paces on its own rate.
   */
  s3?: S3Client;
  artifactBucket?: string;
  rateBoard?: RateBoard;
  logger?: LoggerLike;
  /** A logger without this chunk's keys: the board serves the Map run's later chunks too. */
  boardLogger?: LoggerLike;
}

/** The Map run's shared rate in this environment, when pacing has somewhere to share it. */
function sharedRateOf(
  input: PutBatchInput,
  context: PaceContext,
  deps: PacedSendDeps,
): SharedRate | undefined {
  const { rateBoard, s3, artifactBucket } = deps;
  const logger = deps.boardLogger ?? deps.logger;
  if (!logger) return undefined;
  if (rateBoard) return sharedRateFor(context, () => ({ board: rateBoard, logKeys: {} }), logger, deps.now);
  if (!s3 || !artifactBucket) return undefined;
  const key = artifactKeys.paceBoard(input.runId, input.round, context.mapStartedAt);
  const board = () => ({
    board: s3RateBoard(s3, { bucket: artifactBucket, key }),
    logKeys: { paceBoard: key },
  });
  return sharedRateFor(context, board, logger, deps.now);
}

// One closure over 70 lines: the hooks it returns share the chunk's pacing state (rate, last send,
// what was reported, the Map run's shared rate), which a split would have to pass around as a mutable object.
/**
 * Pacing needs the run's quota (or a complete stated one), the chunk's planned offset and the Map's
 * start; an item without them (an older manifest, a test calling the handler directly) sends at once.
 */
export function pacedSend(input: PutBatchInput, deps: PacedSendDeps): PacedSend {
  const quota = effectiveQuota(input.quota, deps.quota ?? {});
  const { chunk, mapStartedAt } = input;
  if (deps.pacing === false || !quota || chunk.paceOffsetMs === undefined || !mapStartedAt) return NOT_PACED;
  if (!Number.isFinite(Date.parse(mapStartedAt))) return NOT_PACED;
  const context: PaceContext = {
    quota,
    mapStartedAt,
    initialRate: input.paceRate ?? 1,
    mapRunKey: `${input.runId}|${input.round}|${mapStartedAt}`,
    ...(input.maxConcurrency !== undefined ? { maxConcurrency: input.maxConcurrency } : {}),
  };
  const pace: AimdPace = paceFor(context);
  const shared = sharedRateOf(input, context, deps);
  const clock = {
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? ((ms: number) => delay(ms)),
  };
  const calls = callSchedule(chunk, quota);
  const turn = (call: number) => ({ offsetMs: calls.offsetMs(call), costMs: calls.costMs });
  // Bounded by what is left of the deadline at each wait, not by the whole budget: time already spent
  // (waiting for the claim, earlier calls) must not push the invocation past its Lambda timeout.
  const leftMs = (reserveMs: number) =>
    Math.min(MAX_PACING_WAIT_MS, Math.max(0, deps.deadlineMs - reserveMs - clock.now()));
  let sentAt = clock.now();
  let rate: number | undefined;
  let reported = false;
  return {
    async waitFirst() {
      const waited = await waitForTurn(pace, turn(0), clock, leftMs(MIN_SEND_BUDGET_MS), shared);
      sentAt = clock.now();
      return waited;
    },
    async waitCall(index) {
      if (index === 0) return;
      // A cut still being published does not hold the next record back: the board is advice, and the
      // chunk's end (settled) awaits the write.
      await waitForTurn(pace, turn(index), clock, leftMs(0), shared);
    },
    afterCall(call) {
      reported = true;
      const entries = {
        entries: call.entries,
        throttled: call.throttled,
        bytes: call.bytes,
        throttledBytes: call.throttledBytes,
      };
      // A retry carries what an earlier overload left behind: it dates from the chunk's first call, so
      // its throttling cuts the rate again only if that call already left at the rate now in force.
      const leftAt = call.attempt > 1 ? sentAt : call.sentAtMs;
      pace.record(entries, calls.offsetMs(0), Math.max(call.sentAtMs, clock.now()), leftAt);
      // The sender calls this synchronously: the write runs meanwhile, and `settled` awaits it.
      void shared?.publish();
    },
    throttledRetryDelay(call) {
      return pacedRetryDelay(pace, call);
    },
    record(sent) {
      if (!reported) {
        const entries = { entries: sent.accepted + sent.throttledEntries, throttled: sent.throttledEntries };
        pace.record(entries, calls.offsetMs(0), Math.max(sentAt, clock.now()), sentAt);
        void shared?.publish();
      }
      rate = pace.rate;
    },
    get rate() {
      return rate;
    },
    async settled() {
      await shared?.settled(Math.max(0, deps.deadlineMs - clock.now()));
    },
  };
}
