import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataFolderInUseError } from './data-lock';
import type { ChildReply, ParentMessage } from './ipc';
import type { LocalServices, LocalServicesOptions } from './local-services';

// How long a child may take to start listening, and to stop (stop flushes buffered records to disk).
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 60_000;

type Request = ParentMessage extends infer M ? (M extends ParentMessage ? Omit<M, 'id'> : never) : never;

/**
 * The same local services as startLocalServices, in a child process: the services then use a core of
 * their own instead of sharing one event loop with the engine and the handlers. Same interface;
 * setFaults and setQuotas reach the child asynchronously (in order, before any later flush or stop).
 * The child stops by itself when this process exits, crashes or is killed (its IPC channel closes).
 */
export async function startLocalServicesProcess(
  options: LocalServicesOptions,
): Promise<LocalServices & { pid: number }> {
  const child = forkServices();
  const { request, exited, gone } = openChannel(child);
  const fireAndForget = (message: Request) => {
    request(message).catch(() => undefined);
  };

  let started: ChildReply;
  try {
    started = await request({ op: 'start', options }, START_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const endpoint = started.ok ? (started.endpoint as string) : '';
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    try {
      if (!exited()) await request({ op: 'stop' });
    } finally {
      if (child.connected) child.disconnect();
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
      if (!exited()) child.kill('SIGKILL');
    }
  };
  return {
    pid: child.pid as number,
    endpoint,
    port: started.ok ? (started.port as number) : 0,
    setFaults: (faults) => fireAndForget({ op: 'setFaults', faults }),
    setQuotas: (quotas) => fireAndForget({ op: 'setQuotas', quotas }),
    flush: async () => {
      await request({ op: 'flush' });
    },
    putFile: async (bucket, key, file) => {
      // A copy takes as long as the file needs: no time limit (a dying child still fails it).
      const reply = await request({ op: 'putFile', bucket, key, file }, null);
      return reply.ok ? (reply.etag ?? '') : '';
    },
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/**
 * Requests to the child and their replies, matched by id. Every request fails when the child exits;
 * `timeoutMs` null: no time limit (the child's exit still fails the request).
 */
function openChannel(child: ChildProcess): {
  request: (message: Request, timeoutMs?: number | null) => Promise<ChildReply>;
  exited: () => boolean;
  gone: Promise<void>;
} {
  const pending = new Map<number, { resolve: (reply: ChildReply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (reply: ChildReply) => {
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
  });
  child.once('exit', (code, signal) => {
    exited = new Error(`the local services process exited (${signal ?? `code ${code}`})`);
    for (const { reject } of pending.values()) reject(exited);
    pending.clear();
  });

  const request = (message: Request, timeoutMs: number | null = STOP_TIMEOUT_MS): Promise<ChildReply> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      const timer =
        timeoutMs === null
          ? undefined
          : setTimeout(() => {
              pending.delete(id);
              reject(new Error(`the local services process did not answer ${message.op} in ${timeoutMs} ms`));
            }, timeoutMs);
      const settle = (reply: ChildReply) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply);
        // A refusal is a sentence for the user, not a crash: keep its name and words.
        else if (reply.errorName === 'DataFolderInUseError') reject(new DataFolderInUseError(reply.error));
        else reject(new Error(`local services ${message.op} failed: ${reply.error}`));
      };
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      pending.set(id, { resolve: settle, reject: fail });
      child.send({ ...message, id } as ParentMessage);
    });
  return { request, exited: () => exited !== undefined, gone };
}

/** Forks child.ts; from TypeScript sources (tsx, jest) it loads through tsx, as compiled JS it needs nothing. */
function forkServices(): ChildProcess {
  const fromSource = __filename.endsWith('.ts');
  const entry = join(__dirname, fromSource ? 'child.ts' : 'child.js');
  const execArgv = fromSource ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  // stdout is ignored (the parent's stdout may be a JSON contract); errors still reach stderr.
  return fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}
