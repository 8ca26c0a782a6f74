import { isObject, type RequestContext, readBody, sendJson, sendXml } from './http-util';
import {
  type Dimension,
  type MetricId,
  type MetricStore,
  STATISTICS,
  type Stats,
  statValue,
} from './metric-store';
import { CLOUDWATCH_XMLNS, type XmlObject, type XmlValue, xmlDocument } from './xml';

/**
 * Local CloudWatch metrics, in both protocols the SDKs speak: awsJson1_0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.<Op>` (current SDK v3; timestamps are epoch seconds)
 * and the form-encoded query protocol with XML responses (older SDKs, AWS CLI v2.9).
 * Both are read into the same plain objects: the query protocol's "X.member.N" become arrays.
 */

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const MAX_BODY_BYTES = 8 * 1024 * 1024;
// CloudWatch quotas: PutMetricData takes up to 1,000 metrics, 150 values per metric and 30 dimensions
// per metric; GetMetricData up to 500 queries (CloudWatch service quotas page).
const MAX_PUT_METRICS = 1000;
const MAX_VALUES_PER_METRIC = 150;
const MAX_DIMENSIONS = 30;
const MAX_QUERIES = 500;
// CloudWatch periods: 1, 5, 10, 30 (high resolution) or any multiple of 60 seconds.
const HIGH_RESOLUTION_PERIODS = [1, 5, 10, 30];

/** Query-protocol error code → SDK error shape and HTTP status (from the CloudWatch model). */
const CloudWatchError = {
  InvalidParameterValue: { shape: 'InvalidParameterValueException', status: 400 },
  InvalidParameterCombination: { shape: 'InvalidParameterCombinationException', status: 400 },
  MissingParameter: { shape: 'MissingRequiredParameterException', status: 400 },
  InvalidAction: { shape: 'InvalidAction', status: 400 },
  InternalServiceError: { shape: 'InternalServiceFault', status: 500 },
} as const;
type CloudWatchErrorCode = keyof typeof CloudWatchError;

class CloudWatchRequestError extends Error {
  constructor(
    readonly code: CloudWatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const Protocol = { json: 'json', query: 'query' } as const;
type Protocol = (typeof Protocol)[keyof typeof Protocol];

type Input = Record<string, unknown>;

export class CloudWatchService {
  constructor(private readonly metrics: MetricStore) {}

  async handle(ctx: RequestContext, protocol: Protocol): Promise<void> {
    let operation = '';
    try {
      const body = (await readBody(ctx.req, MAX_BODY_BYTES)).toString('utf8');
      let input: Input;
      if (protocol === Protocol.json) {
        const target = String(ctx.req.headers['x-amz-target'] ?? '');
        operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
        const parsed: unknown = JSON.parse(body || '{}');
        input = isObject(parsed) ? parsed : {};
      } else {
        const form = new URLSearchParams(body);
        for (const [name, value] of ctx.url.searchParams) if (!form.has(name)) form.set(name, value);
        operation = form.get('Action') ?? '';
        input = unflattenQuery(form);
      }
      const output = this.dispatch(operation, input);
      if (protocol === Protocol.json) sendJson(ctx, 200, JSON_CONTENT_TYPE, toJson(output));
      else {
        const result = Object.keys(output).length > 0 ? { [`${operation}Result`]: toXml(output) } : {};
        sendXml(
          ctx,
          200,
          xmlDocument(`${operation}Response`, CLOUDWATCH_XMLNS, {
            ...result,
            ResponseMetadata: { RequestId: ctx.requestId },
          }),
          { 'x-amzn-requestid': ctx.requestId },
        );
      }
    } catch (error) {
      const failure =
        error instanceof CloudWatchRequestError
          ? error
          : error instanceof SyntaxError
            ? new CloudWatchRequestError('InvalidParameterValue', 'The request body is not valid JSON')
            : new CloudWatchRequestError('InternalServiceError', String(error));
      const { shape, status } = CloudWatchError[failure.code];
      const type = status >= 500 ? 'Receiver' : 'Sender';
      if (protocol === Protocol.json) {
        // x-amzn-query-error lets query-compatible SDKs report the query-protocol error code.
        sendJson(
          ctx,
          status,
          JSON_CONTENT_TYPE,
          { __type: `com.amazonaws.cloudwatch#${shape}`, message: failure.message },
          { 'x-amzn-query-error': `${failure.code};${type}` },
        );
      } else {
        const xml = xmlDocument('ErrorResponse', CLOUDWATCH_XMLNS, {
          Error: { Type: type, Code: failure.code, Message: failure.message },
          RequestId: ctx.requestId,
        });
        sendXml(ctx, status, xml, { 'x-amzn-requestid': ctx.requestId });
      }
    }
  }

  private dispatch(operation: string, input: Input): Record<string, Output> {
    switch (operation) {
      case 'PutMetricData':
        this.putMetricData(input);
        return {};
      case 'GetMetricData':
        return this.getMetricData(input);
      case 'GetMetricStatistics':
        return this.getMetricStatistics(input);
      case 'ListMetrics':
        return this.listMetrics(input);
    }
    throw new CloudWatchRequestError(
      'InvalidAction',
      `Operation ${operation || '(none)'} is not supported by local CloudWatch`,
    );
  }

  private putMetricData(input: Input): void {
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
        datum.Timestamp === undefined
          ? now
          : time(datum.Timestamp, `MetricData.member.${index + 1}.Timestamp`);
      const unit = typeof datum.Unit === 'string' ? datum.Unit : 'None';
      return { namespace, metricName, dimensions, timestampMs, unit, stats: parseStats(datum, index + 1) };
    });
    // Validate everything before storing anything: a rejected call stores nothing.
    for (const datum of parsed) this.metrics.put(datum);
  }

