import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { buildModel } from '../../graph/model';
import { errorResponse } from '../data/routes';
import { extraRoutes, pageRoutes } from './app';
import type { AwsRuns } from './aws-console';
import { awsErrorResponse } from './aws-errors';
import { guard } from './security';

export interface AwsAppOptions {
  runs: AwsRuns;
  token: string;
  port: () => number;
}

// Executions are read with the SDK: poll gently (Step Functions throttles the account's API calls).
const POLL_MS = 5_000;
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * `console --aws`: the run list and run pages for executions of the deployed state machine, read
 * only. Every request that is not a read is refused, whatever it carries; nothing starts, stops or
 * redrives anything (the AWS console's links do that, with the person's own rights there).
 */
export function createAwsApp(options: AwsAppOptions): Hono {
  const { runs } = options;
  const app = new Hono();
  app.use('*', guard(options.token, options.port));
  app.use('*', async (c, next) =>
    SAFE.has(c.req.method)
      ? next()
      : c.json({ error: 'refused: this console shows executions on AWS read-only; it changes nothing' }, 405),
  );
  app.onError((error, c) => {
    const refused = errorResponse(error) ?? awsErrorResponse(error);
    if (!refused) throw error;
    return c.json(refused.body, refused.status as 400);
  });
  pageRoutes(app, options.token, 'aws');
  app.get('/api/runs', async (c) => c.json(await runs.list()));
  app.get('/api/runs/stream', (c) =>
    streamSSE(c, async (stream) => {
      let last = '';
      while (!stream.aborted) {
        const text = JSON.stringify(await runs.list().catch((error) => ({ error: lineOf(error) })));
        if (text !== last) await stream.writeSSE({ event: 'runs', data: text });
        last = text;
        await pause(stream);
      }
    }),
  );
  const known = async (id: string) => RUN_ID.test(id);
  app.get('/api/runs/:id', async (c) => c.json((await runs.detail(c.req.param('id'))).detail));
  app.get('/api/runs/:id/events', async (c) => {
    const { page } = await runs.detail(c.req.param('id'));
    return c.json(page.events.slice(Number(c.req.query('from') ?? 0) || 0));
  });
  // The definition the execution ran (the deployed one may differ from this repository's).
  app.get('/api/runs/:id/definition', async (c) => {
    const { page } = await runs.detail(c.req.param('id'));
    return c.json(buildModel(page.definition as object));
  });
  app.get('/api/runs/:id/stream', (c) => streamExecution(c, runs, c.req.param('id')));
  extraRoutes(app, { aws: runs.context }, known);
  return app;
}

/** Waits out a poll in short steps, so a closed page (or console) ends its stream at once. */
async function pause(stream: { aborted: boolean; sleep: (ms: number) => Promise<unknown> }): Promise<void> {
  for (let waited = 0; waited < POLL_MS && !stream.aborted; waited += 250) await stream.sleep(250);
}

const lineOf = (error: unknown) =>
  (errorResponse(error) ?? awsErrorResponse(error))?.body.error ??
  `unexpected error: ${error instanceof Error ? error.message : String(error)}`;

/** An execution's live feed, as a local run's: new events once, its state when it changes. */
function streamExecution(c: Context, runs: AwsRuns, runId: string) {
  return streamSSE(c, async (stream) => {
    let sent = 0;
    let last = '';
    while (!stream.aborted) {
      try {
        const { detail, page } = await runs.detail(runId);
        if (page.events.length > sent) {
          await stream.writeSSE({
            event: 'events',
            data: JSON.stringify({ from: sent, events: page.events.slice(sent) }),
          });
          sent = page.events.length;
        }
        const text = JSON.stringify(detail);
        if (text !== last) await stream.writeSSE({ event: 'run', data: text });
        last = text;
      } catch (error) {
        await stream.writeSSE({ event: 'failure', data: JSON.stringify({ error: lineOf(error) }) });
      }
      await pause(stream);
    }
  });
}
