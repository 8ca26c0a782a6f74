import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { LOCAL_FIREHOSE_NAMESPACE, LocalFirehoseMetric } from '../src';
import { createDeliveryStream, errorOf, startTestServices, type TestServices } from './helpers';

/**
 * The local-only count of Put requests a stream received: the bench measures the calls the job made
 * from it, refused ones included, which AWS/Firehose's request metrics (successful requests) leave out.
 */

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
});
afterAll(() => t.close());

async function sum(namespace: string, metricName: string, stream: string, fromMs: number): Promise<number> {
  const out = await t.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: metricName,
      Dimensions: [{ Name: 'DeliveryStreamName', Value: stream }],
      StartTime: new Date(fromMs - 120_000),
      EndTime: new Date(Date.now() + 120_000),
      Period: 60,
      Statistics: ['Sum'],
    }),
  );
  return (out.Datapoints ?? []).reduce((total, point) => total + (point.Sum ?? 0), 0);
}

describe('local Firehose, requests received', () => {
  it('counts every Put request of a stream, also those refused by the requests quota or a fault, apart from AWS/Firehose', async () => {
    const started = Date.now();
    await createDeliveryStream(t, 'received', 'received-bucket');
    const client = new FirehoseClient({ ...t.config, maxAttempts: 1 });
    const batch = () =>
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'received',
          Records: [{ Data: Buffer.from('x\n') }],
        }),
      );
    try {
      // The quota clock moves only per request: the second call is refused however slow the machine is.
      t.services.setQuotas({ requestsPerSecond: 1, msPerRequest: 0 });
      await batch();
      expect(await errorOf(batch())).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
      const single = client.send(
        new PutRecordCommand({ DeliveryStreamName: 'received', Record: { Data: Buffer.from('y\n') } }),
      );
      expect(await errorOf(single)).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
      t.services.setQuotas({ requestsPerSecond: 2_000, msPerRequest: undefined });
      t.services.setFaults({ requestErrorRate: 1, requestErrorStatus: 500 });
      expect(await errorOf(batch())).toMatchObject({ name: 'InternalFailure', status: 500 });
    } finally {
      t.services.setFaults({ requestErrorRate: 0 });
      t.services.setQuotas({ requestsPerSecond: 2_000, msPerRequest: undefined });
      client.destroy();
    }

    const local = (name: string) => sum(LOCAL_FIREHOSE_NAMESPACE, name, 'received', started);
    expect(await local(LocalFirehoseMetric.putRecordBatchReceived)).toBe(3);
    expect(await local(LocalFirehoseMetric.putRecordReceived)).toBe(1);
    // The AWS metrics keep their AWS meaning: only the request Firehose took in.
    expect(await sum('AWS/Firehose', 'PutRecordBatch.Requests', 'received', started)).toBe(1);
    expect(await sum('AWS/Firehose', 'IncomingPutRequests', 'received', started)).toBe(1);
  });
});
