import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  acceptedDatums,
  MAX_DATUM_AGE_MS,
  MAX_DATUMS_PER_PUT,
  publishAccepted,
  publishableDatums,
} from '../../../functions/advance-round/accepted-metrics';
import { minuteOf } from '../../../functions/shared/accepted-minutes';
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

describe('publishableDatums', () => {
  it('leaves out the minutes PutMetricData would refuse the whole request for (over two weeks old)', () => {
    const now = new Date('2024-05-20T12:00:00Z');
    const tooOld = minuteOf(now.getTime() - MAX_DATUM_AGE_MS - 60_000);
    const recent = minuteOf(now.getTime() - 60_000);
    const datums = acceptedDatums(
      [outcome({ acceptedByMinute: { [tooOld]: [1, 10], [recent]: [2, 20] } })],
      's',
    );
    const { datums: kept, tooOld: dropped } = publishableDatums(datums, now);
    expect(dropped).toBe(2);
    expect(kept.map((datum) => [datum.MetricName, datum.Value])).toEqual([
      ['AcceptedRecords', 2],
      ['AcceptedBytes', 20],
    ]);
  });
});
