import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggerLike } from '../../functions/shared/logger';

/**
 * What `put-record` tells a person, apart from its one JSON result on stdout: the sender's warnings
 * (a retry, a refusal) as short lines on stderr, and where the record will land.
 */

/** A logger for the CLI: warnings and errors as one line each on stderr; info and debug are not shown. */
export function stderrLogger(write: (text: string) => void = (t) => process.stderr.write(t)): LoggerLike {
  const line =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      const fields = Object.assign({}, ...rest.filter((r) => typeof r === 'object' && r !== null));
      const details = ['errorName', 'errorCodes', 'delayMs', 'attempt']
        .filter((key) => fields[key] !== undefined)
        .map((key) => `${key} ${JSON.stringify(fields[key])}`)
        .join(', ');
      write(`${level}: ${String(message)}${details ? ` (${details})` : ''}\n`);
    };
  const quiet = () => undefined;
  return { debug: quiet, info: quiet, warn: line('warning'), error: line('error') } as unknown as LoggerLike;
}

/** Firehose's default S3 prefix: the UTC hour the record arrived, YYYY/MM/DD/HH/. */
export function hourPrefix(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}/`;
}

/** Every object file under a local bucket folder, for telling which one a delivery added. */
export async function objectFiles(bucketDir: string): Promise<Set<string>> {
  const entries = await readdir(bucketDir, { withFileTypes: true, recursive: true }).catch(() => []);
  return new Set(entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)));
}
