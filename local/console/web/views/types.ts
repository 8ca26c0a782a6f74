/**
 * The shapes the views read from the console's routes, as the data modules send them
 * (local/console/data/map-run-model.ts, chunk-detail.ts, records.ts, metrics-model.ts). Kept free of
 * Node and DOM types so both sides compile them; test/console/data/wire-types.test.ts checks that the
 * data modules' results fit them.
 */

export type ChunkStatus = 'delivered' | 'requeued' | 'deadLettered' | 'failed' | 'running' | 'pending';

export interface ChunkRow {
  round: number;
  index: number;
  chunkId: string;
  status: ChunkStatus;
  records: number;
  bytes: number;
  mode: string;
  delivered: number | null;
  requeued: number | null;
  attempts: number | null;
  failedEntries: number | null;
  throttledEntries: number | null;
  takenOverClaims: number | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
}

export interface RoundView {
  round: number;
  chunks: number;
  records: number;
  statuses: Record<ChunkStatus, number>;
  ended: boolean;
}

export interface MapRunView {
  runId: string;
  rounds: RoundView[];
  chunks: ChunkRow[];
}

export interface ChunkDetail {
  runId: string;
  round: number;
  index: number;
  chunkId: string;
  status: ChunkStatus;
  descriptor: object;
  outcome: object | null;
  claim: object | null;
  deadLettered: boolean;
  bucket: string;
  keys: { manifest: string; outcome: string; requeue: string | null };
  log: { lines: Record<string, unknown>[]; truncated: boolean } | null;
}

export type RecordsKind = 'rejects' | 'dead-letters';

export interface RecordRow {
  position: number;
  record: number | null;
  line: number | null;
  offset: number | null;
  reason: string;
  excerpt: string;
  chunkId: string | null;
}

export interface RecordsPage {
  runId: string;
  kind: RecordsKind;
  bucket: string;
  key: string;
  exists: boolean;
  q: string;
  offset: number;
  limit: number;
  rows: number;
  matches: number;
  page: RecordRow[];
}

export interface ChartSeries {
  id: string;
  metricName: string;
  namespace: string;
  unit: string;
  values: (number | null)[];
  quota: (number | null)[] | null;
  quotaPerSecond: number | null;
}

export interface MetricsView {
  streamName: string;
  start: string;
  end: string;
  periodSeconds: number;
  timestamps: number[];
  series: ChartSeries[];
}

/** What a mounted view gives back: fetch again (e.g. on a run update), and take it down. */
export interface ViewHandle {
  refresh(): Promise<void>;
  destroy(): void;
}
