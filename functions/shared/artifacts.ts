/**
 * Where a run keeps its artefacts in the artifact bucket. Everything of a run lives under
 * `runs/<runId>/`, so IAM can be scoped to that prefix and a lifecycle rule can expire it.
 */
export const RUNS_PREFIX = 'runs/';

const round = (n: number) => `round-${String(n).padStart(2, '0')}`;

/**
 * A Map state's EnteredTime as a key segment: the instant in ISO 8601 with the colons dropped
 * (`2026-12-01T020753.123Z`), which S3's guide lists among characters that may need special handling.
 * One instant gives one segment however it was written; anything that is no date is escaped whole.
 */
export function keySafeInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isFinite(ms)) return new Date(ms).toISOString().replace(/:/g, '');
  return `x${Buffer.from(iso).toString('hex')}`;
}

export const artifactKeys = {
  run: (runId: string) => `${RUNS_PREFIX}${runId}/`,
  plan: (runId: string) => `${RUNS_PREFIX}${runId}/plan.json`,
  rejects: (runId: string) => `${RUNS_PREFIX}${runId}/rejects.jsonl`,
  manifest: (runId: string, n: number) => `${RUNS_PREFIX}${runId}/${round(n)}/manifest.jsonl`,
  outcomesPrefix: (runId: string, n: number) => `${RUNS_PREFIX}${runId}/${round(n)}/outcomes/`,
  outcome: (runId: string, n: number, chunkId: string) =>
    `${RUNS_PREFIX}${runId}/${round(n)}/outcomes/${chunkId}.json`,
  requeue: (runId: string, n: number, chunkId: string) =>
    `${RUNS_PREFIX}${runId}/${round(n)}/requeue/${chunkId}.jsonl`,
  /** What AdvanceRound published of the round's accepted minutes: one object per PutMetricData request. */
  publishedPrefix: (runId: string, n: number) => `${RUNS_PREFIX}${runId}/${round(n)}/accepted-published/`,
  published: (runId: string, n: number, index: number) =>
    `${RUNS_PREFIX}${runId}/${round(n)}/accepted-published/${String(index).padStart(4, '0')}.json`,
  /** The one rate a Map run's PutBatch children share (functions/put-batch/rate-board.ts). */
  paceBoard: (runId: string, n: number, mapStartedAt: string) =>
    `${RUNS_PREFIX}${runId}/${round(n)}/pace/${keySafeInstant(mapStartedAt)}.json`,
  deadLetterRecords: (runId: string) => `${RUNS_PREFIX}${runId}/dead-letter/records.jsonl`,
  deadLetterManifest: (runId: string) => `${RUNS_PREFIX}${runId}/dead-letter/manifest.jsonl`,
} as const;

/** Dead-letter record files may be the source of a rerun even though they are not in the source bucket. */
export function isDeadLetterRecordsKey(key: string): boolean {
  return /^runs\/[^/]+\/dead-letter\/records\.jsonl$/.test(key);
}

/** Chunk ids sort in plan order and stay unique across rounds. */
export function chunkId(roundNumber: number, index: number): string {
  return `r${roundNumber}-c${String(index).padStart(6, '0')}`;
}
