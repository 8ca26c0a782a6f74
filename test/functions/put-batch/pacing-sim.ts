import { AimdPace, type AimdSettings, DEFAULT_AIMD } from '../../../functions/put-batch/aimd';
import {
  BURST_MS,
  boardReadEveryMs,
  MAP_START_ALLOWANCE_MS,
  pacedRetryDelay,
  WAIT_SLICE_MS,
} from '../../../functions/put-batch/pace';
import { throttledDelay } from '../../../functions/shared/firehose/backoff';
import { DEFAULT_RETRY_POLICY } from '../../../functions/shared/firehose/retry-policy';
import { PaceSchedule } from '../../../functions/shared/quota/schedule';
import { descriptor } from '../fixtures';
import { asyncBoard } from './pacing-sim-board';

/**
 * A simulated clock run of the pacing logic against a stream's bytes quota, without a machine: Map
 * children in several environments (each with its own AimdPace, as Lambda containers have), each send
 * arriving after a latency, Firehose taking each entry from a one-second token bucket, throttled
 * entries retried at the next one-second window (as the sender does), and optionally a second writer
 * sending a steady share every 100 ms. What it measures depends on the logic alone, never on timing.
 */
export interface SimSettings {
  /** Bytes of each entry of each chunk, in manifest order. */
  chunks: number[][];
  bytesPerSecond: number;
  environments: number;
  /** Milliseconds from the Map's start until item `index` has claimed and read its chunk. */
  readyAtMs(index: number): number;
  /** Milliseconds from a call leaving to Firehose taking its entries. */
  latencyMs(random: () => number, bytes: number): number;
  secondWriterBytesPerSecond?: number;
  /**
   * The environments share one rate through a board, as functions/put-batch/shared-rate.ts does through
   * S3 (pacing-sim-board.ts: reads started while waiting and never awaited, compare-and-swap writes).
   */
  sharedRate?: boolean;
  /** Each board GET's and PUT's round trip in milliseconds (default 50). */
  boardLatencyMs?: number;
  /** Settings of the rate that differ from DEFAULT_AIMD (to compare a change on the same seeds). */
  aimd?: Partial<AimdSettings>;
  random: () => number;
}

export interface SimResult {
  /** Map start to the last chunk's last answer. */
  jobMs: number;
  /** The job's bytes ÷ what the quota (less the second writer's share) lets through per ms. */
  boundMs: number;
  calls: number;
  chunks: number;
  throttledEntries: number;
  entries: number;
}

/** Events run in time order (ties in the order they were added); `now` is the running event's time. */
export class Clock {
  now = 0;
  /** A binary min-heap on (atMs, seq): the simulations run hundreds of thousands of events. */
  private heap: { atMs: number; seq: number; run: () => void; cancelled?: boolean }[] = [];
  private seq = 0;
  private cancelled = 0;

  at(atMs: number, run: () => void): void {
    this.timer(atMs, run);
  }

  /** As `at`, but cancellable: a cancelled event no longer keeps the clock busy (`idle`). */
  timer(atMs: number, run: () => void): { cancel(): void } {
    const heap = this.heap;
    const event: (typeof heap)[number] = { atMs: Math.max(atMs, this.now), seq: this.seq++, run };
    heap.push(event);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
    return {
      cancel: () => {
        if (event.cancelled) return;
        event.cancelled = true;
        this.cancelled += 1;
      },
    };
  }

  get idle(): boolean {
    return this.heap.length === this.cancelled;
  }

  runAll(): void {
    const heap = this.heap;
    while (heap.length > 0) {
      const event = heap[0] as (typeof heap)[number];
      const last = heap.pop() as (typeof heap)[number];
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const left = 2 * i + 1;
          const right = left + 1;
          let least = i;
          if (left < heap.length && this.before(left, least)) least = left;
          if (right < heap.length && this.before(right, least)) least = right;
          if (least === i) break;
          this.swap(i, least);
          i = least;
        }
      }
      if (event.cancelled) {
        this.cancelled -= 1;
        continue;
      }
      this.now = event.atMs;
      event.run();
    }
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a] as (typeof this.heap)[number];
    const y = this.heap[b] as (typeof this.heap)[number];
    return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    [heap[a], heap[b]] = [heap[b] as (typeof heap)[number], heap[a] as (typeof heap)[number]];
  }
}

/** Token bucket of one second's capacity, as the local Firehose keeps per quota. */
export function bucket(ratePerSecond: number) {
  let tokens = ratePerSecond;
  let last = 0;
  return (amount: number, nowMs: number): boolean => {
    tokens = Math.min(ratePerSecond, tokens + ((nowMs - last) / 1000) * ratePerSecond);
    last = nowMs;
    if (tokens < amount) return false;
    tokens -= amount;
    return true;
  };
}

