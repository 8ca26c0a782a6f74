import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { SenderDeps } from '../../../functions/shared/firehose/types';
import type { LoggerLike } from '../../../functions/shared/logger';

export interface LogLine {
  level: string;
  message: string;
  attributes: Record<string, unknown>;
}

/** A clock that only moves when the sender sleeps (or a test says so), and a logger that records. */
export function fakeDeps(random: () => number = () => 0.5) {
  const state = { clock: 1_000_000, sleeps: [] as number[], logs: [] as LogLine[] };
  const record =
    (level: string) =>
    (message: unknown, ...extra: unknown[]): void => {
      const attributes = (extra[0] ?? {}) as Record<string, unknown>;
      state.logs.push({ level, message: String(message), attributes });
    };
  const logger: LoggerLike = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const deps: SenderDeps = {
    sleep: async (ms) => {
      state.sleeps.push(ms);
      state.clock += ms;
    },
    random,
    now: () => state.clock,
    logger,
  };
  return { deps, state, advance: (ms: number) => (state.clock += ms) };
}

export function testClient(): FirehoseClient {
  return new FirehoseClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
}

/** Records whose bytes name them, so a test can tell which ones a call carried. */
export function makeRecords(count: number, prefix = 'rec'): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new TextEncoder().encode(`${prefix}-${i}\n`));
}

export function decode(data: Uint8Array | undefined): string {
  return new TextDecoder().decode(data);
}

/** An error shaped like an SDK service exception that has no class in the Firehose client. */
export function serviceError(name: string, httpStatusCode: number, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

export function networkError(code: string): Error {
  return Object.assign(new Error(`socket: ${code}`), { code });
}
