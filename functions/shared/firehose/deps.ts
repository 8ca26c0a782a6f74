import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../logger';
import type { SenderDeps } from './types';

let defaultLogger: SenderDeps['logger'] | undefined;

/** Real timers, Math.random, Date.now and one shared Powertools Logger, unless the caller passes its own. */
export function resolveDeps(deps: Partial<SenderDeps> = {}): SenderDeps {
  return {
    sleep: deps.sleep ?? ((ms) => delay(ms)),
    random: deps.random ?? Math.random,
    now: deps.now ?? Date.now,
    // Created on first use so that importing this module does not build a logger nobody uses.
    logger: deps.logger ?? sharedLogger(),
    ...(deps.beforeRecord ? { beforeRecord: deps.beforeRecord } : {}),
    ...(deps.afterCall ? { afterCall: deps.afterCall } : {}),
    ...(deps.throttledRetryDelay ? { throttledRetryDelay: deps.throttledRetryDelay } : {}),
  };
}

function sharedLogger(): SenderDeps['logger'] {
  defaultLogger ??= createLogger('firehose-sender');
  return defaultLogger;
}
