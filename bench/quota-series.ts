import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/** Per-second AWS/Firehose traffic of one stream, read from the local CloudWatch while it still runs. */
export interface RateSeries {
  /** Epoch seconds, one entry per second from the first to the last second with traffic. */
  seconds: number[];
  bytes: number[];
  records: number[];
  requests: number[];
  throttled: number[];
}

const METRICS = {
  bytes: 'IncomingBytes',
  records: 'IncomingRecords',
  requests: 'IncomingPutRequests',
  throttled: 'ThrottledRecords',
} as const;

/** GetMetricData with a 1-second period (the local CloudWatch keeps per-second sums, as high-resolution metrics do). */
export async function readRateSeries(streamName: string, fromMs: number, toMs: number): Promise<RateSeries> {
  const client = new CloudWatchClient({});
  try {
    const byId = new Map<string, Map<number, number>>();
    let token: string | undefined;
    do {
      const page = await client.send(
        new GetMetricDataCommand({
          StartTime: new Date(fromMs),
          EndTime: new Date(toMs + 1000),
          ScanBy: 'TimestampAscending',
          NextToken: token,
          MetricDataQueries: Object.entries(METRICS).map(([id, MetricName]) => ({
            Id: id,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Firehose',
                MetricName,
                Dimensions: [{ Name: 'DeliveryStreamName', Value: streamName }],
              },
              Period: 1,
              Stat: 'Sum',
            },
          })),
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const points = byId.get(result.Id ?? '') ?? new Map<number, number>();
        (result.Timestamps ?? []).forEach((t, i) => {
          points.set(Math.floor(new Date(t).getTime() / 1000), result.Values?.[i] ?? 0);
        });
        byId.set(result.Id ?? '', points);
      }
      token = page.NextToken;
    } while (token);
    const active = [...(byId.get('requests')?.keys() ?? [])];
    const first = Math.min(...active);
    const last = Math.max(...active);
    const seconds = active.length ? Array.from({ length: last - first + 1 }, (_, i) => first + i) : [];
    const column = (id: string) => seconds.map((s) => byId.get(id)?.get(s) ?? 0);
    return {
      seconds,
      bytes: column('bytes'),
      records: column('records'),
      requests: column('requests'),
      throttled: column('throttled'),
    };
  } finally {
    client.destroy();
  }
}
