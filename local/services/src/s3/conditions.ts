import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './errors';
import type { ObjectMeta } from './object-meta';

/** If-Match/If-Unmodified-Since (412) and If-None-Match/If-Modified-Since (304), as RFC 7232 orders them. */
export function checkConditions(headers: IncomingHttpHeaders, meta: ObjectMeta): void {
  const etagMatches = (list: string) =>
    list.split(',').some((tag) => {
      const t = tag.trim().replace(/^W\//, '');
      return t === '*' || t === meta.etag || `"${t}"` === meta.etag;
    });
  const modifiedSeconds = Math.floor(Date.parse(meta.lastModified) / 1000);
  const seconds = (value: string | undefined) => (value ? Math.floor(Date.parse(value) / 1000) : Number.NaN);
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch)) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  } else if (modifiedSeconds > seconds(headers['if-unmodified-since'])) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Unmodified-Since' });
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch)) throw new S3Error('NotModified', undefined, {}, { etag: meta.etag });
  } else if (modifiedSeconds <= seconds(headers['if-modified-since'])) {
    throw new S3Error('NotModified', undefined, {}, { etag: meta.etag });
  }
}

/**
 * `bytes=a-b`, `bytes=a-` and `bytes=-N` (RFC 9110). Syntax S3 does not understand (several ranges,
 * a > b) is ignored and the whole object sent, as S3 does; a range starting past the end is 416.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  const end = match[2] === '' ? size - 1 : Number(match[2]);
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/**
 * The conditions of a write (PutObject, CompleteMultipartUpload): `If-None-Match: *` creates the key
 * only if it does not exist, `If-Match: <etag>` replaces it only if unchanged (S3 user guide, "How to
 * prevent object overwrites with conditional writes").
 */
export interface WriteCondition {
  ifNoneMatch?: '*';
  ifMatch?: string;
}

/** The write's conditions from its headers; undefined without any. If-None-Match accepts only `*`. */
export function writeConditionOf(headers: IncomingHttpHeaders): WriteCondition | undefined {
  const ifNoneMatch = headers['if-none-match'];
  const ifMatch = headers['if-match'];
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', undefined, { Header: 'If-None-Match' });
  }
  return {
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: '*' as const } : {}),
    ...(ifMatch !== undefined ? { ifMatch } : {}),
  };
}

/** Throws what S3 answers when `condition` does not hold for the current object (or its absence). */
export function checkWriteCondition(condition: WriteCondition, current: ObjectMeta | undefined): void {
  if (condition.ifNoneMatch && current) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
  }
  if (condition.ifMatch === undefined) return;
  if (!current) throw new S3Error('NoSuchKey', undefined, {});
  const wanted = condition.ifMatch.trim().replace(/^"|"$/g, '');
  if (`"${wanted}"` !== current.etag)
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
}

/**
 * Checked twice: on arrival (412/404 before the body is read) and again atomically as the object is
 * committed. A condition that held on arrival but not at commit lost a race with another write:
 * 409 ConditionalRequestConflict, as S3 answers "if a conflicting operation occurs during the upload".
 */
export function conflictOnCommit(condition: WriteCondition): (current: ObjectMeta | undefined) => void {
  return (current) => {
    try {
      checkWriteCondition(condition, current);
    } catch (error) {
      if (error instanceof S3Error) throw new S3Error('ConditionalRequestConflict');
      throw error;
    }
  };
}
