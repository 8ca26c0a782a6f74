import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { acceptedDatums, publishAccepted } from '../../../functions/advance-round/accepted-metrics';
import { advanceRound } from '../../../functions/advance-round/advance';
import { checkMetrics } from '../../../functions/check-metrics/check';
import { load as loadCheckMetricsConfig } from '../../../functions/check-metrics/config';
import { type AcceptedByMinute, addAccepted, minuteOf } from '../../../functions/shared/accepted-minutes';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { cloudWatchClient, firehoseClient, s3Client } from '../../../functions/shared/aws-clients';
import { MetricsLaggingError } from '../../../functions/shared/errors';
import { putRecordBatch, resolveRetryPolicy } from '../../../functions/shared/firehose';
import { DEFAULT_METRICS_NAMESPACE } from '../../../functions/shared/metrics-namespace';
import { type ChunkOutcome, emptyTotals } from '../../../functions/shared/run-state';
import { getJson, putJson } from '../../../functions/shared/s3-io';
import { advanceDeps, roundZero } from '../advance-round/round-zero';
import { outcome, recordingLogger, runState } from '../fixtures';
import { keysUnder, type LocalAws, startLocalAws } from '../local-aws';

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

/** Puts `count` records to the stream; returns what was accepted, by minute as PutBatch records it. */
async function put(streamName: string, count: number) {
  const records = Array.from({ length: count }, (_, i) => Buffer.from(`${JSON.stringify({ id: i })}\n`));
  const acceptedByMinute: AcceptedByMinute = {};
  const sent = await putRecordBatch(firehoseClient(), streamName, records, resolveRetryPolicy({}), {
    logger: recordingLogger(),
    afterCall: (call) =>
      addAccepted(acceptedByMinute, Date.now(), call.accepted ?? 0, call.acceptedBytes ?? 0),
  });
  expect(sent.accepted).toBe(count);
  return { sent, acceptedByMinute };
}

/**
 * A run of the job that put `count` records to the stream, and the state whose totals say what was
 * accepted; unless told not to, its AdvanceRound published that per minute, as a real run does.
 */
