import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/** How a run opens its own files (events, function logs); tests inject a stream that fails. */
export type OpenRunFile = (path: string) => Writable;

export const openRunFile: OpenRunFile = (path) => createWriteStream(path, { flags: 'a' });

/**
 * A run's own line file (events.jsonl, functions.log.jsonl). A write error (a full disk: ENOSPC) is
 * not left unhandled, which would crash the runner with a stack trace: it is reported once through
 * `onError`, which stops the run, and later writes are dropped.
 */
export class RunFile {
  private readonly stream: Writable;
  private failed: Error | undefined;

  constructor(
    readonly path: string,
    onError: (error: Error, path: string) => void,
    open: OpenRunFile = openRunFile,
  ) {
    this.stream = open(path);
    this.stream.on('error', (error: Error) => {
      if (this.failed) return;
      this.failed = error;
      onError(error, path);
    });
  }

  write(chunk: string | Uint8Array): void {
    if (!this.failed && !this.stream.destroyed) this.stream.write(chunk);
  }

  /** Ends the file; resolves (never rejects) once it is closed or has failed. */
  end(): Promise<void> {
    if (this.failed || this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.once('error', () => resolve());
      this.stream.end(() => resolve());
    });
  }
}
