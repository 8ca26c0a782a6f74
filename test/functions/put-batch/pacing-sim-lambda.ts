import { AimdPace, type AimdSettings, DEFAULT_AIMD } from '../../../functions/put-batch/aimd';
import {
  BURST_MS,
  boardReadEveryMs,
  MAP_START_ALLOWANCE_MS,
  MAX_PACING_WAIT_MS,
  pacedRetryDelay,
  WAIT_SLICE_MS,
} from '../../../functions/put-batch/pace';
import { throttledDelay } from '../../../functions/shared/firehose/backoff';
import { DEFAULT_RETRY_POLICY } from '../../../functions/shared/firehose/retry-policy';
import { bucket, Clock, plannedOffsets, type SimResult, secondWriter } from './pacing-sim';
import { asyncBoard, type BoardCounts, type BoardTiming } from './pacing-sim-board';

/**
 * The Map as AWS runs it, on a simulated clock: `environments` Lambda execution environments (the
 * Map's maxConcurrency), each running ONE item at a time and keeping its AimdPace between items (a
 * reused container). An environment takes the next unstarted item when its previous one has finished
 * (its board requests settled), and the item is ready `startMs` later (child start, claim, chunk read).
 * The item then waits for its turn as waitForTurn does (each slice of at most WAIT_SLICE_MS starts a
 * board read if one is due, at most every boardReadEveryMs(environments), without waiting for it; the
 * rate advanced; at most MAX_PACING_WAIT_MS), sends, and retries what was throttled at the next
 * one-second window; it reads the board only while waiting, never while it sends or retries (as
 * pace.ts). Each answer publishes a new cut without holding the next call; the environment is free
 * once the board is settled or the invocation's deadline (the retry budget) has come. With `board`,
 * the environments share one rate (pacing-sim-board.ts, whose header lists the protocol's rules).
 */
export interface LambdaSimSettings {
  /** Bytes of each entry of each chunk, in manifest order. */
  chunks: number[][];
  bytesPerSecond: number;
  environments: number;
  /** Milliseconds from the Map's start until environment `index` starts its first item. */
  firstStartMs(index: number): number;
  /** From an environment being free (or started) until its item has claimed and read its chunk. */
  startMs(random: () => number): number;
  latencyMs(random: () => number, bytes: number): number;
  secondWriterBytesPerSecond?: number;
  /** The shared rate's board; without it each environment paces on its own rate. */
  board?: BoardTiming;
  aimd?: Partial<AimdSettings>;
  random: () => number;
}

export interface LambdaSimResult extends SimResult {
  /** Each chunk's rate when it finished (the outcome's paceRate), by chunk index. */
  finishRates: number[];
  /** The rate of the environment that finished last, when it did. */
  endRate: number;
  board: BoardCounts | undefined;
}

export function simulateLambdaMap(settings: LambdaSimSettings): LambdaSimResult {
  const offsets = plannedOffsets(settings.chunks, settings.bytesPerSecond);
  const aimd = { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1, ...settings.aimd };
  const paces = Array.from(
    { length: settings.environments },
    () => new AimdPace(MAP_START_ALLOWANCE_MS, aimd),
  );
  const clock = new Clock();
  const { random } = settings;
  const readEveryMs = boardReadEveryMs(settings.environments);
  const board = settings.board ? asyncBoard(clock, paces, settings.board, random, readEveryMs) : undefined;
  const take = bucket(settings.bytesPerSecond);
  const result = { jobMs: 0, calls: 0, throttledEntries: 0, entries: 0, endRate: 1 };
  const finishRates: number[] = [];
  const sum = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);
  let next = 0;

  const runItem = (env: number, index: number) => {
    const pace = paces[env] as AimdPace;
    const offset = offsets[index] as number;
    const entries = settings.chunks[index] as number[];
    const deadline = clock.now + MAX_PACING_WAIT_MS;
    const invocationEnd = clock.now + DEFAULT_RETRY_POLICY.budgetMs;
    let firstAtMs = 0;
    const finish = () => {
      finishRates[index] = pace.rate;
      result.jobMs = Math.max(result.jobMs, clock.now);
      result.endRate = pace.rate;
      if (board) board.settled(env, invocationEnd - clock.now, () => free(env));
      else free(env);
    };
    const send = (pending: number[], attempt: number) => {
      const sentAtMs = clock.now;
      if (attempt === 0) firstAtMs = sentAtMs;
      clock.at(sentAtMs + settings.latencyMs(random, sum(pending)), () => {
        const nowMs = clock.now;
        result.calls += 1;
        const throttled = pending.filter((size) => !take(size, nowMs));
        result.entries += pending.length;
        result.throttledEntries += throttled.length;
        const call = {
          entries: pending.length,
          throttled: throttled.length,
          bytes: sum(pending),
          throttledBytes: sum(throttled),
        };
        // paced-send.ts's afterCall: a retry dates from the chunk's first call.
        pace.record(call, offset, nowMs, attempt > 0 ? firstAtMs : sentAtMs);
        board?.publish(env);
        if (throttled.length === 0 || attempt + 1 >= DEFAULT_RETRY_POLICY.maxAttempts) return finish();
        const delay =
          pacedRetryDelay(pace, { attempt: attempt + 1 }) ??
          throttledDelay(attempt, DEFAULT_RETRY_POLICY, random, nowMs);
        clock.at(nowMs + delay, () => send(throttled, attempt + 1));
      });
    };
    const claimTurn = () => {
      const left = Math.min(pace.claimTurn(offset, clock.now, BURST_MS), deadline) - clock.now;
      clock.at(clock.now + (left > 0.5 ? Math.ceil(left) : 0), () => send(entries, 0));
    };
    // waitForTurn: start a board read (if due) without waiting for it, advance the rate, sleep at
    // most WAIT_SLICE_MS; what the read adopts counts from the next slice.
    const wait = () => {
      board?.sync(env);
      pace.advance(clock.now);
      const left = Math.min(pace.sendAt(offset), deadline) - clock.now;
      if (left <= 0.5) return claimTurn();
      clock.at(clock.now + Math.min(Math.ceil(left), WAIT_SLICE_MS), wait);
    };
    wait();
  };
  const free = (env: number) => {
    if (next >= settings.chunks.length) return;
    const index = next++;
    clock.at(clock.now + settings.startMs(random), () => runItem(env, index));
  };
  for (let env = 0; env < settings.environments; env++) {
    clock.at(settings.firstStartMs(env), () => free(env));
  }
  const writer = settings.secondWriterBytesPerSecond ?? 0;
  if (writer > 0) secondWriter(clock, take, writer);
  clock.runAll();
  const jobBytes = sum(settings.chunks.flat());
  return {
    ...result,
    chunks: settings.chunks.length,
    boundMs: (jobBytes / (settings.bytesPerSecond - writer)) * 1000,
    finishRates,
    board: board?.counts,
  };
}
