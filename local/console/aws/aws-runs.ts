import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { type ArtifactStore, s3ArtifactStore } from '../data/artifact-store';
import { type ChunkDetail, readChunkDetail } from '../data/chunk-detail';
import type { RunSummary } from '../data/contract';
import { BadRequestError } from '../data/errors';
import { MAP_RESULTS_PREFIX, readMapRun } from '../data/map-run';
import type { MapRunView } from '../data/map-run-model';
import {
  type AwsTarget,
  describeMapRunCounts,
  type EngineEventShape,
  eventsFromHistory,
  executionConsoleUrl,
  fetchSummary,
  getExecutionHistory,
  itemStartStates,
  listMapRuns,
  type MapRunCounts,
  parseExecutionArn,
} from './readers';

/**
 * The console's read-only view of executions of the deployed state machine: the same run list, run
 * page, Map Run grid and chunk detail as for a local run, read with the SDK. Nothing here starts,
 * stops or redrives anything.
 */

export interface AwsDeps {
  sfn: SFNClient;
  s3: S3Client;
  now: () => Date;
}

export interface AwsRunListItem {
  runId: string;
  executionArn: string;
  status: string;
  startDate: string | null;
  stopDate: string | null;
  durationMs: number | null;
  redriveCount: number | null;
  consoleUrl: string;
}

// ListExecutions returns at most 1,000 per page (API reference, ListExecutions maxResults).
const MAX_LIST_PAGE = 1000;

export function listItemOf(item: ExecutionListItem): AwsRunListItem {
  const start = item.startDate?.getTime();
  const stop = item.stopDate?.getTime();
  return {
    runId: item.name ?? '',
    executionArn: item.executionArn ?? '',
    status: item.status ?? 'UNKNOWN',
    startDate: item.startDate?.toISOString() ?? null,
    stopDate: item.stopDate?.toISOString() ?? null,
    durationMs: start !== undefined && stop !== undefined ? stop - start : null,
    redriveCount: item.redriveCount ?? null,
    consoleUrl: executionConsoleUrl(item.executionArn ?? ''),
  };
}

/** One page of the state machine's executions, newest first (as ListExecutions sorts them). */
export async function listAwsRuns(
  sfn: SFNClient,
  target: AwsTarget,
  page: { nextToken?: string; maxResults?: number } = {},
): Promise<{ runs: AwsRunListItem[]; nextToken: string | null }> {
  const stateMachineArn = requireTarget(target, 'stateMachineArn', '--state-machine-arn');
  const out = await sfn.send(
    new ListExecutionsCommand({
      stateMachineArn,
      maxResults: Math.min(MAX_LIST_PAGE, Math.max(1, page.maxResults ?? 50)),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    }),
  );
  return { runs: (out.executions ?? []).map(listItemOf), nextToken: out.nextToken ?? null };
}

/** The summaries (records, calls) of some executions, a few at a time; one that cannot be read is left out. */
export async function readAwsSummaries(
  deps: AwsDeps,
  target: AwsTarget,
  executionArns: readonly string[],
): Promise<Record<string, RunSummary>> {
  const summaries: Record<string, RunSummary> = {};
  const queue = [...executionArns];
  const worker = async () => {
    for (let arn = queue.shift(); arn !== undefined; arn = queue.shift()) {
      const summary = await fetchSummary(arn, target, deps).catch(() => undefined);
      if (summary) summaries[arn] = summary;
    }
  };
  // Four at a time: GetExecutionHistory is throttled per account (Step Functions quotas).
  await Promise.all([worker(), worker(), worker(), worker()]);
  return summaries;
}

export interface AwsMapRunInfo {
  mapRunArn: string;
  consoleUrl: string;
  startDate: string | null;
  stopDate: string | null;
  counts: MapRunCounts;
  /** Where its ResultWriter wrote manifest.json in the artifact bucket. */
  resultManifestKey: string;
}

export interface AwsRunPage {
  runId: string;
  executionArn: string;
  status: string;
  consoleUrl: string;
  summary: RunSummary;
  /** The history as the engine-style events a local run's events.jsonl holds (local/graph colours them). */
  events: EngineEventShape[];
  /** The definition the execution ran. */
  definition: unknown;
  mapRuns: AwsMapRunInfo[];
}

/**
 * The Step Functions console's Map Run page. Its path was not checked against a live console; the
 * execution page (executionConsoleUrl) links to every Map Run too.
 */
