import { type ArtifactStore, linesOf } from './artifact-store';
import { artifactKeys, type ChunkDescriptor } from './contract';
import { BadRequestError, NotFoundError } from './errors';
import { type Paging, paging, requireRunId } from './params';

/**
 * A run's rejects file and dead-letter file as pages of rows, searched and paged, and the whole file
 * for download. Only these two files of the run can be asked for: the kind is a closed set and the run
 * id has the shape of a run id, so the key is always `runs/<runId>/…` and never a path from the request.
 */

export const RecordsKind = { rejects: 'rejects', deadLetters: 'dead-letters' } as const;
export type RecordsKind = (typeof RecordsKind)[keyof typeof RecordsKind];

// Enough of a record to recognise it; the file has the rest (download).
export const EXCERPT_CHARS = 200;

export interface RecordRow {
  /** 1-based row of the file. */
  position: number;
  /** The record's 0-based index and 1-based line in the run's source; null where the file does not say. */
  record: number | null;
  line: number | null;
  /** Byte offset of the record in the source (rejects). */
  offset: number | null;
  reason: string;
  excerpt: string;
  /** The chunk the record was dead-lettered from. */
  chunkId: string | null;
}

export interface RecordsPage {
  runId: string;
  kind: RecordsKind;
  bucket: string;
  key: string;
  /** False when the run has no such file (nothing rejected, nothing dead-lettered). */
  exists: boolean;
  q: string;
  offset: number;
  limit: number;
  /** Rows of the file, and rows that match `q`. */
  rows: number;
  matches: number;
  page: RecordRow[];
}

export function requireKind(value: string | undefined): RecordsKind {
  const kinds = Object.values(RecordsKind) as string[];
  if (!value || !kinds.includes(value))
    throw new BadRequestError(`"${value ?? ''}" is not a records file: ${kinds.join(' or ')}`);
  return value as RecordsKind;
}

export function recordsKey(runId: string, kind: RecordsKind): string {
  const id = requireRunId(runId);
  return kind === RecordsKind.rejects ? artifactKeys.rejects(id) : artifactKeys.deadLetterRecords(id);
}

const excerptOf = (text: string) => (text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);

/** One line of rejects.jsonl (functions/plan/plan-source.ts writes them). */
export function rejectRow(text: string, position: number): RecordRow {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const num = (field: string) => (typeof value[field] === 'number' ? (value[field] as number) : null);
    return {
      position,
      record: num('record'),
      line: num('line'),
      offset: num('offset'),
      reason: typeof value.reason === 'string' ? value.reason : '',
      excerpt: excerptOf(typeof value.excerpt === 'string' ? value.excerpt : ''),
      chunkId: null,
    };
  } catch {
    return {
      position,
      record: null,
      line: null,
      offset: null,
      reason: 'unreadable line',
      excerpt: excerptOf(text),
      chunkId: null,
    };
  }
}

/**
 * Why the records of each dead-letter descriptor were dead-lettered. AdvanceRound copies the
 * descriptors' records in manifest order, one line each (advance.ts writeDeadLetters), so the file's
 * lines follow the manifest's record counts.
 */
export function deadLetterReasons(runId: string, manifest: readonly ChunkDescriptor[]) {
  return manifest.map((chunk) => {
    const round = Number(/^r(\d+)-/.exec(chunk.chunkId)?.[1] ?? Number.NaN);
    const requeued =
      Number.isInteger(round) && chunk.key === artifactKeys.requeue(runId, round, chunk.chunkId);
    const reason = requeued
      ? `entries Firehose still refused after the last round (${round}): chunk ${chunk.chunkId}`
      : `chunk ${chunk.chunkId} ended round ${Number.isInteger(round) ? round : '?'}, the last, without an outcome`;
    return { records: chunk.records, reason, chunkId: chunk.chunkId };
  });
}

async function deadLetterRowMaker(store: ArtifactStore, runId: string) {
  const manifest: ChunkDescriptor[] = [];
  const object = await store.getStream(artifactKeys.deadLetterManifest(runId));
  if (object) for await (const line of linesOf(object.body)) if (line.trim()) manifest.push(JSON.parse(line));
  const spans = deadLetterReasons(runId, manifest);
  let span = 0;
  let used = 0;
  return (text: string, position: number): RecordRow => {
    while (span < spans.length && used >= (spans[span]?.records ?? 0)) {
      span += 1;
      used = 0;
    }
    const at = spans[span];
    used += 1;
    return {
      position,
      record: null,
      line: null,
      offset: null,
      reason: at?.reason ?? 'dead-lettered (not in the dead-letter manifest)',
      excerpt: excerptOf(text),
      chunkId: at?.chunkId ?? null,
    };
  };
}

const matches = (row: RecordRow, line: string, q: string) =>
  !q || row.reason.toLowerCase().includes(q) || line.toLowerCase().includes(q);

/** One page of a run's rejects or dead letters; `q` matches reason and record text, case-insensitively. */
export async function readRecordsPage(
  store: ArtifactStore,
  runIdParam: string,
  kindParam: string,
  query: { q?: string; offset?: string; limit?: string },
): Promise<RecordsPage> {
  const runId = requireRunId(runIdParam);
  const kind = requireKind(kindParam);
  const { offset, limit }: Paging = paging(query);
  const q = (query.q ?? '').trim().slice(0, 200);
  const key = recordsKey(runId, kind);
  const result: RecordsPage = {
    runId,
    kind,
    bucket: store.bucket,
    key,
    exists: false,
    q,
    offset,
    limit,
    rows: 0,
    matches: 0,
    page: [],
  };
  const object = await store.getStream(key);
  if (!object) return result;
  result.exists = true;
  const makeRow = kind === RecordsKind.rejects ? rejectRow : await deadLetterRowMaker(store, runId);
  const needle = q.toLowerCase();
  for await (const line of linesOf(object.body)) {
    if (!line.trim()) continue;
    result.rows += 1;
    const row = makeRow(line, result.rows);
    if (!matches(row, line, needle)) continue;
    if (result.matches >= offset && result.page.length < limit) result.page.push(row);
    result.matches += 1;
  }
  return result;
}

export interface RecordsDownload {
  fileName: string;
  contentType: string;
  bytes?: number;
  body: AsyncIterable<Uint8Array>;
}

/** The whole file, as the run wrote it. */
export async function openRecordsDownload(
  store: ArtifactStore,
  runIdParam: string,
  kindParam: string,
): Promise<RecordsDownload> {
  const runId = requireRunId(runIdParam);
  const kind = requireKind(kindParam);
  const object = await store.getStream(recordsKey(runId, kind));
  if (!object) throw new NotFoundError(`run ${runId} has no ${kind} file`);
  return {
    fileName: `${runId}-${kind}.jsonl`,
    contentType: 'application/x-ndjson',
    ...(object.bytes !== undefined ? { bytes: object.bytes } : {}),
    body: object.body,
  };
}
