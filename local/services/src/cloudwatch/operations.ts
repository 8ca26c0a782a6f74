import { isObject } from '../http/util';
import { CloudWatchRequestError } from './errors';
import type { MetricStore } from './metric-store';
import {
  type Input,
  list,
  parseDimensions,
  parseMetric,
  parsePeriod,
  parseStats,
  requiredStat,
  requiredString,
  statOf,
  time,
} from './params';

/** The local CloudWatch operations, on plain objects whichever protocol carried them. */

export type MetricDataResult = {
  Id: string;
  Label: string;
  Timestamps: Date[];
  Values: number[];
  StatusCode: 'Complete';
};
export type GetMetricDataOutput = { MetricDataResults: MetricDataResult[]; Messages: never[] };
export type StatisticsDatapoint = {
  Timestamp: Date;
  Unit: string;
  [statistic: string]: Date | string | number;
};
export type GetMetricStatisticsOutput = { Label: string; Datapoints: StatisticsDatapoint[] };
export type ListMetricsOutput = {
  Metrics: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }[];
};

// CloudWatch quotas: PutMetricData takes up to 1,000 metrics; GetMetricData up to 500 queries
// (CloudWatch service quotas page).
const MAX_PUT_METRICS = 1000;
const MAX_QUERIES = 500;
// GetMetricStatistics returns at most 1,440 datapoints per call (CloudWatch API reference,
// GetMetricStatistics); asking for more is refused with InvalidParameterCombination.
const MAX_STATISTICS_DATAPOINTS = 1440;

export function putMetricData(store: MetricStore, input: Input): void {
  const namespace = requiredString(input, 'Namespace');
  if (namespace.startsWith('AWS/')) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `The value ${namespace} for parameter Namespace is invalid.`,
    );
  }
  const data = list(input.MetricData);
  if (data.length === 0)
    throw new CloudWatchRequestError('MissingParameter', 'The parameter MetricData is required.');
  if (data.length > MAX_PUT_METRICS) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `MetricData has more than ${MAX_PUT_METRICS} members.`,
    );
  }
  const now = Date.now();
  const parsed = data.map((item, index) => {
    const datum = isObject(item) ? item : {};
    const metricName = requiredString(datum, 'MetricName');
    const dimensions = parseDimensions(datum.Dimensions);
    const timestampMs =
      datum.Timestamp === undefined ? now : time(datum.Timestamp, `MetricData.member.${index + 1}.Timestamp`);
    const unit = typeof datum.Unit === 'string' ? datum.Unit : 'None';
    return { namespace, metricName, dimensions, timestampMs, unit, stats: parseStats(datum, index + 1) };
  });
  // Validate everything before storing anything: a rejected call stores nothing.
  store.putAll(parsed);
}

export function getMetricData(store: MetricStore, input: Input): GetMetricDataOutput {
  const start = time(input.StartTime, 'StartTime');
  const end = time(input.EndTime, 'EndTime');
  const ascending = input.ScanBy === 'TimestampAscending';
  const queries = list(input.MetricDataQueries);
  if (queries.length === 0 || queries.length > MAX_QUERIES) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `MetricDataQueries must have 1 to ${MAX_QUERIES} members.`,
    );
  }
  const results: MetricDataResult[] = [];
  for (const item of queries) {
    const query = isObject(item) ? item : {};
    const id = requiredString(query, 'Id');
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) {
      throw new CloudWatchRequestError(
        'InvalidParameterValue',
        `The value ${id} for parameter MetricDataQueries.Id is invalid.`,
      );
    }
    if (query.Expression !== undefined) {
      throw new CloudWatchRequestError(
        'InvalidParameterValue',
        'Metric math expressions are not supported by local CloudWatch.',
      );
    }
    if (!isObject(query.MetricStat))
      throw new CloudWatchRequestError('MissingParameter', `Query ${id} needs a MetricStat.`);
    const stat = requiredStat(requiredString(query.MetricStat, 'Stat'));
    const period = parsePeriod(query.MetricStat.Period ?? query.Period);
    const metric = parseMetric(isObject(query.MetricStat.Metric) ? query.MetricStat.Metric : {});
    const unit = typeof query.MetricStat.Unit === 'string' ? query.MetricStat.Unit : undefined;
    const points = store.query(metric, start, end, period, unit);
    // GetMetricData lists newest first unless ScanBy is TimestampAscending.
    if (!ascending) points.reverse();
    if (query.ReturnData === false || query.ReturnData === 'false') continue;
    results.push({
      Id: id,
      Label: typeof query.Label === 'string' ? query.Label : metric.metricName,
      Timestamps: points.map((p) => new Date(p.timestampMs)),
      Values: points.map((p) => statOf(p.stats, stat)),
      StatusCode: 'Complete',
    });
  }
  return { MetricDataResults: results, Messages: [] };
}

export function getMetricStatistics(store: MetricStore, input: Input): GetMetricStatisticsOutput {
  const metric = parseMetric(input);
  const start = time(input.StartTime, 'StartTime');
  const end = time(input.EndTime, 'EndTime');
  const period = parsePeriod(input.Period);
  // The wording AWS answers with (as reported in cloud-custodian/cloud-custodian#7683).
  const requested = Math.ceil((end - start) / (period * 1000));
  if (requested > MAX_STATISTICS_DATAPOINTS) {
    throw new CloudWatchRequestError(
      'InvalidParameterCombination',
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS}. ` +
        'You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
    );
  }
  const statistics = list(input.Statistics).map((stat) => requiredStat(String(stat)));
  if (input.ExtendedStatistics !== undefined) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      'ExtendedStatistics are not supported by local CloudWatch.',
    );
  }
  if (statistics.length === 0) {
    throw new CloudWatchRequestError(
      'MissingParameter',
      'The parameter Statistics or ExtendedStatistics is required.',
    );
  }
  const unit = typeof input.Unit === 'string' ? input.Unit : undefined;
  const datapoints = store.query(metric, start, end, period, unit).map((point) => {
    const datapoint: StatisticsDatapoint = { Timestamp: new Date(point.timestampMs), Unit: point.unit };
    for (const stat of statistics) datapoint[stat] = statOf(point.stats, stat);
    return datapoint;
  });
  return { Label: metric.metricName, Datapoints: datapoints };
}

export function listMetrics(store: MetricStore, input: Input): ListMetricsOutput {
  const dimensions = list(input.Dimensions).map((item) => {
    const d = isObject(item) ? item : {};
    return { Name: String(d.Name), Value: typeof d.Value === 'string' ? d.Value : undefined };
  });
  const metrics = store.listMetrics({
    namespace: typeof input.Namespace === 'string' ? input.Namespace : undefined,
    metricName: typeof input.MetricName === 'string' ? input.MetricName : undefined,
    dimensions,
  });
  return {
    Metrics: metrics.map((m) => ({
      Namespace: m.namespace,
      MetricName: m.metricName,
      Dimensions: m.dimensions.map((d) => ({ ...d })),
    })),
  };
}