  private getMetricData(input: Input): Record<string, Output> {
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
    const results: Output[] = [];
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
      const points = this.metrics.query(metric, start, end, period, unit);
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

  private getMetricStatistics(input: Input): Record<string, Output> {
    const metric = parseMetric(input);
    const start = time(input.StartTime, 'StartTime');
    const end = time(input.EndTime, 'EndTime');
    const period = parsePeriod(input.Period);
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
    const datapoints = this.metrics.query(metric, start, end, period, unit).map((point) => {
      const datapoint: Record<string, Output> = { Timestamp: new Date(point.timestampMs), Unit: point.unit };
      for (const stat of statistics) datapoint[stat] = statOf(point.stats, stat);
      return datapoint;
    });
    return { Label: metric.metricName, Datapoints: datapoints };
  }

  private listMetrics(input: Input): Record<string, Output> {
    const dimensions = list(input.Dimensions).map((item) => {
      const d = isObject(item) ? item : {};
      return { Name: String(d.Name), Value: typeof d.Value === 'string' ? d.Value : undefined };
    });
    const metrics = this.metrics.listMetrics({
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
}

/** Response values before protocol encoding: Dates become epoch seconds (JSON) or ISO 8601 (XML). */
type Output = string | number | boolean | Date | Output[] | { [name: string]: Output };

function toJson(value: Output): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

function toXml(value: Output): XmlValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return { member: value.map(toXml) };
  if (typeof value === 'object') {
    const out: XmlObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = toXml(v);
    return out;
  }
  return value;
}

/** "MetricData.member.1.Dimensions.member.2.Name=x" → { MetricData: [{ Dimensions: [_, { Name: 'x' }] }] }. */
export function unflattenQuery(form: URLSearchParams): Input {
  const root: Input = {};
  for (const [name, value] of form) {
    const parts = name.split('.');
    let node: Input = root;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) {
        node[part] = value;
      } else {
        const existing = node[part];
        const next: Input = isObject(existing) ? existing : {};
        node[part] = next;
        node = next;
      }
    }
  }
  return arraysFromMembers(root) as Input;
}

function arraysFromMembers(value: unknown): unknown {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'member' && isObject(value.member)) {
    return Object.entries(value.member)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, item]) => arraysFromMembers(item));
  }
  return Object.fromEntries(keys.map((key) => [key, arraysFromMembers(value[key])]));
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw new CloudWatchRequestError('MissingParameter', `The parameter ${name} is required.`);
  }
  return value;
}

