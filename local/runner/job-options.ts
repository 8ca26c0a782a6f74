import type { FaultSettings, FirehoseQuotas } from '@firehose-loader/local-services';
import type { InputFormat } from '../../functions/shared/chunk';
import type { RetryPolicy } from '../../functions/shared/firehose';
import type { DuplicateChildren } from './duplicate-children';
import type { LambdaHandler } from './local-lambdas';
import type { LocalResourceNames } from './local-resources';
import type { OpenRunFile } from './run-file';

/** Everything a local run can be asked to do: the job's settings, the local environment's and faults. */
export interface LocalJobOptions {
  /** Everything local lives here: `services/` (the S3 files) and `runs/<runId>/`. */
  dataDir: string;
  /** The file to load; it is staged in the local source bucket (putFile). */
  inputFile?: string;
  /** Or an object already in the local S3 (a previous run's dead-letter records, for `rerun-failed`). */
  sourceObject?: { bucket: string; key: string };
  format?: InputFormat;
  individualRecords?: number;
  pack?: boolean;
  maxConcurrency?: number;
  requeueRounds?: number;
  /** Sent as the execution input instead of the one built from the options (tests of invalid input). */
  rawExecutionInput?: unknown;
  faults?: Partial<FaultSettings>;
  quotas?: Partial<FirehoseQuotas>;
  /**
   * Local CloudWatch shows datapoints this long after they are put, as AWS does a minute or more later,
   * so CheckMetrics meets MetricsLaggingError. With fastTimers its retries then come every half of it.
   */
  metricPublishDelayMs?: number;
  /** A new local stream is CREATING this long (LocalServicesOptions.streamCreatingMs). */
  streamCreatingMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Tests: Wait states and Step Functions retries take milliseconds. */
  fastTimers?: boolean;
  runId?: string;
  /** Progress lines go to stderr (or `write`); `interactive` draws bars. */
  progress?: { write?: (text: string) => void; interactive: boolean };
  names?: LocalResourceNames;
  /**
   * Run the local services in this process instead of a child process of their own (the default,
   * which gives them a core of their own while the engine and the handlers use this one).
   */
  inProcessServices?: boolean;
  /**
   * PutBatch paces itself to the quota the job finds in the local CloudWatch, as on AWS (default
   * true). False (PACE_TO_QUOTA=false): retries alone handle throttling, for comparisons.
   */
  paceToQuota?: boolean;
  /**
   * Run the handlers in this many worker threads (0: in this thread, with the engine). Threads let
   * many PutBatch items use the core the engine leaves idle (see handler-threads.ts) but take a moment
   * to start, so `auto` (the default) uses them only for an input file of AUTO_THREADS_MIN_BYTES or more.
   */
  handlerThreads?: number | 'auto';
  /** Fault tests: wraps a function's handler (by ARN), e.g. to crash after Firehose accepted a batch. */
  wrapHandler?: (functionArn: string, handler: LambdaHandler) => LambdaHandler;
  /** Fault: every chunk's child execution starts twice, at once or late, as AWS may (duplicate-children.ts). */
  duplicateChildren?: DuplicateChildren;
  /**
   * Aborted (Ctrl-C): the run stops sending, waits for the calls in flight, totals what happened and
   * returns an INTERRUPTED summary; `resume` goes on from there.
   */
  signal?: AbortSignal;
  /** Fault tests: how the run opens its own files (events, function logs), e.g. one that fails ENOSPC. */
  openRunFile?: OpenRunFile;
}
