import type { S3Client } from '@aws-sdk/client-s3';
import { isAcceptedByMinute } from '../shared/accepted-minutes';
import type { LoggerLike } from '../shared/logger';
import type { MapRunResultEntry, ResultWriterManifest } from '../shared/run/result-writer';
import { SEND_COUNT_FIELDS } from '../shared/run/send-counts';
import type { ChunkOutcome, MapRunOutput, ResultWriterDetails } from '../shared/run-state';
import { getJson, type ObjectRef } from '../shared/s3-io';
import { isTransientAwsError } from '../shared/transient';

// The fields AdvanceRound sums. An Output is JSON read back from S3, shaped by the ASL's ItemProcessor:
// one lacking a count is not a full ChunkOutcome (summing it would give NaN), so its chunk is read
// from its outcome object instead.
const COUNTED = ['records', 'possibleDuplicateRecords', ...SEND_COUNT_FIELDS] as const;

/** A full outcome of this round for one of its chunks, or undefined. */
export function outcomeOf(
  output: unknown,
  round: number,
  chunkIds: ReadonlySet<string>,
): ChunkOutcome | undefined {
  let value = output;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.chunkId !== 'string' || !chunkIds.has(candidate.chunkId)) return undefined;
  if (candidate.round !== round) return undefined;
  if (!COUNTED.every((field) => typeof candidate[field] === 'number')) return undefined;
  if (candidate.acceptedByMinute !== undefined && !isAcceptedByMinute(candidate.acceptedByMinute))
    return undefined;
  return value as ChunkOutcome;
}

export const resultWriterDetailsOf = (mapRun: unknown): ResultWriterDetails | undefined => {
  const details = (mapRun as MapRunOutput | undefined)?.ResultWriterDetails;
  return typeof details?.Bucket === 'string' && typeof details.Key === 'string' ? details : undefined;
};

export interface RoundScope {
  round: number;
  chunkIds: ReadonlySet<string>;
}

/**
 * Reads one Map result object, or undefined when it cannot be had for good (missing, refused, not
 * JSON): the chunks it would have covered are then read from their outcome objects, which is slower
 * but exact, and the warning names what was wrong. A transient failure is thrown: the step is retried.
 */
async function readResultObject<T>(s3: S3Client, ref: ObjectRef, logger: LoggerLike): Promise<T | undefined> {
  try {
    return await getJson<T>(s3, ref);
  } catch (error) {
    if (isTransientAwsError(error)) throw error;
    logger.warn('Map result object not read; its chunks are read from their outcome objects', {
      key: ref.key,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return undefined;
  }
}

/**
 * The outcomes carried by the succeeded children's Output, by chunk id. Only what is certainly this
 * round's full outcome is taken; every other chunk (failed or pending child, a missing or unreadable
 * result, a stale Map result) is left out, so the caller reads its outcome object as before.
 */
export async function succeededOutcomes(
  s3: S3Client,
  details: ResultWriterDetails,
  scope: RoundScope,
  logger: LoggerLike,
): Promise<Map<string, ChunkOutcome>> {
  const found = new Map<string, ChunkOutcome>();
  // The result files sit next to their manifest (DestinationBucket names the same bucket).
  const bucket = details.Bucket;
  const manifest = await readResultObject<ResultWriterManifest>(s3, { bucket, key: details.Key }, logger);
  // One file at a time: a file may be large (up to 5 GB on AWS), and a round's files are few.
  for (const file of manifest?.ResultFiles?.SUCCEEDED ?? []) {
    const entries = await readResultObject<MapRunResultEntry[]>(s3, { bucket, key: file.Key }, logger);
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (entry?.Status !== 'SUCCEEDED') continue;
      const outcome = outcomeOf(entry.Output, scope.round, scope.chunkIds);
      // PutBatch returns the stored outcome when a chunk runs again, so a repeat is the same outcome.
      if (outcome && !found.has(outcome.chunkId)) found.set(outcome.chunkId, outcome);
    }
  }
  return found;
}
