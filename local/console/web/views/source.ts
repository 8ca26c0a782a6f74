import type { ChunkDetail, MapRunView, MetricsView, RecordsKind, RecordsPage } from './types';

/**
 * Where the views get their data: the console server's read-only routes for one run. A test or the AWS
 * console passes its own.
 *   GET /api/runs/:id/map-run
 *   GET /api/runs/:id/chunks/:round/:index
 *   GET /api/runs/:id/records/:kind?q=&offset=&limit=   (kind: rejects | dead-letters; download=1: the file)
 *   GET /api/runs/:id/metrics
 */
export interface ViewSource {
  mapRun(): Promise<MapRunView>;
  chunk(round: number, index: number): Promise<ChunkDetail>;
  records(kind: RecordsKind, query: { q: string; offset: number; limit: number }): Promise<RecordsPage>;
  /** The address of the whole file, for a download link. */
  downloadUrl(kind: RecordsKind): string;
  metrics(): Promise<MetricsView>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `${url}: HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}

/** The routes of the console server for `runId`; `base` prefixes them (e.g. '/aws' for AWS executions). */
export function httpSource(runId: string, base = ''): ViewSource {
  const run = `${base}/api/runs/${encodeURIComponent(runId)}`;
  return {
    mapRun: () => getJson(`${run}/map-run`),
    chunk: (round, index) => getJson(`${run}/chunks/${round}/${index}`),
    records: (kind, query) => {
      const params = new URLSearchParams({
        q: query.q,
        offset: String(query.offset),
        limit: String(query.limit),
      });
      return getJson(`${run}/records/${kind}?${params}`);
    },
    downloadUrl: (kind) => `${run}/records/${kind}?download=1`,
    metrics: () => getJson(`${run}/metrics`),
  };
}
