/**
 * What a local run is doing now, built from the engine's events and the handlers' log lines, with no
 * clock of its own (every update takes `now`), so it is tested without timers. progress-text.ts turns
 * it into lines.
 */

export const Phase = {
  starting: 'starting',
  planning: 'planning',
  sending: 'sending',
  totalling: 'totalling',
  waitingBeforeRound: 'waitingBeforeRound',
  checkingMetrics: 'checkingMetrics',
  /** The execution has ended; calls still in flight (a stop) and the threads' last lines are counted. */
  finishing: 'finishing',
  done: 'done',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** The fields of a handler log line the progress reads (functions/shared/firehose/retry-loop.ts). */
export interface HandlerLogLine {
  message?: string;
  chunkId?: string;
  records?: number;
  accepted?: number;
  failed?: number;
  /** The response's FailedPutCount: entries refused one by one (0 when the whole call was refused). */
  failedPutCount?: number;
  throttled?: number;
  delayMs?: number;
  category?: string;
  errorName?: string;
  /** A refused call that no retry can help (the chunk fails): not counted as a refused request. */
  retryable?: boolean;
  /** "chunk put": the outcome PutBatch recorded for its chunk, the one the summary adds up. */
  delivered?: number;
  requeued?: number;
}

export interface ProgressModel {
  phase: Phase;
  round: number;
  /** Input records in this round, and the run's (planned) input records. */
  roundRecords: number;
  plannedRecords: number;
  roundChunks: number;
  chunksDone: number;
  chunksFailed: number;
  chunksInFlight: Set<number>;
  /** Input records delivered over all rounds, from the chunks' recorded outcomes ("chunk put"). */
  delivered: number;
  /** Firehose entries, live from each call: refused as throttled, refused otherwise. */
  throttledEntries: number;
  failedEntries: number;
  /** Whole calls refused before any entry got a result ("Slow down." for the call, 500, a reset). */
  refusedCalls: number;
  /** Input records handed to a later round (from the same outcomes). */
  requeued: number;
  /** Step Functions retries of a whole chunk (after a chunk got nothing accepted). */
  chunkRetries: number;
  metricsRetries: number;
  /** chunkId -> when its sender's backoff ends (ms since epoch). */
  backoffUntil: Map<string, number>;
  /** When the current wait (before a round, or for CloudWatch) ends. */
  waitUntil?: number;
  /** When the first chunk of the run started, for records/s. */
  sendingSince?: number;
  /** When the first throttled entry was seen (the progress says so once). */
  throttlingSeenAt?: number;
}

export const newProgressModel = (): ProgressModel => ({
  phase: Phase.starting,
  round: 0,
  roundRecords: 0,
  plannedRecords: 0,
  roundChunks: 0,
  chunksDone: 0,
  chunksFailed: 0,
  chunksInFlight: new Set(),
  delivered: 0,
  throttledEntries: 0,
  failedEntries: 0,
  refusedCalls: 0,
  requeued: 0,
  chunkRetries: 0,
  metricsRetries: 0,
  backoffUntil: new Map(),
});

export function startRound(model: ProgressModel, round: number, chunks: number, records: number): void {
  model.phase = chunks > 0 ? Phase.sending : Phase.totalling;
  model.round = round;
  model.roundChunks = chunks;
  model.roundRecords = records;
  model.chunksDone = 0;
  model.chunksFailed = 0;
  model.chunksInFlight.clear();
  model.backoffUntil.clear();
  model.waitUntil = undefined;
}

/**
 * A chunk's child execution ended. Its delivered and re-queued records are not counted here but from
 * the "chunk put" line its PutBatch logs when it records the outcome: a duplicate child returns the
 * same outcome again, and a chunk still in flight when the run stops ends after the last event.
 */
export function chunkFinished(
  model: ProgressModel,
  index: number | undefined,
  outcome: { chunkId?: string } | undefined,
  failed: boolean,
): void {
  if (index !== undefined) model.chunksInFlight.delete(index);
  model.chunksDone += 1;
  if (failed) model.chunksFailed += 1;
  if (outcome?.chunkId) model.backoffUntil.delete(outcome.chunkId);
}

/** The handler log messages `handlerLogged` reads: a reader of functions.log.jsonl may keep only these. */
export const PROGRESS_LOG_MESSAGES = [
  'Firehose call done',
  'Firehose call failed',
  'chunk put',
  'Retrying failed Firehose entries',
] as const;

/** One handler log line; returns true when it was the first throttled entry of the run. */
export function handlerLogged(model: ProgressModel, line: HandlerLogLine, now: number): boolean {
  const firstThrottle = model.throttlingSeenAt === undefined;
  let throttled = false;
  if (line.message === 'Firehose call done') {
    const entries = line.throttled ?? 0;
    model.throttledEntries += entries;
    // Entries refused one by one (FailedPutCount), as the summary counts them: a call refused whole
    // also logs "call done", with all its entries failed but none of them refused by an entry result.
    model.failedEntries += Math.max(0, (line.failedPutCount ?? line.failed ?? 0) - entries);
    throttled = entries > 0;
  } else if (line.message === 'Firehose call failed') {
    // The whole call was refused: one request, its entries never got a result of their own. One that
    // no retry can help fails the chunk and is not a refused request in the summary (retry-loop.ts).
    if (line.retryable !== false) model.refusedCalls += 1;
    throttled = line.category === 'throttled';
  } else if (line.message === 'chunk put') {
    model.delivered += line.delivered ?? 0;
    model.requeued += line.requeued ?? 0;
  } else if (line.message === 'Retrying failed Firehose entries' && line.chunkId) {
    model.backoffUntil.set(line.chunkId, now + (line.delayMs ?? 0));
  }
  if (firstThrottle && throttled) {
    model.throttlingSeenAt = now;
    return true;
  }
  return false;
}

/** The latest backoff end among chunks still backing off at `now`, and how many they are. */
export function backingOff(model: ProgressModel, now: number): { chunks: number; until?: number } {
  let chunks = 0;
  let until: number | undefined;
  for (const end of model.backoffUntil.values()) {
    if (end <= now) continue;
    chunks += 1;
    until = until === undefined ? end : Math.max(until, end);
  }
  return { chunks, until };
}

/** Input records per second since sending began, and the seconds the rest would take at that rate. */
export function rateAndEstimate(
  model: ProgressModel,
  now: number,
): { perSecond?: number; secondsLeft?: number } {
  if (model.sendingSince === undefined || model.delivered === 0) return {};
  const seconds = (now - model.sendingSince) / 1000;
  if (seconds <= 0) return {};
  const perSecond = model.delivered / seconds;
  const left = Math.max(0, model.plannedRecords - model.delivered);
  return { perSecond, secondsLeft: left / perSecond };
}
