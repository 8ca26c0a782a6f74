import type { Context } from 'hono';
import type { AwsDataContext } from '../aws/routes';
import { awsChunkRoute, awsMapRunRoute, awsMetricsRoute, awsRecordsRoute } from '../aws/routes';
import {
  chunkRoute,
  errorResponse,
  type LocalDataContext,
  mapRunRoute,
  metricsRoute,
  recordsRoute,
} from '../data/routes';
import { awsErrorResponse } from './aws-errors';

/** What an extra route gets besides the request: where the runs are read from. */
export type ConsoleContext =
  | { local: LocalDataContext; aws?: undefined }
  | { aws: AwsDataContext; local?: undefined };

export interface ConsoleRoute {
  method: 'GET';
  /** A Hono path; `:id` is a run id, checked (it names a run of this data folder) before the handler runs. */
  path: string;
  handler: (c: Context, context: ConsoleContext) => Response | Promise<Response>;
}

type Params = Record<string, string | undefined>;
type Read<C> = (context: C, params: Params, query: Params) => Promise<unknown>;

/**
 * A read-only route over a local run or an execution on AWS: the data module's result as JSON (or the
 * Response it built, a download), a refusal as its status and one line.
 */
function reading(local: Read<LocalDataContext>, aws: Read<AwsDataContext>): ConsoleRoute['handler'] {
  return async (c, context) => {
    try {
      const params = c.req.param() as Params;
      const query = c.req.query() as Params;
      const result = context.aws
        ? await aws(context.aws, params, query)
        : await local(context.local, params, query);
      return result instanceof Response ? result : c.json(result as object);
    } catch (error) {
      const refused = errorResponse(error) ?? (context.aws ? awsErrorResponse(error) : undefined);
      if (!refused) throw error;
      return c.json(refused.body, refused.status as 400);
    }
  };
}

/**
 * THE PLACE FOR MORE ROUTES. Read-only views of a run are added here (and a tab for each in
 * local/console/web/tabs.ts); the server registers every entry behind the same guard (host, origin,
 * token) and checks `:id` first. The same paths serve a local run and, with `console --aws`, an
 * execution of the deployed state machine.
 */
export const EXTRA_ROUTES: ConsoleRoute[] = [
  { method: 'GET', path: '/api/runs/:id/map-run', handler: reading(mapRunRoute, awsMapRunRoute) },
  {
    method: 'GET',
    path: '/api/runs/:id/chunks/:round/:index',
    handler: reading(chunkRoute, awsChunkRoute),
  },
  {
    method: 'GET',
    path: '/api/runs/:id/records/:kind',
    handler: reading(recordsRoute, awsRecordsRoute),
  },
  { method: 'GET', path: '/api/runs/:id/metrics', handler: reading(metricsRoute, awsMetricsRoute) },
];
