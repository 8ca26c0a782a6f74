import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import { readDefinitionTemplate } from '../../../statemachine/substitutions';
import { buildModel } from '../../graph/model';
import { webAssets } from './bundle';
import { type ConsoleContext, EXTRA_ROUTES } from './extensions';
import { LaunchKind } from './launcher';
import { newRunId } from './local-runs';
import { pageHtml } from './page';
import { checkRunForm, type RunForm } from './run-form';
import type { ConsoleRuns, RunDetail } from './runs';
import { guard } from './security';

export interface AppOptions {
  runs: ConsoleRuns;
  token: string;
  port: () => number;
  /** One line per state change (a run started); never a record, never a request body. */
  log: (line: string) => void;
}

// Live pages poll the run's files this often.
const STREAM_MS = 300;
/** The files of a run a page may open; any other name is refused, so no path leaves the run's folder. */
export const RUN_FILES = ['summary.json', 'events.jsonl', 'functions.log.jsonl', 'input.json'] as const;

/** The console's HTTP API and page. Extra read-only views are registered from extensions.ts. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.use('*', guard(options.token, options.port));
  pageRoutes(app, options.token, 'local');
  app.get('/api/definition', (c) => c.json(templateModel()));
  runRoutes(app, options);
  extraRoutes(app, { local: { dataDir: options.runs.dataDir } }, (id) => options.runs.exists(id));
  return app;
}

const templateModel = () => buildModel(JSON.parse(readDefinitionTemplate()) as object);

/** The page and its bundled script and styles; `mode` tells the page whether it may start anything. */
export function pageRoutes(app: Hono, token: string, mode: 'local' | 'aws'): void {
  app.get('/', (c) => c.html(pageHtml(token, mode)));
  app.get('/app.js', async (c) => c.body((await webAssets()).js, 200, { 'content-type': 'text/javascript' }));
  app.get('/app.css', async (c) => c.body((await webAssets()).css, 200, { 'content-type': 'text/css' }));
  app.get('/favicon.ico', (c) => c.body(null, 204));
}

// Over 60 lines: a table of route registrations, one short handler each, read as the API's index.
/** The runs: list, start, one run's state, events and files, rerun and resume. */
function runRoutes(app: Hono, options: AppOptions): void {
  const { runs, log } = options;
  app.get('/api/runs', async (c) => c.json(await runs.list()));
  app.get('/api/runs/stream', (c) =>
    streamSSE(c, async (stream) => {
      let last = '';
      while (!stream.aborted) {
        // A list that cannot be read is said on the page (runs-view.ts), and the stream tries again.
        const text = JSON.stringify(
          await runs.list().catch((error) => ({ error: failureLine('the runs', error) })),
        );
        if (text !== last) await stream.writeSSE({ event: 'runs', data: text });
        last = text;
        await stream.sleep(STREAM_MS * 3);
      }
    }),
  );

  app.post('/api/runs', async (c) => {
    const form = (await c.req.json().catch(() => ({}))) as RunForm;
    const busy = runs.launcher.active();
    if (busy)
      return c.json(
        { errors: { form: `run ${busy.runId} is still going in this data folder: wait for it` } },
        409,
      );
    const check = await checkRunForm(form);
    if (!check.ok) return c.json({ errors: check.errors }, 400);
    const runId = newRunId();
    runs.launcher.start(LaunchKind.run, runId, check.args);
    log(`started run ${runId}`);
    return c.json({ runId }, 201);
  });

  // Every path under a run names one: anything else (a path, `..`) is no run, before any file is read.
  const knownRun: MiddlewareHandler = async (c, next) =>
    (await runs.exists(c.req.param('id') ?? '')) ? next() : c.json({ error: 'no such run' }, 404);
  app.use('/api/runs/:id', knownRun);
  app.use('/api/runs/:id/*', knownRun);
  app.get('/api/runs/:id', async (c) => c.json(await runs.detail(c.req.param('id'))));
  // A local run ran the definition in this repository.
  app.get('/api/runs/:id/definition', (c) => c.json(templateModel()));
  app.get('/api/runs/:id/events', async (c) => {
    const watch = runs.watch(c.req.param('id'));
    await watch.poll();
    return c.json(watch.events.slice(Number(c.req.query('from') ?? 0) || 0));
  });
  app.get('/api/runs/:id/stream', (c) => streamRun(c, runs, c.req.param('id')));
  app.get('/api/runs/:id/files/:name', async (c) => {
    const name = c.req.param('name');
    if (!(RUN_FILES as readonly string[]).includes(name))
      return c.json({ error: `${name} is not a file of a run` }, 404);
    const text = await readFile(join(runs.runDir(c.req.param('id')), name), 'utf8').catch(() => undefined);
    return text === undefined ? c.json({ error: `the run has no ${name} (yet)` }, 404) : c.text(text);
  });

  app.post('/api/runs/:id/rerun-failed', (c) => relaunch(c, options, LaunchKind.rerun));
  app.post('/api/runs/:id/resume', (c) => relaunch(c, options, LaunchKind.resume));
  app.post('/api/runs/:id/stop', async (c) => {
    const runId = c.req.param('id');
    const row = await runs.row(runId);
    if (!row.canStop || !runs.launcher.stop(runId))
      return c.json(
        {
          error: `run ${runId} cannot be stopped here (${row.status}): ${row.stopNote ?? 'it is not running'}`,
        },
        409,
      );
    log(`stopping run ${runId} (Ctrl-C)`);
    return c.json({ runId }, 202);
  });
}

