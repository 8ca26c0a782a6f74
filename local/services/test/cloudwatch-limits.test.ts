import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { errorOf, startTestServices, type TestServices } from './helpers';

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
});
afterAll(() => t.close());

const statistics = (startMs: number, endMs: number, period: number) =>
  t.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'Test/Limits',
      MetricName: 'Hits',
      StartTime: new Date(startMs),
      EndTime: new Date(endMs),
      Period: period,
      Statistics: ['Sum'],
    }),
  );

describe('local CloudWatch GetMetricStatistics limits', () => {
  it('refuses a request for more than 1,440 datapoints with InvalidParameterCombination, as AWS does', async () => {
    const end = Date.UTC(2026, 10, 30, 12, 0, 0);
    // One day at a 1-second period: 86,400 datapoints.
    const error = await errorOf(statistics(end - 86_400_000, end, 1));
    expect(error).toMatchObject({ name: 'InvalidParameterCombinationException', status: 400 });
    expect(error.message).toBe(
      'You have requested up to 86400 datapoints, which exceeds the limit of 1440. ' +
        'You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
    );
    // 1,441 one-minute periods is one too many; 1,440 is allowed.
    expect((await errorOf(statistics(end - 1441 * 60_000, end, 60))).message).toContain(
      'up to 1441 datapoints',
    );
    await expect(statistics(end - 1440 * 60_000, end, 60)).resolves.toMatchObject({ Datapoints: [] });
  });
});
