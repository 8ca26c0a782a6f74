import { isObject } from '../http/util';
import { CloudWatchRequestError } from './errors';
import { type Dimension, type MetricId, STATISTICS, type Stats, statValue } from './metric-store';

/** Reading CloudWatch request parameters, with the errors CloudWatch gives for bad ones. */

// CloudWatch quotas: 150 values per metric and 30 dimensions per metric (CloudWatch service quotas
// page).
const MAX_VALUES_PER_METRIC = 150;
const MAX_DIMENSIONS = 30;
// CloudWatch periods: 1, 5, 10, 30 (high resolution) or any multiple of 60 seconds.
const HIGH_RESOLUTION_PERIODS = [1, 5, 10, 30];

export type Input = Record<string, unknown>;

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function requiredString(input: Input, name: string): string {
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
export function time(value: unknown, name: string): number {
  if (value === undefined)
    throw new CloudWatchRequestError('MissingParameter', `The parameter ${name} is required.`);
  if (typeof value === 'number') return value * 1000;
  // From openMetricStore's callers (the SDK's own input shapes), not from the wire.
  if (value instanceof Date) return value.getTime();
  const text = String(value);
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (Number.isNaN(ms))
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `The value ${text} for parameter ${name} is invalid.`,
    );
  return ms;
}

export function parsePeriod(value: unknown): number {
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

export function parseDimensions(value: unknown): Dimension[] {
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

export function parseMetric(input: Input): MetricId {
  return {
    namespace: requiredString(input, 'Namespace'),
    metricName: requiredString(input, 'MetricName'),
    dimensions: parseDimensions(input.Dimensions),
  };
}

export function parseStats(datum: Input, position: number): Stats {
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

export function requiredStat(stat: string): string {
  if (!STATISTICS.some((known) => known === stat)) {
    throw new CloudWatchRequestError(
      'InvalidParameterValue',
      `Statistic ${stat} is not supported by local CloudWatch (use ${STATISTICS.join(', ')}).`,
    );
  }
  return stat;
}

export function statOf(stats: Stats, stat: string): number {
  return statValue(stats, stat) ?? 0;
}
