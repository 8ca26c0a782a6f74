import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ArtifactStore, getJson, jsonLines, linesOf, s3ArtifactStore } from './artifact-store';
import {
  artifactKeys,
  type ChunkDescriptor,
  type ChunkOutcome,
  LOCAL_RESOURCE_NAMES,
  type LocalResourceNames,
  type MapRunResultEntry,
  mapWithConcurrency,
  outcomeOf,
  parseStoredChunk,
  type ResultWriterManifest,
  type StoredChunk,
} from './contract';
import { localArtifactStoreFor } from './local-source';
import { type ChunkTimes, chunkTimesFromLog } from './log-lines';
import { buildMapRun, type MapRunView } from './map-run-model';
import { MAX_ROUND, requireRunId } from './params';

// Outcome objects are tiny; this many GETs in flight reads a 2,000-chunk round in a moment.
const OUTCOME_READ_CONCURRENCY = 16;
// Where the ResultWriter writes (statemachine/loader.asl.json: ResultWriter.Parameters.Prefix).
export const MAP_RESULTS_PREFIX = 'map-results/';

export interface MapRunSources {
  store: ArtifactStore;
  /** Keys of the manifest.json each of the run's Map Runs' ResultWriter wrote. */
  resultManifests: readonly string[];
  /** Chunk times known better than the Map results give them (locally: the log's). */
  times?: ReadonlyMap<string, ChunkTimes>;
  finished: boolean;
}

/** Each round's manifest, round 0 first, up to the first that does not exist. */
export async function readRoundManifests(store: ArtifactStore, runId: string): Promise<ChunkDescriptor[][]> {
  const rounds: ChunkDescriptor[][] = [];
  for (let round = 0; round <= MAX_ROUND; round++) {
    const key = artifactKeys.manifest(runId, round);
    const object = await store.getStream(key);
    if (!object) break;
    const chunks: ChunkDescriptor[] = [];
    for await (const line of linesOf(object.body)) if (line.trim()) chunks.push(JSON.parse(line));
    rounds.push(chunks);
  }
  return rounds;
}

const chunkIdOfEntry = (entry: MapRunResultEntry): string | undefined => {
  for (const text of [entry.Output, entry.Input]) {
    try {
      const value = JSON.parse(text ?? 'null') as { chunkId?: unknown; chunk?: { chunkId?: unknown } } | null;
      const id = value?.chunkId ?? value?.chunk?.chunkId;
      if (typeof id === 'string') return id;
    } catch {
      // Not JSON: this entry names no chunk.
    }
  }
  return undefined;
};

/** Outcomes the succeeded children returned, and each child's start and stop, by chunk id. */
async function fromMapResults(
  store: ArtifactStore,
  manifestKeys: readonly string[],
  roundOf: ReadonlyMap<string, number>,
) {
  const outcomes = new Map<string, ChunkOutcome>();
  const times = new Map<string, ChunkTimes>();
  const chunkIds = new Set(roundOf.keys());
  for (const key of manifestKeys) {
    const manifest = await getJson<ResultWriterManifest>(store, key).catch(() => undefined);
    const files = Object.values(manifest?.ResultFiles ?? {}).flat();
    for (const file of files) {
      const entries = await getJson<MapRunResultEntry[]>(store, file.Key).catch(() => undefined);
      for (const entry of Array.isArray(entries) ? entries : []) {
        const id = chunkIdOfEntry(entry);
        const round = id === undefined ? undefined : roundOf.get(id);
        if (id === undefined || round === undefined) continue;
        if (entry.StartDate)
          times.set(id, { startedAt: entry.StartDate, endedAt: entry.StopDate ?? entry.StartDate });
        const outcome = entry.Status === 'SUCCEEDED' ? outcomeOf(entry.Output, round, chunkIds) : undefined;
        if (outcome && !outcomes.has(id)) outcomes.set(id, outcome);
      }
    }
  }
  return { outcomes, times };
}

