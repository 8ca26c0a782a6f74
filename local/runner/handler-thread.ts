/** A worker thread running the real handlers for the local runner (see handler-threads.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest } from './handler-threads';
import { localHandlers } from './local-lambdas';
import type { LocalResourceNames } from './local-resources';

const handlers = localHandlers(workerData.names as LocalResourceNames);
const port = parentPort;
if (!port) throw new Error('handler-thread runs only as a worker thread');

port.on('message', async ({ id, functionArn, payload }: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    const handler = handlers.get(functionArn);
    if (!handler) throw new Error(`no local function ${functionArn}`);
    reply = { id, ok: true, result: await handler(payload as never) };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    reply = { id, ok: false, name, message };
  }
  port.postMessage(reply);
});
