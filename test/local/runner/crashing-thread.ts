/** A stand-in handler thread for handler-threads.test.ts: answers after a pause, or dies on "crash". */
import { parentPort } from 'node:worker_threads';
import type { ThreadRequest } from '../../../local/runner/handler-threads';

parentPort?.on('message', ({ id, payload }: ThreadRequest) => {
  // An error nobody catches, as a stray rejection in a handler would be: the thread dies.
  if (payload === 'crash') setImmediate(() => Promise.reject(new Error('stray rejection')));
  else setTimeout(() => parentPort?.postMessage({ id, ok: true, result: payload }), 300);
});
