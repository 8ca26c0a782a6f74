import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { checkMetrics } from '../../../functions/check-metrics/check';
import { load as loadCheckMetricsConfig } from '../../../functions/check-metrics/config';
import { cloudWatchClient, firehoseClient } from '../../../functions/shared/aws-clients';
import { MetricsLaggingError } from '../../../functions/shared/errors';
import { putRecordBatch, resolveRetryPolicy } from '../../../functions/shared/firehose';
import { DEFAULT_METRICS_NAMESPACE } from '../../../functions/shared/metrics-namespace';
import { emptyTotals, type RunState } from '../../../functions/shared/run-state';
import { recordingLogger, runState } from '../fixtures';
import { type LocalAws, startLocalAws } from '../local-aws';

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

const deps = (streamName: string) => ({
  cloudWatch: cloudWatchClient(),
  config: loadCheckMetricsConfig({ DELIVERY_STREAM_NAME: streamName }),
  logger: recordingLogger(),
});

/** Puts `count` records to a fresh stream and returns the run state whose totals say what was accepted. */
async function loadedRun(streamName: string, count: number): Promise<RunState> {
  await aws.stream(streamName);
  const startedAt = new Date().toISOString();
  const records = Array.from({ length: count }, (_, i) => Buffer.from(`${JSON.stringify({ id: i })}\n`));
  const sent = await putRecordBatch(firehoseClient(), streamName, records, resolveRetryPolicy({}), {
    logger: recordingLogger(),
  });
  expect(sent.accepted).toBe(count);
  return runState({
    startedAt,
    totals: { ...emptyTotals(), acceptedFirehoseRecords: sent.accepted, acceptedBytes: sent.acceptedBytes },
  });
}

describe('checkMetrics against the local services', () => {
  it("confirms when CloudWatch's IncomingRecords and IncomingBytes equal what the run had accepted", async () => {
    const state = await loadedRun('check-confirmed', 5);
    await cloudWatchClient().send(
      new PutMetricDataCommand({
        Namespace: DEFAULT_METRICS_NAMESPACE,
        MetricData: [
          {
            MetricName: 'FailedPutCount',
            Value: 2,
            Unit: 'Count',
            Dimensions: [{ Name: 'DeliveryStreamName', Value: 'check-confirmed' }],
          },
        ],
      }),
    );

    const checked = await checkMetrics(state, deps('check-confirmed'));

    expect(checked.metrics).toEqual({
      verdict: 'confirmed',
      incomingRecords: 5,
      incomingBytes: state.totals.acceptedBytes,
      throttledRecords: 0,
      failedPutCount: 2,
      expectedRecords: 5,
      expectedBytes: state.totals.acceptedBytes,
    });
    expect({ ...checked, metrics: undefined }).toEqual({ ...state, metrics: undefined });
  });

  it('throws MetricsLaggingError, naming the stream and both counts, while CloudWatch shows less than was accepted', async () => {
    const state = await loadedRun('check-lagging', 3);
    const ahead = runState({
      ...state,
      totals: { ...state.totals, acceptedFirehoseRecords: 4, acceptedBytes: state.totals.acceptedBytes + 10 },
    });

    const checking = checkMetrics(ahead, deps('check-lagging'));

    await expect(checking).rejects.toBeInstanceOf(MetricsLaggingError);
    await expect(checking).rejects.toMatchObject({
      name: 'MetricsLaggingError',
      message: expect.stringContaining(
        `CloudWatch shows 3 records / ${state.totals.acceptedBytes} bytes for check-lagging, the run had 4 / ${state.totals.acceptedBytes + 10} accepted`,
      ),
    });
  });

  it('reports a mismatch when CloudWatch shows more than the run had accepted', async () => {
    const state = await loadedRun('check-mismatch', 4);
    const fewer = runState({ ...state, totals: { ...state.totals, acceptedFirehoseRecords: 3 } });

    const checked = await checkMetrics(fewer, deps('check-mismatch'));

    expect(checked.metrics).toMatchObject({ verdict: 'mismatch', incomingRecords: 4, expectedRecords: 3 });
  });

  it('does not count records put to the stream before the run window', async () => {
    const state = await loadedRun('check-window', 2);
    const later = new Date(Date.now() + 10 * 60_000);
    const lateRun = runState({ ...state, startedAt: later.toISOString(), totals: emptyTotals() });

    const checked = await checkMetrics(lateRun, { ...deps('check-window'), now: () => later });

    expect(checked.metrics).toMatchObject({ verdict: 'confirmed', incomingRecords: 0, incomingBytes: 0 });
  });
});
