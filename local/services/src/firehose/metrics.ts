import type { MetricStore } from '../cloudwatch/metric-store';
import type { DeliveryReport } from './delivery';
import type { FirehoseQuotas } from './settings';

/** The AWS/Firehose metrics local Firehose publishes per delivery stream, as Firehose names them. */

const NAMESPACE = 'AWS/Firehose';

/**
 * Local only, not an AWS namespace: what no AWS metric says. AWS/Firehose's IncomingPutRequests and
 * PutRecordBatch.Requests count only requests Firehose took in, so the bench counts the calls the stream
 * received, refused ones included ("Slow down." for the requests quota, injected faults), from these.
 */
export const LOCAL_FIREHOSE_NAMESPACE = 'LocalFirehose';
export const LocalFirehoseMetric = {
  /** Every PutRecordBatch / PutRecord request that reached local Firehose, whatever its answer. */
  putRecordBatchReceived: 'PutRecordBatch.RequestsReceived',
  putRecordReceived: 'PutRecord.RequestsReceived',
} as const;

export class FirehoseMetrics {
  constructor(private readonly metrics: MetricStore) {}

  /** One request of `operation` (PutRecordBatch or PutRecord) received, before it is answered. */
  publishReceived(streamName: string, operation: 'PutRecordBatch' | 'PutRecord'): void {
    const metricName =
      operation === 'PutRecordBatch'
        ? LocalFirehoseMetric.putRecordBatchReceived
        : LocalFirehoseMetric.putRecordReceived;
    this.publish(streamName, metricName, 1, 'Count', LOCAL_FIREHOSE_NAMESPACE);
  }

  publishThrottled(streamName: string, records: number): void {
    this.publish(streamName, 'ThrottledRecords', records, 'Count');
  }

  publishPut(
    streamName: string,
    operation: string,
    accepted: Buffer[],
    throttled: number,
    latencyMs: number,
    quotas: FirehoseQuotas,
  ): void {
    const bytes = accepted.reduce((sum, record) => sum + record.length, 0);
    this.publish(streamName, 'IncomingBytes', bytes, 'Bytes');
    this.publish(streamName, 'IncomingRecords', accepted.length, 'Count');
    this.publish(streamName, 'IncomingPutRequests', 1, 'Count');
    this.publish(streamName, 'ThrottledRecords', throttled, 'Count');
    this.publish(streamName, `${operation}.Bytes`, bytes, 'Bytes');
    this.publish(streamName, `${operation}.Records`, accepted.length, 'Count');
    this.publish(streamName, `${operation}.Requests`, 1, 'Count');
    this.publish(streamName, `${operation}.Latency`, latencyMs, 'Milliseconds');
    this.publishLimits(streamName, quotas);
  }

  /**
   * The stream's quota as Firehose publishes it (Firehose developer guide, "Implement best practices
   * with CloudWatch Alarms"): the job reads these at the start of a run instead of being told.
   */
  publishLimits(streamName: string, quotas: FirehoseQuotas): void {
    this.publish(streamName, 'RecordsPerSecondLimit', quotas.recordsPerSecond, 'Count');
    this.publish(streamName, 'BytesPerSecondLimit', quotas.bytesPerSecond, 'Bytes');
    this.publish(streamName, 'PutRequestsPerSecondLimit', quotas.requestsPerSecond, 'Count');
  }

  publishDelivery(streamName: string, report: DeliveryReport): void {
    this.publish(streamName, 'DeliveryToS3.Records', report.records, 'Count');
    this.publish(streamName, 'DeliveryToS3.Bytes', report.bytes, 'Bytes');
    this.publish(streamName, 'DeliveryToS3.Success', 1, 'Count');
    this.publish(
      streamName,
      'DeliveryToS3.DataFreshness',
      (Date.now() - report.oldestArrivalMs) / 1000,
      'Seconds',
    );
  }

  private publish(
    streamName: string,
    metricName: string,
    value: number,
    unit: string,
    namespace = NAMESPACE,
  ): void {
    this.metrics.put({
      namespace,
      metricName,
      dimensions: [{ Name: 'DeliveryStreamName', Value: streamName }],
      timestampMs: Date.now(),
      unit,
      stats: { sum: value, count: 1, min: value, max: value },
    });
  }
}
