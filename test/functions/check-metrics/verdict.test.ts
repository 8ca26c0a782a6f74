import { judgeMetrics, metricWindow } from '../../../functions/check-metrics/verdict';

describe('judgeMetrics', () => {
  it('confirms when CloudWatch shows exactly what was accepted', () => {
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 10, bytes: 500 })).toBe('confirmed');
    expect(judgeMetrics({ records: 0, bytes: 0 }, { records: 0, bytes: 0 })).toBe('confirmed');
  });

  it('is behind while CloudWatch shows fewer records or fewer bytes', () => {
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 9, bytes: 500 })).toBe('behind');
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 10, bytes: 499 })).toBe('behind');
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 0, bytes: 0 })).toBe('behind');
  });

  it('is behind when one count is short even if the other is over', () => {
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 11, bytes: 400 })).toBe('behind');
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 5, bytes: 900 })).toBe('behind');
  });

  it('reports a mismatch when CloudWatch shows more than was accepted', () => {
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 11, bytes: 550 })).toBe('mismatch');
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 10, bytes: 501 })).toBe('mismatch');
    expect(judgeMetrics({ records: 10, bytes: 500 }, { records: 12, bytes: 500 })).toBe('mismatch');
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
