import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { BadRequestError } from '../data/errors';
import { readMetrics } from '../data/metrics';
import type { MetricsView } from '../data/metrics-model';
import { requireRunId } from '../data/params';
import { openRecordsDownload, type RecordsPage, readRecordsPage } from '../data/records';
import { recordsResponse } from '../data/routes';
import {
  type AwsDeps,
  type AwsRunListItem,
  type AwsRunPage,
  awsArtifactStore,
  listAwsRuns,
  readAwsChunkDetail,
  readAwsMapRun,
  readAwsRun,
} from './aws-runs';
import type { AwsTarget } from './readers';

/**
 * `console --aws`: the same routes as a local run's, for executions of the deployed state machine,
 * with `:id` the execution name (the run id). Read-only: no route here changes anything on AWS.
 *   GET /api/runs?nextToken=                 → { runs: AwsRunListItem[], nextToken }
 *   GET /api/runs/:id                        → AwsRunPage (summary, events, definition, Map Runs, links)
 *   GET /api/runs/:id/map-run, /chunks/:round/:index, /records/:kind, /metrics  → as for a local run
 */
export interface AwsDataContext {
  deps: AwsDeps;
  target: AwsTarget;
  /** For the metrics; the SDK's default when left out. */
  cloudWatch?: CloudWatchClient;
  metricsNamespace?: string;
}

type Params = Record<string, string | undefined>;

/** arn:…:stateMachine:<name> and an execution name → arn:…:execution:<name>:<execution name>. */
export function executionArnOf(stateMachineArn: string | undefined, runId: string): string {
  if (!stateMachineArn?.includes(':stateMachine:'))
    throw new BadRequestError(
      'no state machine ARN: start the console with --state-machine-arn (or --stack)',
    );
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${requireRunId(runId)}`;
}

const arnOf = (context: AwsDataContext, params: Params) =>
  executionArnOf(context.target.stateMachineArn, params.id ?? '');

export const awsRunsRoute = (
  context: AwsDataContext,
  query: Params,
): Promise<{ runs: AwsRunListItem[]; nextToken: string | null }> =>
  listAwsRuns(context.deps.sfn, context.target, query.nextToken ? { nextToken: query.nextToken } : {});

export const awsRunRoute = (context: AwsDataContext, params: Params): Promise<AwsRunPage> =>
  readAwsRun(context.deps, context.target, arnOf(context, params));

export const awsMapRunRoute = (context: AwsDataContext, params: Params) =>
  readAwsMapRun(context.deps, context.target, arnOf(context, params));

export const awsChunkRoute = (context: AwsDataContext, params: Params) =>
  readAwsChunkDetail(
    context.deps,
    context.target,
    arnOf(context, params),
    params.round ?? '',
    params.index ?? '',
  );

export async function awsRecordsRoute(
  context: AwsDataContext,
  params: Params,
  query: Params,
): Promise<RecordsPage | Response> {
  const store = awsArtifactStore(context.deps, context.target);
  const runId = params.id ?? '';
  if (query.download === '1')
    return recordsResponse(await openRecordsDownload(store, runId, params.kind ?? ''));
  const { q, offset, limit } = query;
  return readRecordsPage(store, runId, params.kind ?? '', {
    ...(q !== undefined ? { q } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(limit !== undefined ? { limit } : {}),
  });
}

/** The stream's metrics over the execution's start to stop (or now), from the account's CloudWatch. */
export async function awsMetricsRoute(context: AwsDataContext, params: Params): Promise<MetricsView> {
  const executionArn = arnOf(context, params);
  const streamName = context.target.streamName;
  if (!streamName)
    throw new BadRequestError('no delivery stream name: start the console with --stream-name (or --stack)');
  const execution = await context.deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  const region = executionArn.split(':')[3];
  return readMetrics(context.cloudWatch ?? new CloudWatchClient(region ? { region } : {}), {
    streamName,
    ...(context.metricsNamespace ? { namespace: context.metricsNamespace } : {}),
    startedMs: execution.startDate?.getTime() ?? context.deps.now().getTime(),
    ...(execution.stopDate ? { endedMs: execution.stopDate.getTime() } : {}),
    now: context.deps.now(),
  });
}