function number(value: unknown, name: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n))
    throw new CloudWatchRequestError('InvalidParameterValue', `The value for parameter ${name} is invalid.`);
  return n;
}

/** JSON sends epoch seconds; the query protocol sends ISO 8601 (or epoch seconds). Returns ms. */
function time(value: unknown, name: string): number {
  if (value === undefined)
    throw new CloudWatchRequestError('MissingParameter', `The parameter ${name} is required.`);
  if (typeof value === 'number') return value * 1000;
  const text = String(value);
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (Number.isNaN(ms))
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `The value ${text} for parameter ${name} is invalid.`,
    );
  return ms;
}

function parsePeriod(value: unknown): number {
  const period = number(value, 'Period');
  if (
    !Number.isInteger(period) ||
    period < 1 ||
    (!HIGH_RESOLUTION_PERIODS.includes(period) && period % 60 !== 0)
  ) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      'The parameter Period must be 1, 5, 10, 30 or a multiple of 60.',
    );
  }
  return period;
}

function parseDimensions(value: unknown): Dimension[] {
  const dimensions = list(value).map((item) => {
    const d = isObject(item) ? item : {};
    return { Name: requiredString(d, 'Name'), Value: requiredString(d, 'Value') };
  });
  if (dimensions.length > MAX_DIMENSIONS) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `A metric can have at most ${MAX_DIMENSIONS} dimensions.`,
    );
  }
  return dimensions;
}

function parseMetric(input: Input): MetricId {
  return {
    namespace: requiredString(input, 'Namespace'),
    metricName: requiredString(input, 'MetricName'),
    dimensions: parseDimensions(input.Dimensions),
  };
}

function parseStats(datum: Input, position: number): Stats {
  const where = `MetricData.member.${position}`;
  const given = ['Value', 'Values', 'StatisticValues'].filter((name) => datum[name] !== undefined);
  if (given.length > 1) {
    throw new CloudWatchRequestError(
      'InvalidParameterCombination',
      `${where} may have only one of Value, Values and StatisticValues.`,
    );
  }
  if (isObject(datum.StatisticValues)) {
    const s = datum.StatisticValues;
    return {
      sum: number(s.Sum, `${where}.StatisticValues.Sum`),
      count: number(s.SampleCount, `${where}.StatisticValues.SampleCount`),
      min: number(s.Minimum, `${where}.StatisticValues.Minimum`),
      max: number(s.Maximum, `${where}.StatisticValues.Maximum`),
    };
  }
  if (datum.Values !== undefined) {
    const values = list(datum.Values).map((v, i) => number(v, `${where}.Values.member.${i + 1}`));
    const counts = list(datum.Counts).map((c, i) => number(c, `${where}.Counts.member.${i + 1}`));
    if (values.length === 0 || values.length > MAX_VALUES_PER_METRIC) {
      throw new CloudWatchRequestError(
        'InvalidParameterValue',
        `${where}.Values must have 1 to ${MAX_VALUES_PER_METRIC} members.`,
      );
    }
    if (counts.length > 0 && counts.length !== values.length) {
      throw new CloudWatchRequestError(
        'InvalidParameterValue',
        `${where}.Counts must have as many members as Values.`,
      );
    }
    const stats: Stats = { sum: 0, count: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
    values.forEach((value, i) => {
      const count = counts[i] ?? 1;
      stats.sum += value * count;
      stats.count += count;
      stats.min = Math.min(stats.min, value);
      stats.max = Math.max(stats.max, value);
    });
    return stats;
  }
  const value = number(datum.Value, `${where}.Value`);
  return { sum: value, count: 1, min: value, max: value };
}

function requiredStat(stat: string): string {
  if (!STATISTICS.some((known) => known === stat)) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `Statistic ${stat} is not supported by local CloudWatch (use ${STATISTICS.join(', ')}).`,
    );
  }
  return stat;
}

function statOf(stats: Stats, stat: string): number {
  return statValue(stats, stat) ?? 0;
}

export const CloudWatchProtocol = Protocol;
