import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr has matched `pattern` (rejects if the command ends first). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `npx firehose-loader ARGS` in the repository as a person types it, in a process group of its own
 * (as a terminal starts a command), so a Ctrl-C can be sent the way a terminal sends it: to the group.
 */
export function npxFirehoseLoader(args: string[]): CliRun {
  const child = spawn('npx', ['firehose-loader', ...args], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(err)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.on('data', (data: Buffer) => {
    out += data.toString();
  });
  child.stderr?.on('data', (data: Buffer) => {
    err += data.toString();
    check();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error(`ended before stderr matched ${waiter.pattern}:\n${err}`));
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, timeoutMs = 90_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`stderr did not match ${pattern} in ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        const settle = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push({ pattern, resolve: settle, reject });
        check();
      }),
    exit,
  };
}

/** Sends a signal the way a terminal does: to every process of the command's group. */
export function signalGroup(run: CliRun, signal: NodeJS.Signals): void {
  process.kill(-(run.child.pid as number), signal);
}

/** stdout must be exactly one JSON document (what `| jq` needs). */
export function oneJsonDocument<T>(stdout: string): T {
  return JSON.parse(stdout) as T;
}
