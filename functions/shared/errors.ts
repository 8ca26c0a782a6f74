/**
 * One base class, named subclasses. The state machine's Retry/Catch blocks name these classes
 * (Lambda reports `errorType` = `this.name`), and a test checks every such name exists here.
 */
export class LoaderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LoaderError';
  }
}

/** A setting (environment variable, CLI option or execution input field) is missing or invalid. */
export class ConfigError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** The execution input is invalid; the message names the field. Not retried. */
export class InvalidInputError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** The source file is malformed as a whole (truncated JSON array, garbage after it); names the position. */
export class MalformedSourceError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MalformedSourceError';
  }
}

/** The source object changed since it was planned (ETag or record count differ). Not retried. */
export class SourceChangedError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SourceChangedError';
  }
}

/**
 * Firehose throttled or failed every entry of a chunk and nothing of it was accepted, so a retry of
 * the whole chunk cannot duplicate records. The state machine retries it with backoff and jitter.
 */
export class ChunkThrottledError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ChunkThrottledError';
  }
}

/**
 * Another attempt at the same chunk holds its claim and has neither finished nor been silent longer than
 * the takeover limit (at-least-once Express children start twice). Nothing was sent; the state machine
 * retries later, when the other attempt's outcome is there or its claim may be taken over.
 */
export class ChunkInProgressError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ChunkInProgressError';
  }
}

/**
 * A late attempt at a chunk whose round already ended without its outcome: AdvanceRound handed the
 * chunk to the next round (or the dead letters), so this attempt must not send it. Not retried.
 */
export class ChunkSupersededError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ChunkSupersededError';
  }
}

/** Firehose refused the request in a way a retry cannot fix (bad stream name, access, oversized input). */
export class FirehoseRequestError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FirehoseRequestError';
  }
}

/**
 * An AWS call (S3, CloudWatch) still failed after the SDK's own retries in a way a later attempt can
 * fix: a 5xx, throttling or a network error. The state machine retries it with backoff and jitter.
 */
export class TransientAwsError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientAwsError';
  }
}

/** CloudWatch has not yet caught up with what Firehose accepted; the state machine waits and asks again. */
export class MetricsLaggingError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MetricsLaggingError';
  }
}

/** The run's totals do not add up: a bookkeeping bug, reported instead of a clean-looking run. */
export class AccountingError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AccountingError';
  }
}

/**
 * A Map run's shared pace object (functions/put-batch/rate-board.ts) is not what this code writes (a
 * deployment of another version mid-run, a hand edit). PutBatch never fails on it: it logs it once and
 * paces on its own rate; it is never overwritten blindly.
 */
export class MalformedRateBoardError extends LoaderError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MalformedRateBoardError';
  }
}

/** The names the state machine may use in Retry/Catch `ErrorEquals` besides `States.*` and `Lambda.*`. */
export const LOADER_ERROR_NAMES = [
  'LoaderError',
  'ConfigError',
  'InvalidInputError',
  'MalformedSourceError',
  'SourceChangedError',
  'ChunkThrottledError',
  'ChunkInProgressError',
  'ChunkSupersededError',
  'FirehoseRequestError',
  'MetricsLaggingError',
  'TransientAwsError',
  'AccountingError',
  'MalformedRateBoardError',
] as const;
