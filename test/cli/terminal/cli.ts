import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

/**
 * Runs the CLI as a person types it, from the clone's root: through a pipe (stdout, stderr and the
 * exit code apart) or in an 80-column pseudo-terminal made by util-linux `script` (what the person
 * sees, both streams together).
 */

export const ROOT = resolve(__dirname, '../../..');
export const CLI = 'npx tsx bin/firehose-loader.ts';

export interface Result {
  stdout: string;
  stderr: string;
  status: number | null;
}

const ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', npm_config_update_notifier: 'false' };

/** A shell command line run in the clone's root, through pipes. */
export function inPipe(command: string, env: Record<string, string> = {}): Result {
  const result = spawnSync('sh', ['-c', command], { cwd: ROOT, env: { ...ENV, ...env }, encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** A shell command line in a pseudo-terminal of `columns` columns; stdout holds both streams. */
export function inTerminal(command: string, columns = 80): Result {
  const inner = `stty cols ${columns} rows 40 2>/dev/null; ${command}`;
  const result = spawnSync('script', ['-qec', inner, '/dev/null'], {
    cwd: ROOT,
    env: { ...ENV, COLUMNS: String(columns), TERM: 'xterm' },
    encoding: 'utf8',
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** Every piece of text the terminal drew between cursor moves, escapes removed. */
export const drawnLines = (output: string) =>
  // "Cursor to column 1" (npx's spinner uses it) starts a new piece, like a carriage return.
  stripVTControlCharacters(output.split('\x1b[1G').join('\r')).split(/[\r\n]/);

export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'firehose-loader-cli-'));