/** The outcome keys of a round not covered by the Map results, read one GET each. */
async function storedOf(store: ArtifactStore, runId: string, round: number, covered: ReadonlySet<string>) {
  const keys: string[] = [];
  for await (const key of store.listKeys(artifactKeys.outcomesPrefix(runId, round))) {
    const id = key.slice(key.lastIndexOf('/') + 1).replace(/\.json$/, '');
    if (!covered.has(id)) keys.push(key);
  }
  const read = await mapWithConcurrency(keys, OUTCOME_READ_CONCURRENCY, async (key) => {
    const text = await store.getText(key);
    try {
      return text === undefined ? undefined : parseStoredChunk(text);
    } catch {
      return undefined;
    }
  });
  return read.filter((stored): stored is StoredChunk => stored !== undefined);
}

export async function readDeadLettered(store: ArtifactStore, runId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const chunk of jsonLines<ChunkDescriptor>(store, artifactKeys.deadLetterManifest(runId)))
    ids.add(chunk.chunkId);
  return ids;
}

/** Every chunk of every round of a run, from its artefacts in the artifact bucket. */
export async function readMapRun(runId: string, sources: MapRunSources): Promise<MapRunView> {
  requireRunId(runId);
  const { store } = sources;
  const rounds = await readRoundManifests(store, runId);
  const roundOf = new Map<string, number>();
  rounds.forEach((chunks, round) => {
    for (const chunk of chunks) roundOf.set(chunk.chunkId, round);
  });
  const fromMap = await fromMapResults(store, sources.resultManifests, roundOf);
  const stored = new Map<string, StoredChunk>();
  for (const [id, outcome] of fromMap.outcomes) stored.set(id, { kind: 'outcome', outcome });
  for (let round = 0; round < rounds.length; round++) {
    for (const found of await storedOf(store, runId, round, new Set(stored.keys()))) {
      const id = found.kind === 'outcome' ? found.outcome.chunkId : found.claim.chunkId;
      stored.set(id, found);
    }
  }
  const times = new Map([...fromMap.times, ...(sources.times ?? new Map<string, ChunkTimes>())]);
  const deadLettered = await readDeadLettered(store, runId);
  return buildMapRun({ runId, rounds, stored, deadLettered, times, finished: sources.finished });
}

/** Where a local run's data is: the data folder (its runs/ folder and local S3's files). */
export interface LocalRunSource {
  dataDir: string;
  /**
   * A client of local S3 on this data folder; without one, the services running on it now are used,
   * or local S3's files when none run (local-source.ts).
   */
  s3?: S3Client;
  names?: LocalResourceNames;
}

export const localRunDir = (source: LocalRunSource, runId: string) =>
  join(source.dataDir, 'runs', requireRunId(runId));

export const localArtifactStore = async (source: LocalRunSource): Promise<ArtifactStore> =>
  source.s3
    ? s3ArtifactStore(source.s3, (source.names ?? LOCAL_RESOURCE_NAMES).artifactBucket)
    : localArtifactStoreFor(source.dataDir, source.names);

/**
 * The local runner names its Map Runs `<runId>-<n>`, and a resumed part's `<runId>-part<k>-<n>`
 * (local/runner/execute-definition.ts, resume.ts); nothing else, so another run's id that merely starts
 * with this one's is not taken for it.
 */
export async function localResultManifests(store: ArtifactStore, runId: string): Promise<string[]> {
  const prefix = `${MAP_RESULTS_PREFIX}${requireRunId(runId)}-`;
  const keys: string[] = [];
  for await (const key of store.listKeys(prefix)) {
    if (/^(part\d+-)?\d+\/manifest\.json$/.test(key.slice(prefix.length))) keys.push(key);
  }
  return keys;
}

/** A local run's Map Run view; times from its functions.log.jsonl, finished once summary.json exists. */
export async function readLocalMapRun(source: LocalRunSource, runId: string): Promise<MapRunView> {
  const runDir = localRunDir(source, runId);
  const store = await localArtifactStore(source);
  const finished = await access(join(runDir, 'summary.json')).then(
    () => true,
    () => false,
  );
  return readMapRun(runId, {
    store,
    resultManifests: await localResultManifests(store, runId),
    times: await chunkTimesFromLog(join(runDir, 'functions.log.jsonl')),
    finished,
  });
}
