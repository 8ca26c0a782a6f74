import { type OpenRunFile, RunFile } from './run-file';

type Write = typeof process.stdout.write;

/**
 * Sends what the handlers' Powertools Loggers print (they write JSON lines to stdout/stderr, as in
 * Lambda) to the run's log file while a local run is in progress, so stdout stays clean for `--json`.
 * Returns the original stderr writer, for the progress display, and a function that restores both.
 * A write error of the log file goes to `onError` (see RunFile), never to an unhandled 'error' event.
 */
export function captureProcessOutput(
  logFile: string,
  onError: (error: Error, path: string) => void = () => undefined,
  open?: OpenRunFile,
): {
  stderr: (text: string) => void;
  restore: () => Promise<void>;
} {
  const file = new RunFile(logFile, onError, open);
  const originalOut = process.stdout.write;
  const originalErr = process.stderr.write;
  const toFile = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    file.write(chunk);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as Write;
  process.stdout.write = toFile;
  process.stderr.write = toFile;
  return {
    stderr: (text) => {
      originalErr.call(process.stderr, text);
    },
    restore: async () => {
      process.stdout.write = originalOut;
      process.stderr.write = originalErr;
      await file.end();
    },
  };
}
