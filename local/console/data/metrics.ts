import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
  type MetricDataResult,
  ScanBy,
} from '@aws-sdk/client-cloudwatch';
import { openMetricStore, type StoredMetrics } from '@firehose-loader/local-services';
import {
  DEFAULT_METRICS_NAMESPACE,
  LOCAL_RESOURCE_NAMES,
  readQuotaMetrics,
  type StreamQuota,
} from './contract';
import { NotFoundError } from './errors';
import { liveEndpoint, localClients } from './local-source';
import {
  buildMetricsView,
  CHARTED_METRICS,
  type MetricsView,
  metricWindow,
  QUOTA_METRIC_NAMES,
  quotaQueryId,
} from './metrics-model';
import { requireRunId } from './params';

export interface MetricsRequest {
  streamName: string;
  /** The job's own namespace (FailedPutCount); METRICS_NAMESPACE, FirehoseLoader by default. */
  namespace?: string;
  startedMs: number;
  /** Undefined while the run goes on: the window ends now. */
  endedMs?: number;
  now?: Date;
}

function queries(streamName: string, namespace: string, periodSeconds: number): MetricDataQuery[] {
  const Dimensions = [{ Name: 'DeliveryStreamName', Value: streamName }];
  const stat = (Id: string, Namespace: string, MetricName: string, Stat: string): MetricDataQuery => ({
    Id,
    MetricStat: { Metric: { Namespace, MetricName, Dimensions }, Period: periodSeconds, Stat },
  });
  return [
    ...Object.entries(CHARTED_METRICS).map(([id, metric]) =>
      stat(id, metric.own ? namespace : 'AWS/Firehose', metric.metricName, 'Sum'),
    ),
    // Within a period where the quota changed both values show; the lower one is what throttled.
    ...Object.entries(QUOTA_METRIC_NAMES).map(([field, name]) =>
      stat(quotaQueryId(field as keyof typeof QUOTA_METRIC_NAMES), 'AWS/Firehose', name, 'Minimum'),
    ),
  ];
}

/** The charted metrics of a stream over a run's window: one GetMetricData call per page. */
export async function readMetrics(
  cloudWatch: CloudWatchClient,
  request: MetricsRequest,
): Promise<MetricsView> {
  const now = request.now ?? new Date();
  const window = metricWindow(request.startedMs, request.endedMs, now.getTime());
  const namespace = request.namespace ?? DEFAULT_METRICS_NAMESPACE;
  const merged = new Map<string, MetricDataResult>();
  let token: string | undefined;
  do {
    const page = await cloudWatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries(request.streamName, namespace, window.periodSeconds),
        StartTime: window.start,
        EndTime: window.end,
        ScanBy: ScanBy.TIMESTAMP_ASCENDING,
        NextToken: token,
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      const id = result.Id ?? '';
      const known = merged.get(id);
      merged.set(id, {
        ...result,
        Timestamps: [...(known?.Timestamps ?? []), ...(result.Timestamps ?? [])],
        Values: [...(known?.Values ?? []), ...(result.Values ?? [])],
      });
    }
    token = page.NextToken;
  } while (token);
  const results = [...merged.values()];
  const hasLimits = results.some((r) => r.Id?.startsWith('limit') && (r.Values?.length ?? 0) > 0);
  // No limit datapoint in the window (an idle stream): the newest of the last day, as Plan reads it.
  const fallbackQuota: Partial<StreamQuota> = hasLimits
    ? {}
    : await readQuotaMetrics(cloudWatch, request.streamName, window.end);
  return buildMetricsView(window, results, { streamName: request.streamName, namespace, fallbackQuota });
}

// ExecutionStarted carries the execution input only: small.
const FIRST_LINE_BYTES = 64 * 1024;

/** The first line of a file (events.jsonl may be large: only its start is read); undefined without one. */
async function firstLine(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(FIRST_LINE_BYTES), 0, FIRST_LINE_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    return end > 0 ? text.slice(0, end) : undefined;
  } finally {
    await handle.close();
  }
}

/**
 * A local run's window: from its first event (events.jsonl's ExecutionStarted) to when its summary was
 * written, or now while it goes on.
 */
export async function localRunWindow(
  dataDir: string,
  runIdParam: string,
): Promise<{ startedMs: number; endedMs?: number }> {
  const runDir = join(dataDir, 'runs', requireRunId(runIdParam));
  const first = await firstLine(join(runDir, 'events.jsonl'));
  const startedMs = first ? Number((JSON.parse(first) as { timestamp?: unknown }).timestamp) : Number.NaN;
  if (!Number.isFinite(startedMs)) throw new NotFoundError(`run ${runIdParam} has no events yet (${runDir})`);
  const summary = await stat(join(runDir, 'summary.json')).catch(() => undefined);
  return { startedMs, ...(summary ? { endedMs: summary.mtimeMs } : {}) };
}

/**
 * A CloudWatch client whose GetMetricData is answered by local CloudWatch's stored datapoints, without
 * HTTP (the SDK's middleware stack, first step): readMetrics and readQuotaMetrics then read a finished
 * run exactly as they read CloudWatch. Any other command is refused.
 */
export function storedMetricsClient(stored: StoredMetrics): CloudWatchClient {
  const client = new CloudWatchClient({
    region: LOCAL_RESOURCE_NAMES.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      if (context.commandName !== 'GetMetricDataCommand')
        throw new Error(`stored local metrics answer GetMetricData only, not ${context.commandName}`);
      const input = args.input as GetMetricDataCommandInput;
      const output: GetMetricDataCommandOutput = { $metadata: {}, ...stored.getMetricData(input) };
      return { output, response: undefined };
    },
    { step: 'initialize', name: 'storedLocalMetrics' },
  );
  return client;
}

/**
 * The metrics of a local run from local CloudWatch: the given client's, else the services running on the
 * data folder now, else (a finished run) the datapoints local CloudWatch keeps in the data folder
 * (`services/cloudwatch/`, as CloudWatch keeps them: 15 months, rolled up with age).
 */
export async function readLocalMetrics(
  cloudWatch: CloudWatchClient | undefined,
  source: { dataDir: string; streamName?: string; namespace?: string },
  runId: string,
  now?: Date,
): Promise<MetricsView> {
  const window = await localRunWindow(source.dataDir, runId);
  const endpoint = cloudWatch ? undefined : await liveEndpoint(source.dataDir);
  const client =
    cloudWatch ??
    (endpoint
      ? localClients(endpoint).cloudWatch
      : storedMetricsClient(await openMetricStore(join(source.dataDir, 'services'))));
  return readMetrics(client, {
    streamName: source.streamName ?? LOCAL_RESOURCE_NAMES.streamName,
    ...(source.namespace ? { namespace: source.namespace } : {}),
    ...window,
    ...(now ? { now } : {}),
  });
}
