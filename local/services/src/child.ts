/**
 * The local services in a child process of their own (see process.ts): started with the options the
 * parent sends over IPC, answering setFaults, setQuotas, flush, putFile and stop. The child stops by itself
 * when the IPC channel closes, which also happens when the parent crashes or is killed, so it can
 * never outlive its parent.
 */

import type { ChildReply, ParentMessage } from './ipc';
import { type LocalServices, startLocalServices } from './local-services';

let services: LocalServices | undefined;
let exiting = false;

const reply = (message: ChildReply) => {
  if (process.connected) process.send?.(message);
};

async function exitAfterStop(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  // Delivers what Firehose buffered before going: nothing accepted is lost, even on a parent crash.
  await services?.stop().catch(() => undefined);
  process.exit(code);
}

async function handle(message: ParentMessage): Promise<void> {
  if (message.op === 'start') {
    // The data folder's lock names the parent too, so a refusal can say which run holds the folder.
    services = await startLocalServices({ ...message.options, parentPid: process.ppid });
    reply({ id: message.id, ok: true, endpoint: services.endpoint, port: services.port });
    return;
  }
  if (!services) throw new Error(`local services not started; cannot ${message.op}`);
  if (message.op === 'setFaults') services.setFaults(message.faults);
  else if (message.op === 'setQuotas') services.setQuotas(message.quotas);
  else if (message.op === 'flush') await services.flush();
  else if (message.op === 'putFile') {
    const etag = await services.putFile(message.bucket, message.key, message.file);
    return reply({ id: message.id, ok: true, etag });
  } else await services.stop();
  reply({ id: message.id, ok: true });
}

process.on('message', (message: ParentMessage) => {
  handle(message).catch((error: unknown) =>
    reply({
      id: message.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      ...(error instanceof Error ? { errorName: error.name } : {}),
    }),
  );
});
process.on('disconnect', () => void exitAfterStop(0));
// Ctrl-C reaches the whole process group: the parent decides (it may wait for its calls in flight,
// which need these services), and its exit closes the channel. SIGTERM: stop cleanly.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => void exitAfterStop(0));
// Started without an IPC channel (by hand): there is no parent to serve.
if (!process.connected) void exitAfterStop(2);