async function loadedRun(streamName: string, count: number, options: { published?: boolean } = {}) {
  await aws.stream(streamName);
  const startedAt = new Date().toISOString();
  const { sent, acceptedByMinute } = await put(streamName, count);
  if (options.published !== false) {
    const datums = acceptedDatums([outcome({ acceptedByMinute })], streamName);
    await publishAccepted(cloudWatchClient(), DEFAULT_METRICS_NAMESPACE, datums);
  }
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
      jobAcceptedRecords: 5,
      jobAcceptedBytes: state.totals.acceptedBytes,
      otherRunsRecords: 0,
      otherRunsBytes: 0,
    });
    expect({ ...checked, metrics: undefined }).toEqual({ ...state, metrics: undefined });
  });

  it('confirms a run that started right after an earlier run of the job on the same stream, whose records share its window', async () => {
    // `npm start` twice, or rerun-failed right after a failed run: the window holds both runs' records.
    const earlier = await loadedRun('check-rerun', 3);
    const state = await loadedRun('check-rerun', 5);

    const checked = await checkMetrics(state, deps('check-rerun'));

    const bothBytes = earlier.totals.acceptedBytes + state.totals.acceptedBytes;
    expect(checked.metrics).toMatchObject({
      verdict: 'confirmed',
      incomingRecords: 8,
      incomingBytes: bothBytes,
      expectedRecords: 5,
      jobAcceptedRecords: 8,
      jobAcceptedBytes: bothBytes,
      otherRunsRecords: 3,
      otherRunsBytes: earlier.totals.acceptedBytes,
    });
  });

  it('throws MetricsLaggingError, naming the stream and the counts, while CloudWatch shows less than was accepted', async () => {
    const state = await loadedRun('check-lagging', 3);
    const ahead = runState({
      ...state,
      totals: { ...state.totals, acceptedFirehoseRecords: 4, acceptedBytes: state.totals.acceptedBytes + 10 },
    });

    const checking = checkMetrics(ahead, deps('check-lagging'));

    await expect(checking).rejects.toBeInstanceOf(MetricsLaggingError);
    const bytes = state.totals.acceptedBytes;
    await expect(checking).rejects.toMatchObject({
      name: 'MetricsLaggingError',
      message: expect.stringContaining(
        `CloudWatch shows 3 records / ${bytes} bytes for check-lagging and 3 / ${bytes} accepted by this job's runs; ` +
          `this run had 4 / ${bytes + 10} accepted`,
      ),
    });
  });

  it("throws MetricsLaggingError while the job's own AcceptedRecords do not yet hold the run's, even if the stream's do", async () => {
    const state = await loadedRun('check-unpublished', 3, { published: false });

    await expect(checkMetrics(state, deps('check-unpublished'))).rejects.toBeInstanceOf(MetricsLaggingError);
  });

  it("reports a mismatch, with the difference, when the stream shows more than the job's runs had accepted", async () => {
    const state = await loadedRun('check-mismatch', 4);
    // Another writer on the same stream, or a batch accepted and then resent by a crashed invocation.
    const other = await put('check-mismatch', 2);

    const checked = await checkMetrics(state, deps('check-mismatch'));

    expect(checked.metrics).toMatchObject({
      verdict: 'mismatch',
      incomingRecords: 6,
      expectedRecords: 4,
      jobAcceptedRecords: 4,
      unexplainedRecords: 2,
      unexplainedBytes: other.sent.acceptedBytes,
    });
  });

  it('compares from a quiet minute when the job and Firehose dated a call of another run on either side of the window start', async () => {
    await aws.stream('check-boundary');
    const other = await put('check-boundary', 3);
    const [minute, counts] = Object.entries(other.acceptedByMinute)[0] ?? ['', [0, 0]];
    // The other run's call straddled a minute boundary: the job dated it a minute before Firehose did.
    const earlier = { [minuteOf(Date.parse(minute) - 60_000)]: counts };
    const datums = acceptedDatums([outcome({ acceptedByMinute: earlier })], 'check-boundary');
    await publishAccepted(cloudWatchClient(), DEFAULT_METRICS_NAMESPACE, datums);
    const loaded = await loadedRun('check-boundary', 5);
    // This run's window starts at the minute Firehose dated the other run's records in.
    const state = runState({ ...loaded, startedAt: new Date(Date.parse(minute) + 60_000).toISOString() });

    const checked = await checkMetrics(state, deps('check-boundary'));

    expect(checked.metrics).toMatchObject({
      verdict: 'confirmed',
      incomingRecords: 8,
      jobAcceptedRecords: 8,
      otherRunsRecords: 3,
    });
  });

  it('confirms a run whose AdvanceRound ran twice for the same round: the second invocation publishes nothing', async () => {
    const [runId, streamName] = ['run-advanced-twice', 'check-advanced-twice'];
    await aws.stream(streamName);
    const startedAt = new Date().toISOString();
    const { state, manifest } = await roundZero(aws, runId, 1);
    // The round's two reporting chunks (4 and 2 records accepted) really put them to the stream.
    for (const [index, count] of [
      [0, 4],
      [1, 2],
    ] as const) {
      const { sent, acceptedByMinute } = await put(streamName, count);
      const chunk = manifest[index]?.chunkId ?? '';
      const ref = { bucket: aws.names.artifactBucket, key: artifactKeys.outcome(runId, 0, chunk) };
      const stored = await getJson<ChunkOutcome>(s3Client(), ref);
      await putJson(s3Client(), ref, { ...stored, acceptedBytes: sent.acceptedBytes, acceptedByMinute });
    }
    const first = await advanceRound({ ...state, startedAt }, advanceDeps(aws, streamName));
    // A retry after a lost answer, a local resume or a redrive: the same input, the same round.
    const retried = advanceDeps(aws, streamName);
    const again = await advanceRound({ ...state, startedAt }, retried);
    expect(again.totals).toEqual(first.totals);
    const finished = retried.logger.lines.find((line) => line.message === 'round finished');
    expect(finished?.attributes).toMatchObject({ acceptedMinutes: expect.any(Number), publishedMinutes: 0 });

    const checked = await checkMetrics(again, deps(streamName));

    expect(checked.metrics).toMatchObject({
      verdict: 'confirmed',
      incomingRecords: 6,
      expectedRecords: 6,
      jobAcceptedRecords: 6,
      jobAcceptedBytes: again.totals.acceptedBytes,
    });
    // The round's one PutMetricData request is in its ledger, once.
    const ledger = artifactKeys.publishedPrefix(runId, 0);
    expect(await keysUnder(s3Client(), aws.names.artifactBucket, ledger)).toEqual([
      artifactKeys.published(runId, 0, 0),
    ]);
  });

  it('does not count records put to the stream before the run window', async () => {
    const state = await loadedRun('check-window', 2);
    const later = new Date(Date.now() + 10 * 60_000);
    const lateRun = runState({ ...state, startedAt: later.toISOString(), totals: emptyTotals() });

    const checked = await checkMetrics(lateRun, { ...deps('check-window'), now: () => later });

    expect(checked.metrics).toMatchObject({
      verdict: 'confirmed',
      incomingRecords: 0,
      incomingBytes: 0,
      jobAcceptedRecords: 0,
    });
  });
});
