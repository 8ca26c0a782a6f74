import { isObject } from '../http/util';

/**
 * One page of a ListObjects(V2) answer over keys sorted by UTF-8 bytes: keys and CommonPrefixes
 * together count against max-keys, and the continuation token says where the page ended.
 */

export interface ListPosition {
  after: string;
  /** Set when the page ended on a CommonPrefix: every key under it was already summarised. */
  skipPrefix: string;
}

export function listPage(
  keys: string[],
  options: { prefix: string; delimiter: string; maxKeys: number } & ListPosition,
): { keys: string[]; prefixes: string[]; truncated: boolean; last: ListPosition | undefined } {
  const { prefix, delimiter, maxKeys, after, skipPrefix } = options;
  const page = {
    keys: [] as string[],
    prefixes: [] as string[],
    truncated: false,
    last: undefined as ListPosition | undefined,
  };
  let index = Math.max(lowerBound(keys, prefix), upperBound(keys, after));
  for (; index < keys.length; index++) {
    const key = keys[index];
    if (!key.startsWith(prefix)) break;
    if (skipPrefix !== '' && key.startsWith(skipPrefix)) continue;
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const commonPrefix = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
    if (commonPrefix !== undefined && commonPrefix === page.prefixes.at(-1)) continue;
    if (page.keys.length + page.prefixes.length >= maxKeys) {
      page.truncated = true;
      break;
    }
    if (commonPrefix !== undefined) {
      page.prefixes.push(commonPrefix);
      page.last = { after: commonPrefix, skipPrefix: commonPrefix };
    } else {
      page.keys.push(key);
      page.last = { after: key, skipPrefix: '' };
    }
  }
  return page;
}

export function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** First index whose key is >= target. */
export function lowerBound(keys: string[], target: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (utf8Compare(keys[mid], target) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index whose key is > target. */
function upperBound(keys: string[], target: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (utf8Compare(keys[mid], target) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function encodeToken(position: ListPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64');
}

export function decodeToken(token: string): ListPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isObject(value) && typeof value.after === 'string') {
      return { after: value.after, skipPrefix: typeof value.skipPrefix === 'string' ? value.skipPrefix : '' };
    }
  } catch {
    // Not a token this server made.
  }
  return undefined;
}
