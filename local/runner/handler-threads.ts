import { once } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LambdaHandler, LambdaHandlers } from './local-lambdas';
import type { LocalResourceNames } from './local-resources';

export interface ThreadRequest {
  id: number;
  functionArn: string;
  payload: unknown;
}

export type ThreadReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; name: string; message: string };

/** A handler error from a thread, under the handler's error name (what Retry and Catch match). */
class ThreadedHandlerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

// What Step Functions sees when a function's runtime dies: not retried by PutBatch's Retry, so the
// chunk's child execution fails and AdvanceRound re-queues the chunk, as with a crashed Lambda.
const CRASHED = 'Lambda.Unknown';

interface Thread {
  worker: Worker;
  /** This thread's invocations still running: a thread that dies fails only these. */
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
  alive: boolean;
}

const fromSource = __filename.endsWith('.ts');
const DEFAULT_ENTRY = join(__dirname, fromSource ? 'handler-thread.ts' : 'handler-thread.js');

function startThread(entry: string, names: LocalResourceNames): Thread {
  const worker = new Worker(entry, {
    workerData: { names },
    // From TypeScript sources (tsx, jest) the thread loads through tsx's require hook: on Node 20
    // `--import tsx` does not reach a worker's own loading (Unknown file extension ".ts"); this does
    // on Node 20 and 22. (The services child is a process of its own: `--import tsx` works there.)
    execArgv: entry.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [],
    // Explicitly this thread's environment as set now (under jest, process.env is a copy of its own).
    env: { ...process.env },
    // Piped by hand, so the handlers' log lines go where this thread's stdout goes (the run's log).
    stdout: true,
    stderr: true,
  });
  worker.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const thread: Thread = { worker, pending: new Map(), alive: true };
  worker.on('message', (reply: ThreadReply) => {
    const waiting = thread.pending.get(reply.id);
    thread.pending.delete(reply.id);
    if (reply.ok) waiting?.resolve(reply.result);
    else waiting?.reject(new ThreadedHandlerError(reply.name, reply.message));
  });
  const died = (why: string) => {
    thread.alive = false;
    for (const { reject } of thread.pending.values()) reject(new ThreadedHandlerError(CRASHED, why));
    thread.pending.clear();
  };
  worker.on('error', (error) => died(`handler thread crashed: ${error.message}`));
  worker.on('exit', (code) => died(`handler thread exited (code ${code})`));
  return thread;
}

/**
 * The handlers, run in `count` worker threads instead of the engine's thread, as Lambda runs each
 * function apart from the state machine: many PutBatch items' AWS SDK work then uses the core the
 * engine leaves idle. Each thread has its own SDK clients and module state, like a Lambda container;
 * the environment is the one this thread has when they start. Each call goes to the least busy live
 * thread; a thread that dies fails its own running calls (as crashed Lambdas) and gets no more.
 */
export function startHandlerThreads(
  names: LocalResourceNames,
  count: number,
  functionArns: string[],
  entry = DEFAULT_ENTRY,
) {
  let nextId = 0;
  const threads = Array.from({ length: count }, () => startThread(entry, names));
  const invoke = (functionArn: string, payload: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const live = threads.filter((t) => t.alive);
      if (live.length === 0) {
        reject(new ThreadedHandlerError(CRASHED, 'every handler thread has stopped'));
        return;
      }
      const thread = live.reduce((least, t) => (t.pending.size < least.pending.size ? t : least));
      const id = nextId++;
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, functionArn, payload } satisfies ThreadRequest);
    });
  const handlers: LambdaHandlers = new Map(
    functionArns.map((arn) => [arn, ((payload: never) => invoke(arn, payload)) as LambdaHandler]),
  );
  /** Ends the threads once their output is through (their log lines belong to the run). */
  const stop = async () => {
    await Promise.all(
      threads.map(async ({ worker }) => {
        const streams = [worker.stdout, worker.stderr].filter((stream) => !stream.readableEnded);
        const drained = Promise.all(streams.map((stream) => once(stream, 'end')));
        await worker.terminate();
        await drained;
      }),
    );
  };
  return { handlers, stop };
}
