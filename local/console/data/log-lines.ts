import { createReadStream } from 'node:fs';
import { linesOf } from './artifact-store';

/**
 * A local run's functions.log.jsonl (the handlers' Powertools lines, one JSON document a line) as the
 * console needs it: when each chunk's lines start and end, and one chunk's lines. The file can hold
 * millions of lines, so it is streamed, and a line is parsed only when it names the chunk asked for.
 * Log lines carry counts, ids and error names, never record content (functions/shared/records/json-error.ts).
 */

export interface ChunkTimes {
  /** ISO 8601: the chunk's first and last log line (locally), or its child execution's start and stop. */
  startedAt: string;
  endedAt: string;
}

const CHUNK_ID = /"chunkId":"([^"\\]+)"/;
const TIMESTAMP = /"timestamp":"([^"\\]+)"/;

async function* logLines(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file);
  try {
    yield* linesOf(stream);
  } catch (error) {
    // A run that logged nothing yet has no file: no lines, not an error.
    if ((error as { code?: string })?.code === 'ENOENT') return;
    throw error;
  } finally {
    stream.destroy();
  }
}

/** The first and last timestamp of every chunk id in the file. */
export async function chunkTimesFromLog(file: string): Promise<Map<string, ChunkTimes>> {
  const times = new Map<string, ChunkTimes>();
  for await (const line of logLines(file)) {
    const id = CHUNK_ID.exec(line)?.[1];
    const at = id ? TIMESTAMP.exec(line)?.[1] : undefined;
    if (!id || !at) continue;
    const known = times.get(id);
    if (!known) times.set(id, { startedAt: at, endedAt: at });
    else {
      if (at < known.startedAt) known.startedAt = at;
      if (at > known.endedAt) known.endedAt = at;
    }
  }
  return times;
}

export interface ChunkLog {
  lines: Record<string, unknown>[];
  /** More lines named the chunk than were kept. */
  truncated: boolean;
}

/** The lines of one chunk, oldest first, at most `limit`; a line that is not one JSON document is skipped. */
export async function chunkLogLines(file: string, chunkId: string, limit = 500): Promise<ChunkLog> {
  const needle = `"chunkId":"${chunkId}"`;
  const lines: Record<string, unknown>[] = [];
  let truncated = false;
  for await (const line of logLines(file)) {
    if (!line.includes(needle)) continue;
    if (lines.length >= limit) {
      truncated = true;
      break;
    }
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Two writers interleaved on one line: the file keeps it, the view skips it.
    }
  }
  return { lines, truncated };
}
