import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNoSuchKey, putIf } from '../shared/claim-store';
import { MalformedRateBoardError } from '../shared/errors';
import type { ObjectRef } from '../shared/s3-io';
import type { SharedCut } from './aimd';

/** What the board holds: the latest cut of the Map run's rate and its sequence number (1, 2, ...). */
export interface BoardEntry {
  cut: SharedCut;
  seq: number;
}

/** The one rate a Map run's environments share (shared-rate.ts): a small object, compare-and-swap. */
export interface RateBoard {
  /** The stored cut, its sequence number and ETag; undefined before any environment cut. */
  read(): Promise<(BoardEntry & { etag: string }) | undefined>;
  /** Writes if the board is still at `etag` (absent when undefined); the new ETag, undefined on a lost race. */
  write(body: BoardEntry, etag: string | undefined): Promise<string | undefined>;
}

/**
 * The board as an S3 object under the run's prefix (artifactKeys.paceBoard), written with conditional
 * writes (claim-store's putIf: If-None-Match '*' for the first cut, If-Match after; S3 user guide, "How
 * to prevent object overwrites with conditional writes").
 */
export function s3RateBoard(s3: S3Client, ref: ObjectRef): RateBoard {
  return {
    async read() {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
        const text = await (out.Body as { transformToString(): Promise<string> }).transformToString();
        return { ...parseBoard(text, ref.key), etag: out.ETag ?? '' };
      } catch (error) {
        // PutBatch holds no s3:ListBucket, so S3 answers a GET of a key not yet written with 403, not 404
        // (S3 API reference, GetObject, "Permissions"): before any cut that is the usual answer. A real
        // denial does not go unseen: a write then meets an object no read finds (shared-rate.ts logs it).
        if (isNoSuchKey(error) || statusOf(error) === 403) return undefined;
        throw error;
      }
    },
    write(body, etag) {
      return putIf(s3, ref, body, etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag });
    },
  };
}

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

const CUT_NUMBERS = [
  'atMs',
  'rate',
  'anchorWallMs',
  'anchorOffsetMs',
  'throttledRate',
  'cutRate',
  'recoverTo',
] as const;
const EPISODE_NUMBERS = ['throttledRate', 'recoverTo', 'atMs'] as const;

const finiteFields = (value: unknown, fields: readonly string[]): value is Record<string, number> =>
  typeof value === 'object' &&
  value !== null &&
  fields.every((field) => Number.isFinite((value as Record<string, unknown>)[field]));

/**
 * The stored entry, checked field by field: a rate that is no positive number would stall or race every
 * environment that adopts it. Anything else is MalformedRateBoardError, never "absent": an absent
 * board is written with If-None-Match, which the object there refuses forever, and overwriting it
 * blindly could clobber what a newer version wrote.
 */
export function parseBoard(text: string, key: string): BoardEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MalformedRateBoardError(`pace board ${key} is not JSON`, { cause: error });
  }
  const { cut, seq } = (parsed ?? {}) as { cut?: unknown; seq?: unknown };
  if (!Number.isInteger(seq) || (seq as number) < 1) {
    throw new MalformedRateBoardError(`pace board ${key}: seq must be a positive integer`);
  }
  if (!finiteFields(cut, CUT_NUMBERS) || !(cut.rate > 0)) {
    throw new MalformedRateBoardError(
      `pace board ${key}: cut needs finite ${CUT_NUMBERS.join(', ')} and a positive rate`,
    );
  }
  const { episode } = cut as { episode?: unknown };
  if (episode !== undefined && !finiteFields(episode, EPISODE_NUMBERS)) {
    throw new MalformedRateBoardError(
      `pace board ${key}: episode needs finite ${EPISODE_NUMBERS.join(', ')}`,
    );
  }
  const shared: SharedCut = {
    atMs: cut.atMs,
    rate: cut.rate,
    anchorWallMs: cut.anchorWallMs,
    anchorOffsetMs: cut.anchorOffsetMs,
    throttledRate: cut.throttledRate,
    cutRate: cut.cutRate,
    recoverTo: cut.recoverTo,
    ...(episode ? { episode: pick(episode as Record<string, number>, EPISODE_NUMBERS) } : {}),
  };
  return { cut: shared, seq: seq as number };
}

const pick = (value: Record<string, number>, fields: typeof EPISODE_NUMBERS) =>
  Object.fromEntries(fields.map((field) => [field, value[field]])) as {
    throttledRate: number;
    recoverTo: number;
    atMs: number;
  };
