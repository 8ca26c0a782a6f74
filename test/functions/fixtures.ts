import type { ChunkDescriptor } from '../../functions/shared/chunk';
import type { LoggerLike } from '../../functions/shared/logger';
import { QuotaSource, type RunQuota } from '../../functions/shared/quota/quota';
import { type ChunkOutcome, emptyTotals, type RunState } from '../../functions/shared/run-state';

export interface LogLine {
  level: string;
  message: string;
  attributes: Record<string, unknown>;
}

/** A logger that keeps what it is told, so tests stay quiet and can look at the lines if they need to. */
export function recordingLogger(): LoggerLike & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (message: unknown, ...extra: unknown[]): void => {
      lines.push({
        level,
        message: String(message),
        attributes: (extra[0] ?? {}) as Record<string, unknown>,
      });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A quota Plan found in CloudWatch: every limit read from the stream's metrics. */
export function foundQuota(limits: Omit<RunQuota, 'sources'>): RunQuota {
  return {
    ...limits,
    sources: {
      bytesPerSecond: QuotaSource.metrics,
      recordsPerSecond: QuotaSource.metrics,
      requestsPerSecond: QuotaSource.metrics,
    },
  };
}

export function descriptor(overrides: Partial<ChunkDescriptor> = {}): ChunkDescriptor {
  return {
    chunkId: 'r0-c000000',
    bucket: 'source-bucket',
    key: 'data/records.jsonl',
    etag: '"etag"',
    format: 'jsonl',
    start: 0,
    end: 100,
    records: 10,
    firehoseRecords: 10,
    payloadBytes: 100,
    mode: 'batch',
    pack: false,
    firstRecord: 0,
    firstLine: 1,
    ...overrides,
  };
}

export function outcome(overrides: Partial<ChunkOutcome> = {}): ChunkOutcome {
  return {
    chunkId: 'r0-c000000',
    round: 0,
    records: 10,
    delivered: 10,
    requeued: 0,
    acceptedFirehoseRecords: 10,
    acceptedBytes: 100,
    putRecordCalls: 0,
    putRecordBatchCalls: 1,
    attempts: 1,
    throttledEntries: 0,
    refusedRequests: 0,
    failedPutCount: 0,
    bytesSent: 100,
    ...overrides,
  };
}

export function runState(overrides: Partial<RunState> = {}): RunState {
  return {
    runId: 'run-1',
    startedAt: '2024-05-01T12:00:00.000Z',
    settings: {
      source: { bucket: 'source-bucket', key: 'data/records.jsonl' },
      format: 'jsonl',
      individualRecords: 0,
      pack: false,
      maxConcurrency: 40,
      requeueRounds: 3,
      maxBatchRecords: 500,
      maxBatchBytes: 4 * 1024 * 1024,
    },
    plan: {
      sourceBytes: 0,
      etag: '"etag"',
      records: 0,
      rejected: 0,
      chunks: 0,
      batchChunks: 0,
      individualChunks: 0,
      firehoseRecords: 0,
      payloadBytes: 0,
      billedBytes: 0,
      billedBytesUnpacked: 0,
      billedBytesPacked: 0,
      minimumBatchCalls: 0,
      manifestKey: 'runs/run-1/round-00/manifest.jsonl',
      rejectsKey: 'runs/run-1/rejects.jsonl',
    },
    round: {
      number: 0,
      manifestKey: 'runs/run-1/round-00/manifest.jsonl',
      chunks: 0,
      records: 0,
      next: 'done',
      waitSeconds: 0,
    },
    totals: emptyTotals(),
    ...overrides,
  };
}
