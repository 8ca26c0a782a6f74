import type { LoggerLike } from '../logger';

/** What the sender needs from its surroundings; tests replace all of it to control time. */
export interface SenderDeps {
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), like Math.random. */
  random(): number;
  /** Milliseconds, like Date.now; only differences are used. */
  now(): number;
  logger: LoggerLike;
  /** PutRecord one by one: awaited before record `index` is first sent (pacing under a quota). */
  beforeRecord?(index: number): Promise<void>;
  /**
   * After each call's answer (pacing under a quota): how many entries it carried and how many were
   * throttled (all of them when the whole call was refused as throttled), and when it left. A rate
   * that must slow down learns of throttling at once, not only after the retries' waits.
   */
  afterCall?(call: CallReport): void;
  /**
   * Pacing under a quota: the wait before retrying a call whose failures were all throttling, or
   * undefined for the usual wait until the next quota window.
   */
  throttledRetryDelay?(call: CallReport): number | undefined;
}

export interface CallReport {
  /** 1 for an entry's first call, more for a retry of what an earlier call left failed. */
  attempt: number;
  entries: number;
  throttled: number;
  /** Payload bytes the call carried, and those of its throttled entries (all when it was refused). */
  bytes: number;
  throttledBytes: number;
  sentAtMs: number;
}

/** An input record Firehose did not accept by the time the sender gave up. */
export interface EntryFailure {
  /** Position in the caller's input array. */
  index: number;
  /** Firehose's per-entry ErrorCode, the name of a whole-call error, or a sender code. */
  errorCode: string;
  errorMessage: string;
}

export interface SendOutcome {
  accepted: number;
  acceptedBytes: number;
  /** Entries still failed when attempts or budget ran out, in input order. */
  failed: EntryFailure[];
  /** Rounds of sending (1 = no retry). For PutRecord one by one: the most any one record needed. */
  attempts: number;
  /** HTTP API calls made (PutRecordBatch or PutRecord). */
  calls: number;
  /** Entry results with ServiceUnavailableException in a response (not the entries of a refused call). */
  throttledEntries: number;
  /** Whole calls refused with a retryable error ("Slow down.", 500, a reset): their entries were not sent. */
  refusedRequests: number;
  /** Sum of FailedPutCount over all PutRecordBatch responses. */
  failedPutCount: number;
  /** Payload bytes put on the wire over all calls, retries included. */
  bytesSent: number;
  /**
   * Entries (indices, once per call) of calls that got no answer: a timeout or a connection dropped
   * after the request may have arrived. Firehose may have taken them, so each resend may duplicate them.
   * Absent when every call was answered.
   */
  unanswered?: number[];
}

export const FirehoseOperation = { putRecordBatch: 'PutRecordBatch', putRecord: 'PutRecord' } as const;
export type FirehoseOperation = (typeof FirehoseOperation)[keyof typeof FirehoseOperation];

export function emptyOutcome(): SendOutcome {
  return {
    accepted: 0,
    acceptedBytes: 0,
    failed: [],
    attempts: 0,
    calls: 0,
    throttledEntries: 0,
    refusedRequests: 0,
    failedPutCount: 0,
    bytesSent: 0,
  };
}
