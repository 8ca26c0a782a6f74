import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArtifactStore, linesOf } from './artifact-store';
import {
  artifactKeys,
  type ChunkClaim,
  type ChunkDescriptor,
  type ChunkOutcome,
  parseStoredChunk,
} from './contract';
import { NotFoundError } from './errors';
import { type ChunkLog, chunkLogLines } from './log-lines';
import { type LocalRunSource, localArtifactStore, localRunDir, readDeadLettered } from './map-run';
import { type ChunkStatus, statusOf } from './map-run-model';
import { requireIndex, requireRound, requireRunId } from './params';

/** One chunk as the run left it: what was planned, what its outcome key holds, and its log lines. */
export interface ChunkDetail {
  runId: string;
  round: number;
  index: number;
  chunkId: string;
  status: ChunkStatus;
  descriptor: ChunkDescriptor;
  /** What PutBatch recorded; null while the key holds a claim or nothing. */
  outcome: ChunkOutcome | null;
  /** The claim of an attempt that wrote no outcome (chunk-claim.ts); null otherwise. */
  claim: ChunkClaim | null;
  deadLettered: boolean;
  /** The artefacts' S3 keys in the artifact bucket. */
  bucket: string;
  keys: { manifest: string; outcome: string; requeue: string | null };
  /** The chunk's lines of functions.log.jsonl; null where there is no such file (AWS: CloudWatch Logs). */
  log: ChunkLog | null;
}

export interface ChunkDetailSources {
  store: ArtifactStore;
  /** A local run's functions.log.jsonl. */
  logFile?: string;
  finished: boolean;
}

async function descriptorAt(store: ArtifactStore, key: string, index: number) {
  const object = await store.getStream(key);
  if (!object) return undefined;
  let at = 0;
  for await (const line of linesOf(object.body)) {
    if (!line.trim()) continue;
    if (at === index) return JSON.parse(line) as ChunkDescriptor;
    at += 1;
  }
  return undefined;
}

export async function readChunkDetail(
  runIdParam: string,
  roundParam: string | number,
  indexParam: string | number,
  sources: ChunkDetailSources,
): Promise<ChunkDetail> {
  const runId = requireRunId(runIdParam);
  const round = requireRound(roundParam);
  const index = requireIndex(indexParam);
  const { store } = sources;
  const manifest = artifactKeys.manifest(runId, round);
  const descriptor = await descriptorAt(store, manifest, index);
  if (!descriptor) throw new NotFoundError(`run ${runId} has no chunk ${index} in round ${round}`);
  const outcomeKey = artifactKeys.outcome(runId, round, descriptor.chunkId);
  const text = await store.getText(outcomeKey);
  const stored = text === undefined ? undefined : parseStoredChunk(text);
  const dead = await readDeadLettered(store, runId);
  const deadLettered = dead.has(descriptor.chunkId);
  // Dead letters are written at the run's last round: every round has ended then.
  const ended =
    sources.finished || dead.size > 0 || (await store.has(artifactKeys.manifest(runId, round + 1)));
  const outcome = stored?.kind === 'outcome' ? stored.outcome : null;
  return {
    runId,
    round,
    index,
    chunkId: descriptor.chunkId,
    status: statusOf(stored, ended, deadLettered),
    descriptor,
    outcome,
    claim: stored?.kind === 'claim' ? stored.claim : null,
    deadLettered,
    bucket: store.bucket,
    keys: { manifest, outcome: outcomeKey, requeue: outcome?.requeue?.key ?? null },
    log: sources.logFile ? await chunkLogLines(sources.logFile, descriptor.chunkId) : null,
  };
}

export async function readLocalChunkDetail(
  source: LocalRunSource,
  runId: string,
  round: string | number,
  index: string | number,
): Promise<ChunkDetail> {
  const runDir = localRunDir(source, runId);
  const finished = await access(join(runDir, 'summary.json')).then(
    () => true,
    () => false,
  );
  return readChunkDetail(runId, round, index, {
    store: await localArtifactStore(source),
    logFile: join(runDir, 'functions.log.jsonl'),
    finished,
  });
}
