import {
  comparisonStart,
  judgeMetrics,
  MAX_EXTRA_MINUTES,
  metricWindow,
  unexplained,
} from '../../../functions/check-metrics/verdict';

const t = (records: number, bytes: number) => ({ records, bytes });

describe('judgeMetrics', () => {
  it('confirms when the stream shows exactly what this run had accepted and no other run of the job wrote', () => {
    expect(judgeMetrics({ run: t(10, 500), stream: t(10, 500), job: t(10, 500) })).toBe('confirmed');
    expect(judgeMetrics({ run: t(0, 0), stream: t(0, 0), job: t(0, 0) })).toBe('confirmed');
  });

  it("confirms when another run of the same job wrote in the window and the stream shows both runs' records", () => {
    // `npm start` twice, or a rerun-failed right after the failed run: 7 records of the earlier run.
    expect(judgeMetrics({ run: t(10, 500), stream: t(17, 850), job: t(17, 850) })).toBe('confirmed');
  });

  it("is behind while the stream shows fewer records or fewer bytes than this run's", () => {
    expect(judgeMetrics({ run: t(10, 500), stream: t(9, 500), job: t(10, 500) })).toBe('behind');
    expect(judgeMetrics({ run: t(10, 500), stream: t(10, 499), job: t(10, 500) })).toBe('behind');
    expect(judgeMetrics({ run: t(10, 500), stream: t(0, 0), job: t(10, 500) })).toBe('behind');
  });

  it('is behind when one count is short even if the other is over', () => {
    expect(judgeMetrics({ run: t(10, 500), stream: t(11, 400), job: t(10, 500) })).toBe('behind');
    expect(judgeMetrics({ run: t(10, 500), stream: t(5, 900), job: t(10, 500) })).toBe('behind');
  });

  it("is behind while the job's published figure lacks this run's counts, even if the stream has them", () => {
    expect(judgeMetrics({ run: t(10, 500), stream: t(10, 500), job: t(0, 0) })).toBe('behind');
    expect(judgeMetrics({ run: t(10, 500), stream: t(10, 500), job: t(10, 499) })).toBe('behind');
  });

  it("is behind while the stream has this run's records but not yet another run's the job accepted", () => {
    expect(judgeMetrics({ run: t(10, 500), stream: t(12, 600), job: t(17, 850) })).toBe('behind');
  });

  it('reports a mismatch when the stream shows more than all runs of the job had accepted', () => {
    expect(judgeMetrics({ run: t(10, 500), stream: t(11, 550), job: t(10, 500) })).toBe('mismatch');
    expect(judgeMetrics({ run: t(10, 500), stream: t(10, 501), job: t(10, 500) })).toBe('mismatch');
    expect(judgeMetrics({ run: t(10, 500), stream: t(12, 500), job: t(10, 500) })).toBe('mismatch');
    expect(judgeMetrics({ run: t(10, 500), stream: t(20, 1000), job: t(17, 850) })).toBe('mismatch');
  });
});

describe('unexplained', () => {
  it("is what the stream shows beyond the job's runs, and never negative", () => {
    expect(unexplained(t(20, 1000), t(17, 850))).toEqual(t(3, 150));
    expect(unexplained(t(17, 850), t(17, 900))).toEqual(t(0, 0));
  });
});

describe('metricWindow', () => {
  it('widens the run to whole minutes with one minute of slack on each side', () => {
    expect(metricWindow('2024-05-01T12:03:27.512Z', new Date('2024-05-01T12:07:05.001Z'))).toEqual({
      start: new Date('2024-05-01T12:02:00.000Z'),
      end: new Date('2024-05-01T12:09:00.000Z'),
    });
  });

  it('adds exactly one minute when the times fall on minute boundaries', () => {
    expect(metricWindow('2024-05-01T12:03:00.000Z', new Date('2024-05-01T12:07:00.000Z'))).toEqual({
      start: new Date('2024-05-01T12:02:00.000Z'),
      end: new Date('2024-05-01T12:08:00.000Z'),
    });
  });

  it('spans at least three minutes for a run that started and ended in the same minute', () => {
    const { start, end } = metricWindow('2024-05-01T23:59:10Z', new Date('2024-05-01T23:59:50Z'));
    expect(start).toEqual(new Date('2024-05-01T23:58:00Z'));
    expect(end).toEqual(new Date('2024-05-02T00:01:00Z'));
  });

  it('reads the Step Functions start time with or without milliseconds', () => {
    const now = new Date('2024-05-01T12:10:00Z');
    expect(metricWindow('2024-05-01T12:03:27Z', now)).toEqual(metricWindow('2024-05-01T12:03:27.999Z', now));
  });
});

describe('comparisonStart', () => {
  const start = new Date('2024-05-01T12:02:00Z');
  const at = (iso: string) => Date.parse(iso);

  it("keeps the window's start when the minute before it is quiet", () => {
    expect(comparisonStart(start, new Set())).toEqual(start);
    expect(comparisonStart(start, new Set([at('2024-05-01T12:02:00Z'), at('2024-05-01T11:59:00Z')]))).toEqual(
      start,
    );
  });

  it('moves the start back over busy minutes until the minute before it is quiet', () => {
    const busy = new Set([at('2024-05-01T12:01:00Z'), at('2024-05-01T12:00:00Z')]);
    expect(comparisonStart(start, busy)).toEqual(new Date('2024-05-01T12:00:00Z'));
  });

  it(`keeps the window's start when no quiet minute is found within ${MAX_EXTRA_MINUTES} minutes`, () => {
    const busy = new Set(
      Array.from({ length: MAX_EXTRA_MINUTES + 2 }, (_, i) => start.getTime() - (i + 1) * 60_000),
    );
    expect(comparisonStart(start, busy)).toEqual(start);
  });
});
