import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  acceptedDatums,
  MAX_DATUM_AGE_MS,
  MAX_DATUMS_PER_PUT,
  MAX_MINUTES_PER_PUT,
  minuteDatums,
  minuteGroups,
  publishAccepted,
  publishableMinutes,
  unpublished,
} from '../../../functions/advance-round/accepted-metrics';
import { type AcceptedByMinute, minuteOf } from '../../../functions/shared/accepted-minutes';
import { outcome } from '../fixtures';

const cloudWatch = mockClient(CloudWatchClient);

beforeEach(() => cloudWatch.reset());

describe('acceptedDatums', () => {
  it("sums the round's outcomes per minute into AcceptedRecords and AcceptedBytes stamped with the minute", () => {
    const datums = acceptedDatums(
      [
        outcome({
          chunkId: 'r0-c000000',
          acceptedByMinute: { '2024-05-01T12:04Z': [3, 30], '2024-05-01T12:03Z': [5, 50] },
        }),
        outcome({ chunkId: 'r0-c000001', acceptedByMinute: { '2024-05-01T12:03Z': [2, 20] } }),
        // Written before the field existed, or nothing accepted: adds nothing.
        outcome({ chunkId: 'r0-c000002' }),
      ],
      'stream-a',
    );
    const dimensions = [{ Name: 'DeliveryStreamName', Value: 'stream-a' }];
    expect(datums).toEqual([
      {
        MetricName: 'AcceptedRecords',
        Value: 7,
        Unit: 'Count',
        Timestamp: new Date('2024-05-01T12:03:00Z'),
        Dimensions: dimensions,
      },
      {
        MetricName: 'AcceptedBytes',
        Value: 70,
        Unit: 'Bytes',
        Timestamp: new Date('2024-05-01T12:03:00Z'),
        Dimensions: dimensions,
      },
      {
        MetricName: 'AcceptedRecords',
        Value: 3,
        Unit: 'Count',
        Timestamp: new Date('2024-05-01T12:04:00Z'),
        Dimensions: dimensions,
      },
      {
        MetricName: 'AcceptedBytes',
        Value: 30,
        Unit: 'Bytes',
        Timestamp: new Date('2024-05-01T12:04:00Z'),
        Dimensions: dimensions,
      },
    ]);
  });

  it('has nothing to publish for a round that had nothing accepted', () => {
    expect(acceptedDatums([outcome()], 'stream-a')).toEqual([]);
  });
});

describe('publishAccepted', () => {
  it('splits the datums into requests of at most 1,000, the PutMetricData limit, in its namespace', async () => {
    const minutes = Object.fromEntries(
      Array.from({ length: 600 }, (_, i) => [minuteOf(Date.UTC(2024, 4, 1) + i * 60_000), [1, 10]]),
    ) as Record<string, [number, number]>;
    const datums = acceptedDatums([outcome({ acceptedByMinute: minutes })], 'stream-a');
    expect(datums).toHaveLength(1200);

    await publishAccepted(new CloudWatchClient({}), 'Loader', datums);

    const sent = cloudWatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => input.MetricData?.length)).toEqual([MAX_DATUMS_PER_PUT, 200]);
    expect(sent.every((input) => input.Namespace === 'Loader')).toBe(true);
    expect(sent.flatMap((input) => input.MetricData)).toEqual(datums);
  });

  it('makes no request when there is nothing to publish', async () => {
    await publishAccepted(new CloudWatchClient({}), 'Loader', []);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('throws when CloudWatch refuses, since CheckMetrics needs every minute of it', async () => {
    cloudWatch.on(PutMetricDataCommand).rejects(new Error('Rate exceeded'));
    const datums = acceptedDatums([outcome({ acceptedByMinute: { '2024-05-01T12:03Z': [1, 10] } })], 's');
    await expect(publishAccepted(new CloudWatchClient({}), 'Loader', datums)).rejects.toThrow(
      'Rate exceeded',
    );
  });
});

describe('publishableMinutes', () => {
  it('leaves out the minutes PutMetricData would refuse the whole request for (over two weeks old)', () => {
    const now = new Date('2024-05-20T12:00:00Z');
    const tooOld = minuteOf(now.getTime() - MAX_DATUM_AGE_MS - 60_000);
    const recent = minuteOf(now.getTime() - 60_000);
    const { minutes, tooOld: dropped } = publishableMinutes({ [tooOld]: [1, 10], [recent]: [2, 20] }, now);
    expect(dropped).toBe(1);
    expect(minutes).toEqual({ [recent]: [2, 20] });
  });
});

describe('unpublished', () => {
  it('is everything accepted when nothing was published yet, and nothing once all of it was', () => {
    const accepted: AcceptedByMinute = { '2024-05-01T12:03Z': [5, 50], '2024-05-01T12:04Z': [1, 10] };
    expect(unpublished(accepted, {})).toEqual({ pending: accepted, overPublished: [] });
    expect(unpublished(accepted, accepted)).toEqual({ pending: {}, overPublished: [] });
  });

  it('is the difference, figure by figure, when a later try finds more accepted than was published', () => {
    const { pending } = unpublished(
      { '2024-05-01T12:03Z': [5, 50], '2024-05-01T12:04Z': [1, 10] },
      { '2024-05-01T12:03Z': [3, 50] },
    );
    expect(pending).toEqual({ '2024-05-01T12:03Z': [2, 0], '2024-05-01T12:04Z': [1, 10] });
  });

  it('names the minutes published beyond what was accepted, which no later request can take back', () => {
    const result = unpublished({ '2024-05-01T12:03Z': [5, 50] }, { '2024-05-01T12:03Z': [10, 100] });
    expect(result).toEqual({ pending: {}, overPublished: ['2024-05-01T12:03Z'] });
  });
});

describe('minuteGroups', () => {
  it('cuts the minutes in time order into groups whose two datums a minute fit one request', () => {
    const minutes = Object.fromEntries(
      Array.from({ length: 1_100 }, (_, i) => [minuteOf(Date.UTC(2024, 4, 1) + i * 60_000), [1, 10]]),
    ) as Record<string, [number, number]>;
    const groups = minuteGroups(minutes);
    expect(groups.map((group) => Object.keys(group).length)).toEqual([500, 500, 100]);
    expect(MAX_MINUTES_PER_PUT * 2).toBe(MAX_DATUMS_PER_PUT);
    expect(groups.flatMap((group) => Object.keys(group))).toEqual(Object.keys(minutes).sort());
    expect(minuteGroups({})).toEqual([]);
  });
});

describe('minuteDatums', () => {
  it('leaves out a zero figure, which would add nothing to the Sum', () => {
    const datums = minuteDatums({ '2024-05-01T12:03Z': [2, 0] }, 's');
    expect(datums.map((datum) => [datum.MetricName, datum.Value])).toEqual([['AcceptedRecords', 2]]);
  });
});
