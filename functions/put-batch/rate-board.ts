import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bodyText, isNoSuchKey, putIf } from '../shared/claim-store';
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

// S3 answers small objects in roughly 100-200 ms (S3 user guide, "Performance guidelines for Amazon
// S3"): a board request past these limits is stalled, and waiting longer would hold the send path. A
// write gets more because a lost race costs a read and maybe a second write after it.
export const BOARD_READ_TIMEOUT_MS = 1_000;
export const BOARD_WRITE_TIMEOUT_MS = 2_000;

/**
 * The board as an S3 object under the run's prefix (artifactKeys.paceBoard), written with conditional
 * writes (claim-store's putIf: If-None-Match '*' for the first cut, If-Match after; S3 user guide, "How
 * to prevent object overwrites with conditional writes"). Each request is abandoned past its own time
 * limit (an AbortSignal on the SDK call), so a stalled S3 costs a waiting call at most that.
 */
export function s3RateBoard(
  s3: S3Client,
  ref: ObjectRef,
  limits = { readMs: BOARD_READ_TIMEOUT_MS, writeMs: BOARD_WRITE_TIMEOUT_MS },
): RateBoard {
  return {
    async read() {
      const abortSignal = AbortSignal.timeout(limits.readMs);
      try {
        // The body too: a board whose headers came but whose bytes stall is as stalled as no answer.
        const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
          abortSignal,
        });
        // Abandoned, the body is destroyed: its socket goes back to the pool whatever the SDK's handler does.
        const text = await abortable(bodyText(out), abortSignal, () =>
          destroyBody(out.Body, abortSignal.reason),
        );
        return { ...parseBoard(text, ref.key), etag: out.ETag ?? '' };
      } catch (error) {
        // PutBatch may list the artifact bucket (lib/function-specs.ts), so S3 answers a GET of a board
        // not yet written with 404 NoSuchKey (S3 API reference, GetObject, "Permissions"). A 403 is a
        // real denial (a KMS key, a bucket policy, a skewed clock) and is reported, not taken for absent.
        if (isNoSuchKey(error)) return undefined;
        throw error;
      }
    },
    write(body, etag) {
      const condition = etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: etag };
      return putIf(s3, ref, body, condition, { abortSignal: AbortSignal.timeout(limits.writeMs) });
    },
  };
}

const destroyBody = (body: unknown, reason: unknown) =>
  (body as { destroy?: (error?: unknown) => void } | undefined)?.destroy?.(reason);

/** `work`, or the signal's reason once it fires first (after `cleanUp`). */
function abortable<T>(work: Promise<T>, signal: AbortSignal, cleanUp: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      cleanUp();
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

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
    ...pick(cut, CUT_NUMBERS),
    ...(episode ? { episode: pick(episode as Record<string, number>, EPISODE_NUMBERS) } : {}),
  };
  return { cut: shared, seq: seq as number };
}

/** Only the named fields: a board written by another version may carry more. */
const pick = <K extends string>(value: Record<string, number>, fields: readonly K[]) =>
  Object.fromEntries(fields.map((field) => [field, value[field]])) as Record<K, number>;
