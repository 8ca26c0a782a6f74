import {
  type AcceptedByMinute,
  addAccepted,
  isAcceptedByMinute,
  minuteOf,
  sumAccepted,
} from '../../functions/shared/accepted-minutes';

describe('minuteOf', () => {
  it("names the 60-second period a time falls in, as CloudWatch's periods start on the minute", () => {
    expect(minuteOf(Date.parse('2024-05-01T12:03:00.000Z'))).toBe('2024-05-01T12:03Z');
    expect(minuteOf(Date.parse('2024-05-01T12:03:59.999Z'))).toBe('2024-05-01T12:03Z');
    expect(minuteOf(Date.parse('2024-05-01T23:59:59.999Z'))).toBe('2024-05-01T23:59Z');
    expect(Date.parse(minuteOf(Date.parse('2024-05-01T12:03:27Z')))).toBe(Date.parse('2024-05-01T12:03:00Z'));
  });
});

describe('addAccepted and sumAccepted', () => {
  it('adds calls of the same minute together and keeps minutes apart', () => {
    const map: AcceptedByMinute = {};
    addAccepted(map, Date.parse('2024-05-01T12:03:10Z'), 400, 40_000);
    addAccepted(map, Date.parse('2024-05-01T12:03:50Z'), 90, 9_000);
    addAccepted(map, Date.parse('2024-05-01T12:04:01Z'), 10, 1_000);
    addAccepted(map, Date.parse('2024-05-01T12:05:01Z'), 0, 0);
    expect(map).toEqual({ '2024-05-01T12:03Z': [490, 49_000], '2024-05-01T12:04Z': [10, 1_000] });
  });

  it("sums chunks' maps minute by minute, skipping outcomes that have none", () => {
    const sum = sumAccepted([
      { '2024-05-01T12:03Z': [5, 50] },
      undefined,
      { '2024-05-01T12:03Z': [1, 10], '2024-05-01T12:04Z': [2, 20] },
    ]);
    expect(sum).toEqual({ '2024-05-01T12:03Z': [6, 60], '2024-05-01T12:04Z': [2, 20] });
    expect(sumAccepted([])).toEqual({});
  });
});

describe('isAcceptedByMinute', () => {
  it('accepts a map as PutBatch writes it and refuses anything else', () => {
    expect(isAcceptedByMinute({ '2024-05-01T12:03Z': [5, 50] })).toBe(true);
    expect(isAcceptedByMinute({})).toBe(true);
    expect(isAcceptedByMinute({ 'not a time': [5, 50] })).toBe(false);
    expect(isAcceptedByMinute({ '2024-05-01T12:03Z': [5] })).toBe(false);
    expect(isAcceptedByMinute({ '2024-05-01T12:03Z': [5, -1] })).toBe(false);
    expect(isAcceptedByMinute({ '2024-05-01T12:03Z': ['5', 50] })).toBe(false);
    expect(isAcceptedByMinute([])).toBe(false);
    expect(isAcceptedByMinute(null)).toBe(false);
  });
});