const failureLine = (what: string, error: unknown) =>
  `could not read ${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;

/** The read-only views of extensions.ts; `exists` refuses an id that names no run before any read. */
export function extraRoutes(
  app: Hono,
  context: ConsoleContext,
  exists: (id: string) => Promise<boolean>,
): void {
  for (const route of EXTRA_ROUTES) {
    app.on(route.method, route.path, async (c) => {
      const id = c.req.param('id');
      if (id !== undefined && !(await exists(id))) return c.json({ error: 'no such run' }, 404);
      return route.handler(c, context);
    });
  }
}

/** Rerun failed (a new run over the dead letters) or resume (the same run goes on). */
async function relaunch(c: Context, options: AppOptions, kind: LaunchKind) {
  const { runs } = options;
  const of = c.req.param('id') ?? '';
  const row = await runs.row(of);
  const allowed = kind === LaunchKind.rerun ? row.canRerun : row.canResume;
  if (!allowed) {
    const what = kind === LaunchKind.rerun ? 'has no dead letters to rerun' : 'has nothing to resume';
    return c.json({ error: `run ${of} ${what} now (${row.status})` }, 409);
  }
  const runId = kind === LaunchKind.rerun ? newRunId() : of;
  runs.launcher.start(kind, runId, [], kind === LaunchKind.rerun ? of : undefined);
  options.log(`${kind === LaunchKind.rerun ? `rerun ${runId} of` : 'resumed'} run ${of}`);
  return c.json({ runId }, 201);
}

/** A run page's live feed: every event once (in order), and the run's state whenever it changes. */
function streamRun(c: Context, runs: ConsoleRuns, runId: string) {
  return streamSSE(c, async (stream) => {
    let sent = 0;
    let last = '';
    while (!stream.aborted) {
      let detail: RunDetail;
      try {
        detail = await runs.detail(runId);
      } catch (error) {
        // The page shows this line (run-view.ts: failure) and keeps what it had; the stream goes on.
        await stream.writeSSE({
          event: 'failure',
          data: JSON.stringify({ error: failureLine(`run ${runId}`, error) }),
        });
        last = '';
        await stream.sleep(STREAM_MS * 3);
        continue;
      }
      const events = runs.watch(runId).events;
      if (events.length > sent) {
        await stream.writeSSE({
          event: 'events',
          data: JSON.stringify({ from: sent, events: events.slice(sent) }),
        });
        sent = events.length;
      }
      const text = JSON.stringify(detail);
      if (text !== last) await stream.writeSSE({ event: 'run', data: text });
      last = text;
      await stream.sleep(STREAM_MS);
    }
  });
}