export function mapRunConsoleUrl(mapRunArn: string): string {
  const region = mapRunArn.split(':')[3] || 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/map-run/details/${mapRunArn}`;
}

/**
 * ResultWriter writes `<Prefix>/<map run id>/manifest.json`, the id being the Map Run ARN's last part
 * ("ResultWriter (Map)", Step Functions developer guide); the Prefix is the definition's (map-results).
 */
export const resultManifestKeyOf = (mapRunArn: string) =>
  `${MAP_RESULTS_PREFIX}${mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1)}/manifest.json`;

function requireExecution(executionArn: string): string {
  const parts = parseExecutionArn(executionArn);
  if (!parts) throw new BadRequestError(`"${executionArn}" is not an execution ARN`);
  return parts.executionName;
}

function requireTarget(target: AwsTarget, key: keyof AwsTarget, option: string): string {
  const value = target[key];
  if (!value) throw new BadRequestError(`no ${key}: start the console with ${option} (or --stack)`);
  return value;
}

async function mapRunsOf(sfn: SFNClient, executionArn: string): Promise<AwsMapRunInfo[]> {
  const runs = await listMapRuns(sfn, executionArn);
  const infos: AwsMapRunInfo[] = [];
  for (const run of runs) {
    const arn = run.mapRunArn ?? '';
    infos.push({
      mapRunArn: arn,
      consoleUrl: mapRunConsoleUrl(arn),
      startDate: run.startDate?.toISOString() ?? null,
      stopDate: run.stopDate?.toISOString() ?? null,
      counts: await describeMapRunCounts(sfn, arn),
      resultManifestKey: resultManifestKeyOf(arn),
    });
  }
  return infos;
}

/** The run page of one execution: summary, events for the graph and table, its Map Runs. */
export async function readAwsRun(
  deps: AwsDeps,
  target: AwsTarget,
  executionArn: string,
): Promise<AwsRunPage> {
  const runId = requireExecution(executionArn);
  const [execution, machine, history, mapRuns] = await Promise.all([
    deps.sfn.send(new DescribeExecutionCommand({ executionArn })),
    deps.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })),
    getExecutionHistory(deps.sfn, executionArn),
    mapRunsOf(deps.sfn, executionArn),
  ]);
  // fetchSummary reads the history again: the summary is the CLI's own, unchanged.
  const summary = await fetchSummary(executionArn, target, deps, execution);
  const definition = JSON.parse(machine.definition ?? '{}') as unknown;
  const events = eventsFromHistory(history, {
    mapRunCounts: new Map(mapRuns.map((run) => [run.mapRunArn, run.counts])),
    itemStartStates: itemStartStates(definition),
  });
  return {
    runId,
    executionArn,
    status: execution.status ?? 'UNKNOWN',
    consoleUrl: executionConsoleUrl(executionArn),
    summary,
    events,
    definition,
    mapRuns,
  };
}

/** Whether the execution has stopped: a round without an outcome for a chunk then failed it. */
async function hasEnded(sfn: SFNClient, executionArn: string): Promise<boolean> {
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  return execution.status !== 'RUNNING';
}

export const awsArtifactStore = (deps: AwsDeps, target: AwsTarget): ArtifactStore =>
  s3ArtifactStore(deps.s3, requireTarget(target, 'artifactBucket', '--artifact-bucket'));

/** Every chunk of every round of an execution, from its artefacts and its Map Runs' result files. */
export async function readAwsMapRun(
  deps: AwsDeps,
  target: AwsTarget,
  executionArn: string,
): Promise<MapRunView> {
  const runId = requireExecution(executionArn);
  const store = awsArtifactStore(deps, target);
  const runs = await listMapRuns(deps.sfn, executionArn);
  return readMapRun(runId, {
    store,
    resultManifests: runs.map((run) => resultManifestKeyOf(run.mapRunArn ?? '')),
    finished: await hasEnded(deps.sfn, executionArn),
  });
}

/** One chunk of an execution; its log lines are in CloudWatch Logs, not read here (log: null). */
export async function readAwsChunkDetail(
  deps: AwsDeps,
  target: AwsTarget,
  executionArn: string,
  round: string | number,
  index: string | number,
): Promise<ChunkDetail> {
  const runId = requireExecution(executionArn);
  return readChunkDetail(runId, round, index, {
    store: awsArtifactStore(deps, target),
    finished: await hasEnded(deps.sfn, executionArn),
  });
}
