import { BadRequestError } from './errors';

/**
 * Checks of what the console's routes take from the URL. A run id becomes part of S3 keys and file
 * paths, so only the shape run ids have passes: no `/`, `\`, `..` or anything else that could leave the
 * run's own prefix or folder.
 */

// Local run ids (run-YYYYMMDD-HHMMSS-xxxx) and execution names (letters, digits, - and _, up to 80).
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;
// The CLI allows 0 to 10 re-queue rounds (bin/commands/options.ts), so rounds are 0 to 10.
export const MAX_ROUND = 10;
// A round holds at most as many chunks as records; a million-chunk round is far beyond any run here.
const MAX_INDEX = 10_000_000;
export const MAX_PAGE_ROWS = 500;
export const DEFAULT_PAGE_ROWS = 100;

export function requireRunId(value: string | undefined): string {
  if (value === undefined || !RUN_ID.test(value) || value === '.' || value === '..')
    throw new BadRequestError(`"${value ?? ''}" is not a run id (letters, digits, - and _ only)`);
  return value;
}

function wholeNumber(name: string, value: string | number | undefined, max: number): number {
  const text = String(value ?? '').trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > max)
    throw new BadRequestError(
      `${name} "${text}" is not a whole number from 0 to ${max.toLocaleString('en-US')}`,
    );
  return n;
}

export const requireRound = (value: string | number | undefined) => wholeNumber('round', value, MAX_ROUND);
export const requireIndex = (value: string | number | undefined) => wholeNumber('index', value, MAX_INDEX);

export interface Paging {
  offset: number;
  limit: number;
}

/** `offset` and `limit` from a query string; defaults 0 and 100, `limit` at most 500. */
export function paging(query: { offset?: string; limit?: string }): Paging {
  return {
    offset: query.offset === undefined || query.offset === '' ? 0 : wholeNumber('offset', query.offset, 1e12),
    limit:
      query.limit === undefined || query.limit === ''
        ? DEFAULT_PAGE_ROWS
        : Math.max(1, wholeNumber('limit', query.limit, MAX_PAGE_ROWS)),
  };
}
