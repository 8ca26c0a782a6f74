import { MetricJournal } from '../src/cloudwatch/metric-journal';
import { type Datum, MetricStore } from '../src/cloudwatch/metric-store';

/** Writes that fail (a full disk: /dev/full answers every write with ENOSPC). */

const datum = (value: number): Datum => ({
  namespace: 'Test/Full',
  metricName: 'Calls',
  dimensions: [],
  timestampMs: Date.now(),
  unit: 'Count',
  stats: { sum: value, count: 1, min: value, max: value },
});
const sum = (store: MetricStore) =>
  store
    .query(
      { namespace: 'Test/Full', metricName: 'Calls', dimensions: [] },
      Date.now() - 60_000,
      Date.now() + 60_000,
      60,
    )
    .reduce((total, point) => total + point.stats.sum, 0);

describe('the metric journal on a full disk', () => {
  it('refuses a PutMetricData whose datapoints it cannot write, and counts none of them', () => {
    const journal = MetricJournal.open('/dev/full');
    const store = new MetricStore(0);
    store.persistTo(journal);
    expect(() => store.putAll([datum(1), datum(2)])).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(sum(store)).toBe(0);
    // /dev/full takes no fsync (EINVAL); close closes the file all the same.
    expect(() => journal.close()).toThrow();
  });

  it('keeps the services’ own datapoints queued when their write fails, and says so at close', async () => {
    const journal = MetricJournal.open('/dev/full');
    const store = new MetricStore(0);
    store.persistTo(journal);
    store.put(datum(5));
    await Promise.resolve();
    expect(sum(store)).toBe(5);
    expect(() => journal.close()).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
  });
});
