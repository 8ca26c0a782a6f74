import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AwsDataContext } from '../aws/routes';
import { createApp } from './app';
import { createAwsApp } from './aws-app';
import { AwsRuns } from './aws-console';
import { ConsoleRuns } from './runs';
import { newSessionToken } from './security';

export interface ConsoleOptions {
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /** `console --aws`: executions of the deployed state machine, read-only, instead of local runs. */
  aws?: AwsDataContext;
  /** Where the console says what it does (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningConsole {
  url: string;
  port: number;
  /** The session token (tests send it as a page would). */
  token: string;
  /** Interrupts the runs it started (they can be resumed), then stops serving. */
  close: () => Promise<void>;
}

/** Serves the console on 127.0.0.1 only. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const log = options.log ?? ((line: string) => process.stderr.write(`console: ${line}\n`));
  const token = newSessionToken();
  let port = options.port;
  const aws = options.aws;
  const runs = aws ? undefined : new ConsoleRuns(resolve(options.dataDir), () => undefined);
  const app: Hono = runs
    ? createApp({ runs, token, port: () => port, log })
    : createAwsApp({ runs: new AwsRuns(aws as AwsDataContext), token, port: () => port });
  const server = await new Promise<ReturnType<typeof serve>>((done, fail) => {
    const started = serve({ fetch: app.fetch, port: options.port, hostname: '127.0.0.1' }, () =>
      done(started),
    );
    started.once('error', fail);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    token,
    close: async () => {
      await runs?.launcher.stopAll();
      await new Promise<void>((done) => {
        server.close(() => done());
        // Live pages hold their event streams open: end them rather than wait for the browser.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