/** As bench/quota-data.ts's writer: every 100 ms, what was throttled first, then new records up to a tenth of its rate. */
export function secondWriter(clock: Clock, take: ReturnType<typeof bucket>, bytesPerSecond: number): void {
  const perTick = bytesPerSecond / 10;
  let backlog: number[] = [];
  const tick = () => {
    const batch = backlog.slice(0, 500);
    backlog = backlog.slice(batch.length);
    let bytes = batch.reduce((a, b) => a + b, 0);
    while (batch.length < 500 && bytes < perTick) {
      batch.push(perTick / 500);
      bytes += perTick / 500;
    }
    backlog.push(...batch.filter((size) => !take(size, clock.now)));
    if (!clock.idle) clock.at(clock.now + 100, tick);
  };
  clock.at(0, tick);
}

/** Each chunk's planned offset, as Plan's PaceSchedule gives it at the bytes quota. */
export function plannedOffsets(chunks: number[][], bytesPerSecond: number): number[] {
  const schedule = new PaceSchedule({ bytesPerSecond, recordsPerSecond: 1e12, requestsPerSecond: 1e12 });
  return chunks.map(
    (entries) =>
      schedule.place(
        descriptor({ firehoseRecords: entries.length, payloadBytes: entries.reduce((a, b) => a + b, 0) }),
      ).paceOffsetMs ?? 0,
  );
}

export function simulatePacing(settings: SimSettings): SimResult {
  const offsets = plannedOffsets(settings.chunks, settings.bytesPerSecond);
  const paces = Array.from(
    { length: settings.environments },
    () =>
      new AimdPace(MAP_START_ALLOWANCE_MS, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1, ...settings.aimd }),
  );
  const take = bucket(settings.bytesPerSecond);
  const clock = new Clock();
  const boardMs = () => settings.boardLatencyMs ?? 50;
  const board = settings.sharedRate
    ? asyncBoard(
        clock,
        paces,
        { getMs: boardMs, putMs: boardMs },
        settings.random,
        boardReadEveryMs(settings.environments),
      )
    : undefined;
  const at = (atMs: number, run: () => void) => clock.at(atMs, run);
  const result = { jobMs: 0, calls: 0, throttledEntries: 0, entries: 0 };

  /** One call of a chunk (its first or a retry of what was throttled), answered on arrival. */
  const send =
    (env: number, offset: number, pending: number[], attempt: number, firstAtMs?: number) =>
    (sentAtMs: number) =>
      at(
        sentAtMs +
          settings.latencyMs(
            settings.random,
            pending.reduce((a, b) => a + b, 0),
          ),
        () => {
          const nowMs = clock.now;
          result.calls += 1;
          const throttled = pending.filter((size) => !take(size, nowMs));
          result.entries += pending.length;
          result.throttledEntries += throttled.length;
          // As the sender's afterCall hook: each answer goes to the rate at once.
          const leftAt = firstAtMs ?? sentAtMs;
          const sum = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);
          const call = {
            entries: pending.length,
            throttled: throttled.length,
            bytes: sum(pending),
            throttledBytes: sum(throttled),
          };
          const pace = paces[env] as AimdPace;
          pace.record(call, offset, nowMs, leftAt);
          board?.publish(env);
          if (throttled.length > 0 && attempt + 1 < DEFAULT_RETRY_POLICY.maxAttempts) {
            const delay =
              pacedRetryDelay(pace, { attempt: attempt + 1 }) ??
              throttledDelay(attempt, DEFAULT_RETRY_POLICY, settings.random, nowMs);
            send(env, offset, throttled, attempt + 1, leftAt)(nowMs + delay);
          } else result.jobMs = Math.max(result.jobMs, nowMs);
        },
      );

  settings.chunks.forEach((entries, index) => {
    const env = Math.floor(settings.random() * paces.length);
    const pace = paces[env] as AimdPace;
    const offset = offsets[index] as number;
    const turn = () => {
      const nowMs = clock.now;
      board?.sync(env);
      pace.advance(nowMs);
      const due = pace.sendAt(offset);
      if (due - nowMs > 0.5) return at(nowMs + Math.min(Math.ceil(due - nowMs), WAIT_SLICE_MS), turn);
      const turnAt = pace.claimTurn(offset, nowMs, BURST_MS);
      send(env, offset, entries, 0)(turnAt);
    };
    at(settings.readyAtMs(index), turn);
  });
  const writer = settings.secondWriterBytesPerSecond ?? 0;
  if (writer > 0) secondWriter(clock, take, writer);

  clock.runAll();
  const jobBytes = settings.chunks.flat().reduce((a, b) => a + b, 0);
  return {
    ...result,
    chunks: settings.chunks.length,
    boundMs: (jobBytes / (settings.bytesPerSecond - writer)) * 1000,
  };
}
