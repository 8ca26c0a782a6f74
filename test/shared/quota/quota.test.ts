import {
  LARGE_REGION_QUOTA,
  QuotaSource,
  regionDefaultQuota,
  resolveRunQuota,
  SMALL_REGION_QUOTA,
  statedQuotaFrom,
} from '../../../functions/shared/quota/quota';
import { quotaFromMetricResults } from '../../../functions/shared/quota/read-quota';

describe('the stream quota a run paces to', () => {
  it('assumes the large-region quota only in us-east-1, us-west-2 and eu-west-1', () => {
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1']) {
      expect(regionDefaultQuota(region)).toEqual({
        bytesPerSecond: 5 * 1024 * 1024,
        recordsPerSecond: 500_000,
        requestsPerSecond: 2_000,
      });
    }
    for (const region of ['eu-central-1', 'ap-southeast-2', undefined]) {
      expect(regionDefaultQuota(region)).toEqual({
        bytesPerSecond: 1024 * 1024,
        recordsPerSecond: 100_000,
        requestsPerSecond: 1_000,
      });
    }
  });

  it('takes a stated field over CloudWatch, and CloudWatch over the region default, field by field', () => {
    const quota = resolveRunQuota(
      { recordsPerSecond: 7_000 },
      { recordsPerSecond: 9_000, bytesPerSecond: 2_000_000 },
      SMALL_REGION_QUOTA,
    );
    expect(quota).toEqual({
      recordsPerSecond: 7_000,
      bytesPerSecond: 2_000_000,
      requestsPerSecond: 1_000,
      sources: {
        recordsPerSecond: QuotaSource.stated,
        bytesPerSecond: QuotaSource.metrics,
        requestsPerSecond: QuotaSource.regionDefault,
      },
    });
  });

  it('falls back to the region default for every field when nothing is stated or found', () => {
    const quota = resolveRunQuota({}, {}, LARGE_REGION_QUOTA);
    expect(quota).toMatchObject(LARGE_REGION_QUOTA);
    expect(Object.values(quota.sources)).toEqual([
      QuotaSource.regionDefault,
      QuotaSource.regionDefault,
      QuotaSource.regionDefault,
    ]);
  });

  it('reads a stated quota from STREAM_*_PER_SECOND, where 0 or unset means not stated', () => {
    expect(
      statedQuotaFrom({
        STREAM_BYTES_PER_SECOND: '1048576',
        STREAM_RECORDS_PER_SECOND: '0',
        STREAM_REQUESTS_PER_SECOND: '',
      }),
    ).toEqual({ bytesPerSecond: 1_048_576 });
    expect(() => statedQuotaFrom({ STREAM_REQUESTS_PER_SECOND: 'fast' })).toThrow(
      /STREAM_REQUESTS_PER_SECOND/,
    );
  });

  it('takes the newest datapoint of each limit and leaves out a limit without one', () => {
    expect(
      quotaFromMetricResults([
        { Id: 'bytespersecond', Values: [10_485_760, 5_242_880] },
        { Id: 'recordspersecond', Values: [] },
        { Id: 'requestspersecond', Values: [0, 2_000] },
      ]),
    ).toEqual({ bytesPerSecond: 10_485_760, requestsPerSecond: 2_000 });
  });
});
