/**
 * In-memory CloudWatch metric store. Datapoints are aggregated per metric, unit and second on
 * arrival (CloudWatch's finest resolution), so memory grows with seconds of activity, not with calls.
 */

export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricId {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
}

export interface Stats {
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface Datum extends MetricId {
  timestampMs: number;
  unit: string;
  stats: Stats;
}

export interface AggregatedPoint {
  timestampMs: number;
  unit: string;
  stats: Stats;
}

interface Series extends MetricId {
  /** unit -> epoch second -> stats */
  units: Map<string, Map<number, Stats>>;
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  /** Datapoints not yet visible, in arrival order (visibleAt only grows: the delay is fixed). */
  private pending: { visibleAt: number; datum: Datum }[] = [];

  constructor(
    private readonly publishDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  put(datum: Datum): void {
    if (this.publishDelayMs <= 0) this.add(datum);
    else this.pending.push({ visibleAt: this.now() + this.publishDelayMs, datum });
  }

  listMetrics(filter: {
    namespace?: string;
    metricName?: string;
    dimensions?: { Name: string; Value?: string }[];
  }): MetricId[] {
    this.drain();
    return [...this.series.values()]
      .filter(
        (s) =>
          (filter.namespace === undefined || s.namespace === filter.namespace) &&
          (filter.metricName === undefined || s.metricName === filter.metricName) &&
          (filter.dimensions ?? []).every((wanted) =>
            s.dimensions.some(
              (d) => d.Name === wanted.Name && (wanted.Value === undefined || d.Value === wanted.Value),
            ),
          ),
      )
      .map(({ namespace, metricName, dimensions }) => ({ namespace, metricName, dimensions }));
  }

  /** Stats per period bucket (aligned to the epoch) with data in [startMs, endMs), oldest first. */
  query(
    metric: MetricId,
    startMs: number,
    endMs: number,
    periodSeconds: number,
    unit?: string,
  ): AggregatedPoint[] {
    this.drain();
    const series = this.series.get(seriesKey(metric));
    const buckets = new Map<number, AggregatedPoint>();
    for (const [seriesUnit, seconds] of series?.units ?? []) {
      if (unit !== undefined && unit !== seriesUnit) continue;
      for (const [second, stats] of seconds) {
        const ms = second * 1000;
        if (ms < startMs || ms >= endMs) continue;
        const bucket = Math.floor(second / periodSeconds) * periodSeconds * 1000;
        const point = buckets.get(bucket);
        if (point) {
          merge(point.stats, stats);
          if (point.unit !== seriesUnit) point.unit = 'None';
        } else {
          buckets.set(bucket, { timestampMs: bucket, unit: seriesUnit, stats: { ...stats } });
        }
      }
    }
    return [...buckets.values()].sort((a, b) => a.timestampMs - b.timestampMs);
  }

  private drain(): void {
    const now = this.now();
    let visible = 0;
    while (visible < this.pending.length && this.pending[visible].visibleAt <= now) {
      this.add(this.pending[visible].datum);
      visible++;
    }
    if (visible > 0) this.pending = this.pending.slice(visible);
  }

  private add(datum: Datum): void {
    const key = seriesKey(datum);
    let series = this.series.get(key);
    if (!series) {
      series = {
        namespace: datum.namespace,
        metricName: datum.metricName,
        dimensions: sortDimensions(datum.dimensions),
        units: new Map(),
      };
      this.series.set(key, series);
    }
    let seconds = series.units.get(datum.unit);
    if (!seconds) {
      seconds = new Map();
      series.units.set(datum.unit, seconds);
    }
    const second = Math.floor(datum.timestampMs / 1000);
    const existing = seconds.get(second);
    if (existing) merge(existing, datum.stats);
    else seconds.set(second, { ...datum.stats });
  }
}

export function statValue(stats: Stats, stat: string): number | undefined {
  switch (stat) {
    case 'Sum':
      return stats.sum;
    case 'Average':
      return stats.count === 0 ? 0 : stats.sum / stats.count;
    case 'Minimum':
      return stats.min;
    case 'Maximum':
      return stats.max;
    case 'SampleCount':
      return stats.count;
  }
  return undefined;
}

export const STATISTICS = ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'] as const;

function merge(into: Stats, from: Stats): void {
  into.sum += from.sum;
  into.count += from.count;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
}

function sortDimensions(dimensions: Dimension[]): Dimension[] {
  return [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** A metric is its namespace, name and exact set of dimensions, in any order (CloudWatch concepts). */
function seriesKey(metric: MetricId): string {
  return JSON.stringify([
    metric.namespace,
    metric.metricName,
    sortDimensions(metric.dimensions).map((d) => [d.Name, d.Value]),
  ]);
}
