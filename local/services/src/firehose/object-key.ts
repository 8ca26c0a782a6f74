import { randomBytes } from 'node:crypto';

/** The S3 object keys local Firehose delivers to, named as Firehose names them. */

export interface KeyTarget {
  streamName: string;
  versionId: string;
  prefix: string;
  gzip: boolean;
}

/** Firehose's default S3 object key; a Prefix with !{...} expressions replaces the YYYY/MM/DD/HH/ part. */
export function objectKey(target: KeyTarget, arrival: Date): string {
  const hasExpressions = target.prefix.includes('!{');
  const prefix = hasExpressions
    ? expandPrefix(target.prefix, arrival)
    : `${target.prefix}${formatTime('yyyy/MM/dd/HH/', arrival)}`;
  const name = `${target.streamName}-${target.versionId}-${formatTime('yyyy-MM-dd-HH-mm-ss', arrival)}-${uuidV7()}`;
  return `${prefix}${name}${target.gzip ? '.gz' : ''}`;
}

/** Custom prefixes: !{timestamp:<Java DateTimeFormatter pattern>} and !{firehose:random-string}. */
function expandPrefix(prefix: string, arrival: Date): string {
  return prefix.replace(/!\{([a-z]+):([^}]*)\}/g, (whole, namespace: string, value: string) => {
    if (namespace === 'timestamp') return formatTime(value, arrival);
    if (namespace === 'firehose' && value === 'random-string')
      return randomBytes(8).toString('base64url').slice(0, 11);
    return whole;
  });
}

function formatTime(pattern: string, date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const parts: Record<string, string> = {
    yyyy: String(date.getUTCFullYear()),
    MM: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => parts[token]);
}

let lastUuidMs = 0;
let uuidSequence = 0;

/** RFC 9562 UUIDv7 with a 12-bit counter in rand_a, so UUIDs made in the same millisecond still sort. */
export function uuidV7(): string {
  let ms = Date.now();
  if (ms <= lastUuidMs) {
    ms = lastUuidMs;
    uuidSequence++;
    if (uuidSequence > 0xfff) {
      ms++;
      uuidSequence = 0;
    }
  } else {
    uuidSequence = 0;
  }
  lastUuidMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (uuidSequence >> 8);
  bytes[7] = uuidSequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
