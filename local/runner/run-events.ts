import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { EngineEventShape } from '../../functions/shared/run';
import { LOCAL_ITEMS_KEY, LOCAL_RESULTS_KEY } from './lower-distributed-map';

/**
 * What events.jsonl keeps of an engine event: every Map iteration event carries its Map's whole input,
 * and the lowered Map's state holds the item list, so writing them as they are grows with the square
 * of the chunk count (gigabytes at a million records). Names, types, indexes and errors are kept.
 */
export function compactEvent(event: EngineEventShape): EngineEventShape {
  const slim = (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const {
      [LOCAL_ITEMS_KEY]: items,
      [LOCAL_RESULTS_KEY]: results,
      ...rest
    } = value as Record<string, unknown>;
    const count = (list: unknown) => (Array.isArray(list) ? list.length : undefined);
    return items || results ? { ...rest, localMapItemCount: count(items ?? results) } : value;
  };
  const { parentState, state, ...rest } = event;
  return {
    ...rest,
    ...(parentState
      ? { parentState: { name: parentState.name, type: parentState.type, input: undefined } }
      : {}),
    ...(state ? { state: { ...state, input: slim(state.input), output: slim(state.output) } } : {}),
  };
}

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
