import { basename } from 'node:path';
import { HandlerGate } from './handler-gate';

/** Why a run stopped before its state machine ended. */
export interface StoppedBy {
  status: 'INTERRUPTED' | 'FAILED';
  error?: { name: string; message: string };
}

/**
 * A write error of one of the run's own files: the run stops (a full disk fails everything after it),
 * named by the error code and the file, in one line without a stack trace.
 */
export function stopOnIoError(error: Error, path: string): StoppedBy {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOSPC' ? 'no space left on the device' : error.message;
  return {
    status: 'FAILED',
    error: {
      name: code ?? error.name,
      message: `could not write ${basename(path)} (${path}): ${reason}; free some space and resume the run`,
    },
  };
}

/** Any error as one line for a person: the errno code or error name, and the message, no stack. */
export function oneLine(error: unknown): { name: string; message: string } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return { name: code ?? error.name, message: error.message.split('\n')[0] };
}

/**
 * Stops a part of a run once, for the first reason that comes: Ctrl-C (`signal`) or a write error of
 * the run's own files. The gate lets no new invocation start; `signal` aborts the engine.
 */
export class RunStopper {
  readonly gate = new HandlerGate();
  private readonly controller = new AbortController();
  private by: StoppedBy | undefined;
  private readonly onInterrupt = () => this.stop({ status: 'INTERRUPTED' });

  constructor(private readonly interrupt?: AbortSignal) {
    if (interrupt?.aborted) this.onInterrupt();
    interrupt?.addEventListener('abort', this.onInterrupt, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stoppedBy(): StoppedBy | undefined {
    return this.by;
  }

  readonly onIoError = (error: Error, path: string): void => this.stop(stopOnIoError(error, path));

  stop(by: StoppedBy): void {
    if (this.by) return;
    this.by = by;
    this.gate.close();
    this.controller.abort();
  }

  release(): void {
    this.interrupt?.removeEventListener('abort', this.onInterrupt);
  }
}
