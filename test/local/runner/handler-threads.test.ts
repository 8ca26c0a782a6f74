import { join } from 'node:path';
import { startHandlerThreads } from '../../../local/runner/handler-threads';
import { LOCAL_RESOURCE_NAMES } from '../../../local/runner/local-resources';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const CRASHING = join(__dirname, 'crashing-thread.ts');

describe('handler threads', () => {
  it('fails only the calls of a thread that dies, keeps using the others and still stops', async () => {
    const threads = startHandlerThreads(LOCAL_RESOURCE_NAMES, 2, [ARN], CRASHING);
    const invoke = threads.handlers.get(ARN) as (payload: never) => Promise<unknown>;
    try {
      const slow = invoke('slow' as never);
      // The least busy thread is the other one: it gets the crash.
      const crash = invoke('crash' as never);

      await expect(crash).rejects.toMatchObject({ name: 'Lambda.Unknown' });
      await expect(slow).resolves.toBe('slow');
      await expect(invoke('after' as never)).resolves.toBe('after');
    } finally {
      await threads.stop();
    }
  });

  it('fails a call at once when every thread has died', async () => {
    const threads = startHandlerThreads(LOCAL_RESOURCE_NAMES, 1, [ARN], CRASHING);
    const invoke = threads.handlers.get(ARN) as (payload: never) => Promise<unknown>;
    try {
      await expect(invoke('crash' as never)).rejects.toMatchObject({ name: 'Lambda.Unknown' });
      await expect(invoke('later' as never)).rejects.toThrow(/every handler thread has stopped/);
    } finally {
      await threads.stop();
    }
  });
});
