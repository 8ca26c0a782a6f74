import type { Context } from 'hono';
import type { ConsoleRuns } from './runs';

/** What an extra route gets besides the request: the runs of the console's data folder. */
export interface ConsoleContext {
  runs: ConsoleRuns;
  dataDir: string;
}

export interface ConsoleRoute {
  method: 'GET';
  /** A Hono path; `:id` is a run id, checked (it names a run of this data folder) before the handler runs. */
  path: string;
  handler: (c: Context, context: ConsoleContext) => Response | Promise<Response>;
}

const notWiredYet = (c: Context) =>
  c.json({ error: `${c.req.path}: this view is not part of this console yet` }, 501);

/**
 * THE PLACE FOR MORE ROUTES. Read-only views of a run are added here (and a tab for each in
 * local/console/web/tabs.ts); the server registers every entry behind the same guard (host, origin,
 * token) and checks `:id` first. These paths are reserved for the Map Run grid, chunk detail, the
 * rejects and dead-letter tables and the CloudWatch series (local/console/data/*): replace the
 * placeholder handler with the module's.
 */
export const EXTRA_ROUTES: ConsoleRoute[] = [
  { method: 'GET', path: '/api/runs/:id/map-run', handler: notWiredYet },
  { method: 'GET', path: '/api/runs/:id/chunks/:round/:index', handler: notWiredYet },
  { method: 'GET', path: '/api/runs/:id/records/:kind', handler: notWiredYet },
  { method: 'GET', path: '/api/runs/:id/metrics', handler: notWiredYet },
];
