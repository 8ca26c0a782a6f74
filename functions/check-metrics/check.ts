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
import { judgeMetrics, metricWindow, unexplained } from './verdict';

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

/** Reads the run's window from CloudWatch and judges it; throws MetricsLaggingError while it is behind. */
export async function checkMetrics(
  state: RunState,
  deps: { cloudWatch: CloudWatchClient; config: CheckMetricsConfig; logger: LoggerLike; now?: () => Date },
): Promise<RunState> {
  const { start, end } = metricWindow(state.startedAt, deps.now?.() ?? new Date());
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
  const sums: Record<QueryId, number> = {
    incomingRecords: 0,
    incomingBytes: 0,
    throttledRecords: 0,
    failedPutCount: 0,
    jobAcceptedRecords: 0,
    jobAcceptedBytes: 0,
  };
  const pages = paginateGetMetricData(
    { client: deps.cloudWatch },
    { MetricDataQueries: queries, StartTime: start, EndTime: end },
  );
  for await (const page of pages) {
    for (const result of page.MetricDataResults ?? []) {
      const id = result.Id as QueryId;
      sums[id] += (result.Values ?? []).reduce((total, value) => total + value, 0);
    }
  }

  const run = { records: state.totals.acceptedFirehoseRecords, bytes: state.totals.acceptedBytes };
  const stream = { records: sums.incomingRecords, bytes: sums.incomingBytes };
  const job = { records: sums.jobAcceptedRecords, bytes: sums.jobAcceptedBytes };
  const verdict = judgeMetrics({ run, stream, job });
  deps.logger.info('metrics read', { window: { start, end }, expected: run, ...sums, verdict });
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
