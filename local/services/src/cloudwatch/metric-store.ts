import { effectiveStartMs, periodReadable, resolutionAt } from './retention';

/**
 * CloudWatch's metric store, in memory. Datapoints are aggregated per metric, unit and second on
 * arrival (CloudWatch's finest resolution), so memory grows with seconds of activity, not with calls.
 * With a journal, every datapoint is also appended to a file before it counts (metric-journal.ts,
 * persistent-store.ts); reads and compaction apply CloudWatch's retention (retention.ts).
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

/** Where accepted datapoints are persisted (metric-journal.ts). */
export interface DatumSink {
  /** Queued; written before any I/O callback runs. */
  append(datum: Datum): void;
  /** Written now; throws if the write fails. */
  writeNow(datums: Datum[]): void;
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

  private sink: DatumSink | undefined;

  /** From now on every datapoint put is persisted to `sink` before it counts. */
  persistTo(sink: DatumSink): void {
    this.sink = sink;
  }

  /** A datapoint of the services themselves (local Firehose's metrics): persisted within this turn. */
  put(datum: Datum): void {
    this.sink?.append(datum);
    this.accept(datum);
  }

  /** The datapoints of one PutMetricData: persisted before this returns; none counts if that fails. */
  putAll(datums: Datum[]): void {
    this.sink?.writeNow(datums);
    for (const datum of datums) this.accept(datum);
  }

  /** A datapoint read back from the journal: visible at once, not persisted again. */
  load(datum: Datum): void {
    this.add(datum);
  }

  /**
   * Rolls datapoints up to the resolution CloudWatch keeps at their age and drops those past its
   * retention (and metrics left without data). Returns how many (metric, unit, time) entries remain.
   */
  compact(): number {
    this.drain();
    const now = this.now();
    let entries = 0;
    for (const [key, series] of this.series) {
      for (const [unit, seconds] of series.units) {
        const rolled = new Map<number, Stats>();
        for (const [second, stats] of seconds) {
          const resolution = resolutionAt(now - second * 1000);
          if (resolution === undefined) continue;
          const at = Math.floor(second / resolution) * resolution;
          const existing = rolled.get(at);
          if (existing) merge(existing, stats);
          else rolled.set(at, stats);
        }
        if (rolled.size === 0) series.units.delete(unit);
        else series.units.set(unit, rolled);
        entries += rolled.size;
      }
      if (series.units.size === 0) this.series.delete(key);
    }
    return entries;
  }

  /** Every stored entry as a datum (visible ones only), for rewriting the journal. */
  *entries(): Generator<Datum> {
    this.drain();
    for (const { namespace, metricName, dimensions, units } of this.series.values()) {
      for (const [unit, seconds] of units) {
        for (const [second, stats] of seconds) {
          yield { namespace, metricName, dimensions, timestampMs: second * 1000, unit, stats };
        }
      }
    }
  }

  private accept(datum: Datum): void {
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

  /**
   * Stats per period bucket (aligned to the epoch) with data in [startMs, endMs), oldest first, under
   * CloudWatch's retention: StartTime rounded down, nothing for a period finer than the data's age keeps.
   */
  query(
    metric: MetricId,
    requestedStartMs: number,
    endMs: number,
    periodSeconds: number,
    unit?: string,
  ): AggregatedPoint[] {
    this.drain();
    const now = this.now();
    if (!periodReadable(requestedStartMs, periodSeconds, now)) return [];
    const startMs = effectiveStartMs(requestedStartMs, periodSeconds, now);
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
