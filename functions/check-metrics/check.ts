import {
  type CloudWatchClient,
  type MetricDataQuery,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import { ACCEPTED_METRICS } from '../shared/accepted-minutes';
import { MetricsLaggingError } from '../shared/errors';
import type { LoggerLike } from '../shared/logger';
import type { MetricsReport, RunState } from '../shared/run-state';
import type { CheckMetricsConfig } from './config';
import { comparisonStart, judgeMetrics, MAX_EXTRA_MINUTES, metricWindow, unexplained } from './verdict';

// The AWS/Firehose metrics publish per minute; 60 s is their finest period.
const PERIOD_SECONDS = 60;

const QUERIES = {
  incomingRecords: { namespace: 'AWS/Firehose', metric: 'IncomingRecords' },
  incomingBytes: { namespace: 'AWS/Firehose', metric: 'IncomingBytes' },
  throttledRecords: { namespace: 'AWS/Firehose', metric: 'ThrottledRecords' },
  failedPutCount: { namespace: 'custom', metric: 'FailedPutCount' },
  // What every run of this job was told was accepted, published by AdvanceRound at each minute.
  jobAcceptedRecords: { namespace: 'custom', metric: ACCEPTED_METRICS.records },
  jobAcceptedBytes: { namespace: 'custom', metric: ACCEPTED_METRICS.bytes },
} as const;
type QueryId = keyof typeof QUERIES;

type Deps = {
  cloudWatch: CloudWatchClient;
  config: CheckMetricsConfig;
  logger: LoggerLike;
  now?: () => Date;
};

/** The figures compared with the job's: the start of their window may move back (comparisonStart). */
const COMPARED: readonly QueryId[] = [
  'incomingRecords',
  'incomingBytes',
  'jobAcceptedRecords',
  'jobAcceptedBytes',
];

/** Reads the run's window from CloudWatch and judges it; throws MetricsLaggingError while it is behind. */
export async function checkMetrics(state: RunState, deps: Deps): Promise<RunState> {
  const { start, end } = metricWindow(state.startedAt, deps.now?.() ?? new Date());
  const lookBack = new Date(start.getTime() - (MAX_EXTRA_MINUTES + 1) * PERIOD_SECONDS * 1000);
  const series = await readSeries(deps, lookBack, end);
  const busy = new Set(
    COMPARED.flatMap((id) => [...series[id]].filter(([, value]) => value > 0).map(([minute]) => minute)),
  );
  const compareFrom = comparisonStart(start, busy).getTime();
  const sumFrom = (id: QueryId, from: number) =>
    [...series[id]].reduce((total, [minute, value]) => (minute >= from ? total + value : total), 0);
  const sums = Object.fromEntries(
    (Object.keys(QUERIES) as QueryId[]).map((id) => [
      id,
      sumFrom(id, COMPARED.includes(id) ? compareFrom : start.getTime()),
    ]),
  ) as Record<QueryId, number>;
  const run = { records: state.totals.acceptedFirehoseRecords, bytes: state.totals.acceptedBytes };
  const stream = { records: sums.incomingRecords, bytes: sums.incomingBytes };
  const job = { records: sums.jobAcceptedRecords, bytes: sums.jobAcceptedBytes };
  const verdict = judgeMetrics({ run, stream, job });
  const window = { start, end, compareFrom: new Date(compareFrom) };
  deps.logger.info('metrics read', { window, expected: run, ...sums, verdict });
  if (verdict === 'behind') {
    throw new MetricsLaggingError(
      `CloudWatch shows ${stream.records} records / ${stream.bytes} bytes for ${deps.config.streamName} and ` +
        `${job.records} / ${job.bytes} accepted by this job's runs; this run had ${run.records} / ${run.bytes} ` +
        'accepted; CloudWatch has not caught up yet',
    );
  }
  const extra = unexplained(stream, job);
  const others = unexplained(job, run);
  const metrics: MetricsReport = {
    verdict,
    ...sums,
    expectedRecords: run.records,
    expectedBytes: run.bytes,
    otherRunsRecords: others.records,
    otherRunsBytes: others.bytes,
    ...(verdict === 'mismatch' ? { unexplainedRecords: extra.records, unexplainedBytes: extra.bytes } : {}),
  };
  return { ...state, metrics };
}

/** Each query's per-minute sums from `start` to `end`, by the minute's start (epoch ms). */
async function readSeries(deps: Deps, start: Date, end: Date): Promise<Record<QueryId, Map<number, number>>> {
  const dimensions = [{ Name: 'DeliveryStreamName', Value: deps.config.streamName }];
  const queries: MetricDataQuery[] = Object.entries(QUERIES).map(([id, q]) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: q.namespace === 'custom' ? deps.config.metricsNamespace : q.namespace,
        MetricName: q.metric,
        Dimensions: dimensions,
      },
      Period: PERIOD_SECONDS,
      Stat: 'Sum',
    },
  }));
  const series = Object.fromEntries(
    Object.keys(QUERIES).map((id) => [id, new Map<number, number>()]),
  ) as Record<QueryId, Map<number, number>>;
  const pages = paginateGetMetricData(
    { client: deps.cloudWatch },
    { MetricDataQueries: queries, StartTime: start, EndTime: end },
  );
  for await (const page of pages) {
    for (const result of page.MetricDataResults ?? []) {
      const minutes = series[result.Id as QueryId];
      (result.Values ?? []).forEach((value, i) => {
        // CloudWatch pairs every value with its timestamp; one without would still count, in the window.
        const at = result.Timestamps?.[i]?.getTime() ?? end.getTime();
        minutes.set(at, (minutes.get(at) ?? 0) + value);
      });
    }
  }
  return series;
}
