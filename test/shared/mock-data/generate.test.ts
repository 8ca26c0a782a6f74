import { ConfigError } from '../../../functions/shared/errors';
import { generateRecords } from '../../../functions/shared/mock-data/generate';
import {
  AlertLevel,
  DEFAULT_MOCK_RECORD_COUNT,
  HttpMethod,
  MOCK_START_TIMESTAMP,
} from '../../../functions/shared/mock-data/record';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

describe('generateRecords', () => {
  it('yields the scenario default of 2,550 records', () => {
    expect(DEFAULT_MOCK_RECORD_COUNT).toBe(2_550);
    expect([...generateRecords()]).toHaveLength(2_550);
  });

  it('yields identical records for the same seed and different ones for another seed', () => {
    const a = [...generateRecords(300, 7)];
    expect([...generateRecords(300, 7)]).toEqual(a);
    expect([...generateRecords(300, 8)]).not.toEqual(a);
  });

  it('keeps every field inside its domain', () => {
    const records = [...generateRecords(3_000, 3)];
    const fieldOrder = Object.keys(records[0] ?? {});
    expect(fieldOrder).toEqual([
      'ip_address',
      'timestamp',
      'alert_level',
      'method',
      'path',
      'status',
      'bytes',
      'user_agent',
      'referrer',
      'latency_ms',
    ]);
    const alertLevels: readonly string[] = Object.values(AlertLevel);
    const methods: readonly string[] = Object.values(HttpMethod);
    // One expect over all records: thousands of expect calls would dominate the test's run time.
    const outOfDomain = records.filter(
      (r, i) =>
        Object.keys(r).join() !== fieldOrder.join() ||
        !IPV4.test(r.ip_address) ||
        !Number.isInteger(r.timestamp) ||
        r.timestamp < (records[i - 1]?.timestamp ?? MOCK_START_TIMESTAMP) || // a log is in time order
        !alertLevels.includes(r.alert_level) ||
        !methods.includes(r.method) ||
        !r.path.startsWith('/') ||
        r.status < 200 ||
        r.status >= 600 ||
        !Number.isInteger(r.bytes) ||
        r.bytes < 0 ||
        r.user_agent.length === 0 ||
        !(r.referrer === '-' || r.referrer.startsWith('http')) ||
        !Number.isInteger(r.latency_ms) ||
        r.latency_ms <= 0,
    );
    expect(outOfDomain).toEqual([]);
    // Unix seconds, not milliseconds: the whole log lies within a day of the fixed start.
    expect((records.at(-1)?.timestamp ?? 0) - MOCK_START_TIMESTAMP).toBeLessThan(86_400);
    expect(new Set(records.map((r) => r.alert_level))).toEqual(new Set(alertLevels));
  });

  it('rates server errors High or Critical', () => {
    const serverErrors = [...generateRecords(5_000, 11)].filter((r) => r.status >= 500);
    expect(serverErrors.length).toBeGreaterThan(0);
    for (const r of serverErrors) expect([AlertLevel.high, AlertLevel.critical]).toContain(r.alert_level);
  });

  it('is lazy: a practically endless generator hands out its first records at once', () => {
    const endless = generateRecords(Number.MAX_SAFE_INTEGER, 1);
    const first = [endless.next().value, endless.next().value, endless.next().value];
    expect(first).toEqual([...generateRecords(3, 1)]);
    endless.return(undefined);
  });

  it.each([
    [-1, 1],
    [1.5, 1],
    [10, Number.NaN],
  ])('rejects count %p with seed %p as a ConfigError', (count, seed) => {
    expect(() => generateRecords(count, seed).next()).toThrow(ConfigError);
  });
});
