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

interface Thread {
  worker: Worker;
  inFlight: number;
}

type Pending = Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;

function startThread(names: LocalResourceNames, pending: Pending): Thread {
  const fromSource = __filename.endsWith('.ts');
  const worker = new Worker(join(__dirname, fromSource ? 'handler-thread.ts' : 'handler-thread.js'), {
    workerData: { names },
    // Explicitly this thread's environment as set now (under jest, process.env is a copy of its own).
    env: { ...process.env },
    // From TypeScript sources (tsx, jest) the thread loads through tsx, as the services child does.
    execArgv: fromSource ? ['--import', 'tsx'] : [],
    // Piped by hand, so the handlers' log lines go where this thread's stdout goes (the run's log).
    stdout: true,
    stderr: true,
  });
  worker.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const thread = { worker, inFlight: 0 };
  worker.on('message', (reply: ThreadReply) => {
    thread.inFlight -= 1;
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiting?.resolve(reply.result);
    else waiting?.reject(new ThreadedHandlerError(reply.name, reply.message));
  });
  // A thread that dies fails every invocation still waiting, as a crashed Lambda would.
  worker.on('error', (error) => {
    for (const [id, { reject }] of pending) {
      pending.delete(id);
      reject(new ThreadedHandlerError('Lambda.Unknown', error.message));
    }
  });
  return thread;
}

/**
 * The handlers, run in `count` worker threads instead of the engine's thread, as Lambda runs each
 * function apart from the state machine: many PutBatch items' AWS SDK work then uses the core the
 * engine leaves idle. Each thread has its own SDK clients and module state, like a Lambda container;
 * the environment is the one this thread has when they start. Each call goes to the least busy thread.
 */
export function startHandlerThreads(names: LocalResourceNames, count: number, functionArns: string[]) {
  const pending: Pending = new Map();
  let nextId = 0;
  const threads = Array.from({ length: count }, () => startThread(names, pending));
  const invoke = (functionArn: string, payload: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const thread = threads.reduce((least, t) => (t.inFlight < least.inFlight ? t : least));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      thread.inFlight += 1;
      thread.worker.postMessage({ id, functionArn, payload } satisfies ThreadRequest);
    });
  const handlers: LambdaHandlers = new Map(
    functionArns.map((arn) => [arn, ((payload: never) => invoke(arn, payload)) as LambdaHandler]),
  );
  /** Ends the threads once their output is through (their log lines belong to the run). */
  const stop = async () => {
    await Promise.all(
      threads.map(async ({ worker }) => {
        const drained = Promise.all([once(worker.stdout, 'end'), once(worker.stderr, 'end')]);
        await worker.terminate();
        await drained;
      }),
    );
  };
  return { handlers, stop };
}
