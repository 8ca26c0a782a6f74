/** The shapes the server sends (local/console/server/runs.ts, run-watch.ts), as the page reads them. */
import type { GraphModel } from '../../graph/model';

export type { GraphModel };

export interface Records {
  input: number;
  delivered: number;
  deadLettered: number;
  rejected: number;
  pending: number;
}

/** With `console --aws`: the execution and its links to the AWS console. */
export interface AwsLinks {
  executionArn: string;
  consoleUrl: string;
  mapRuns?: { mapRunArn: string; consoleUrl: string }[];
}

export interface RunRow {
  runId: string;
  status: string;
  startedAt: number | null;
  durationMs: number | null;
  /** Null for an execution on AWS whose history was not read yet. */
  records: Records | null;
  calls: number | null;
  canRerun: boolean;
  canResume: boolean;
  /** Local runs only: Stop (Ctrl-C) for a run this console started, and why a going run has none. */
  canStop?: boolean;
  stopNote?: string;
  launch?: { kind: string; of?: string };
  error?: string;
  aws?: AwsLinks;
}

export interface StateStats {
  entered: number;
  succeeded: number;
  failed: number;
  retried: number;
  caught: number;
  iterations?: { succeeded: number; failed: number };
  outcome: string;
}

export interface Summary {
  status: string;
  error?: { name: string; message: string };
  records: Records & { requeued: number; possibleDuplicates: number };
  firehose: Record<string, number | string>;
  plan: Record<string, number>;
  metrics: { incomingRecords: number | null; incomingBytes: number | null; verdict: string };
  durationMs: number;
  reruns?: string[];
}

export interface Progress {
  phase: string;
  round: number;
  roundChunks: number;
  chunksDone: number;
  chunksFailed: number;
  chunksInFlight: number;
  roundRecords: number;
  plannedRecords: number;
  delivered: number;
  requeued: number;
  throttledEntries: number;
  failedEntries: number;
  refusedCalls: number;
  chunkRetries: number;
  perSecond?: number;
  secondsLeft?: number;
}

export interface RunDetail extends RunRow {
  records: Records;
  eventCount: number;
  facts: {
    summary?: Summary;
    live?: Summary;
    stats: Record<string, StateStats>;
    progress: Progress;
    lines: string[];
    ended: boolean;
  };
}

export interface EngineEvent {
  type: string;
  timestamp: number;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  retry?: { attempt: number };
  Error?: string;
  Cause?: unknown;
}
