import { Readable } from 'node:stream';
import { type ChunkDetail, readLocalChunkDetail } from './chunk-detail';
import type { LocalResourceNames } from './contract';
import { ConsoleDataError } from './errors';
import { localArtifactStoreFor } from './local-source';
import { readLocalMapRun } from './map-run';
import type { MapRunView } from './map-run-model';
import { readLocalMetrics } from './metrics';
import type { MetricsView } from './metrics-model';
import { openRecordsDownload, type RecordsDownload, type RecordsPage, readRecordsPage } from './records';

/**
 * The four read-only routes of a local run, free of any web framework: the console server passes the
 * path parameters and query as strings and sends back what these return.
 *   GET /api/runs/:id/map-run                          → MapRunView
 *   GET /api/runs/:id/chunks/:round/:index             → ChunkDetail
 *   GET /api/runs/:id/records/:kind?q=&offset=&limit=  → RecordsPage   (kind: rejects | dead-letters)
 *   GET /api/runs/:id/records/:kind?download=1         → the whole file (a Response)
 *   GET /api/runs/:id/metrics                          → MetricsView
 * A refused or missing thing throws a ConsoleDataError: `errorResponse` turns it into its status and a
 * one-line `{ error }`; anything else is the server's to report (500).
 */
export interface LocalDataContext {
  dataDir: string;
  names?: LocalResourceNames;
  /** METRICS_NAMESPACE of the runs (FirehoseLoader by default). */
  metricsNamespace?: string;
}

type Params = Record<string, string | undefined>;

export const mapRunRoute = (context: LocalDataContext, params: Params): Promise<MapRunView> =>
  readLocalMapRun(
    { dataDir: context.dataDir, ...(context.names ? { names: context.names } : {}) },
    params.id ?? '',
  );

export const chunkRoute = (context: LocalDataContext, params: Params): Promise<ChunkDetail> =>
  readLocalChunkDetail(
    { dataDir: context.dataDir, ...(context.names ? { names: context.names } : {}) },
    params.id ?? '',
    params.round ?? '',
    params.index ?? '',
  );

export async function recordsRoute(
  context: LocalDataContext,
  params: Params,
  query: Params,
): Promise<RecordsPage | Response> {
  const store = await localArtifactStoreFor(context.dataDir, context.names);
  if (query.download === '1')
    return recordsResponse(await openRecordsDownload(store, params.id ?? '', params.kind ?? ''));
  const { q, offset, limit } = query;
  return readRecordsPage(store, params.id ?? '', params.kind ?? '', {
    ...(q !== undefined ? { q } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(limit !== undefined ? { limit } : {}),
  });
}

/** The whole records file as a download response, streamed. */
export function recordsResponse(file: RecordsDownload): Response {
  return new Response(Readable.toWeb(Readable.from(file.body)) as ReadableStream, {
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.fileName}"`,
      ...(file.bytes !== undefined ? { 'content-length': String(file.bytes) } : {}),
    },
  });
}

export const metricsRoute = (context: LocalDataContext, params: Params): Promise<MetricsView> =>
  readLocalMetrics(
    undefined,
    {
      dataDir: context.dataDir,
      ...(context.names ? { streamName: context.names.streamName } : {}),
      ...(context.metricsNamespace ? { namespace: context.metricsNamespace } : {}),
    },
    params.id ?? '',
  );

/** A refused request as its status and one line; undefined for an error that is not the client's. */
export function errorResponse(error: unknown): { status: number; body: { error: string } } | undefined {
  return error instanceof ConsoleDataError
    ? { status: error.status, body: { error: error.message } }
    : undefined;
}
