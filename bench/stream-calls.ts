import { join } from 'node:path';
import {
  LOCAL_FIREHOSE_NAMESPACE,
  LocalFirehoseMetric,
  openMetricStore,
} from '@firehose-loader/local-services';
import type { RunSummary } from '../functions/shared/run';
import { LOCAL_RESOURCE_NAMES } from '../local/runner/local-resources';
import { fmt } from './util';

/**
 * Firehose calls as the stream saw them. The run summary counts what the job's attempts recorded; an
 * attempt that recorded no outcome (it threw for Step Functions to retry, or its chunk gave up) may
 * leave its calls out. The local Firehose counts every PutRecordBatch/PutRecord request it received,
 * refused ones included, in a local-only metric (not AWS/Firehose, whose request metrics count only
 * requests Firehose took in); it is read from the services' stored metrics after the run.
 */
export interface StreamCalls {
  /** PutRecordBatch + PutRecord requests the stream received from the job (another writer's taken out). */
  calls: number;
  putRecordBatch: number;
  putRecord: number;
  /** The summary's putRecordBatchCalls + putRecordCalls, for comparison. */
  summaryCalls: number;
}

const MINUTE_MS = 60_000;

/**
 * The calls the stream of a `runLocalJob({ dataDir })` run received between `fromMs` and now, less
 * `otherWriterCalls` (requests another writer made, each one HTTP request: its SDK retries off).
 */
export async function streamCalls(
  dataDir: string,
  summary: RunSummary,
  window: { fromMs: number; otherWriterCalls?: number },
): Promise<StreamCalls> {
  const store = await openMetricStore(join(dataDir, 'services'));
  const start = Math.floor(window.fromMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  const end = Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const received = (metricName: string) =>
    (
      store.getMetricStatistics({
        Namespace: LOCAL_FIREHOSE_NAMESPACE,
        MetricName: metricName,
        Dimensions: [{ Name: 'DeliveryStreamName', Value: LOCAL_RESOURCE_NAMES.streamName }],
        StartTime: new Date(start),
        EndTime: new Date(end),
        Period: 60,
        Statistics: ['Sum'],
      }).Datapoints ?? []
    ).reduce((total, point) => total + (typeof point.Sum === 'number' ? point.Sum : 0), 0);
  const putRecordBatch = received(LocalFirehoseMetric.putRecordBatchReceived);
  const putRecord = received(LocalFirehoseMetric.putRecordReceived);
  const summaryCalls = summary.firehose.putRecordBatchCalls + summary.firehose.putRecordCalls;
  const calls = putRecordBatch + putRecord - (window.otherWriterCalls ?? 0);
  return { calls, putRecordBatch, putRecord, summaryCalls };
}

/** "1,234", or "1,234 (summary 1,226)" when the summary counted fewer or more than the stream saw. */
export function callsCell(counted: StreamCalls): string {
  return counted.calls === counted.summaryCalls
    ? fmt(counted.calls)
    : `${fmt(counted.calls)} (summary ${fmt(counted.summaryCalls)})`;
}

/** One sentence for a section's notes: where its call counts come from. */
export const STREAM_CALLS_NOTE =
  "Calls are counted as the stream saw them: every PutRecordBatch/PutRecord request the local Firehose received from the job, refused ones included (a local-only metric, LocalFirehose PutRecordBatch.RequestsReceived / PutRecord.RequestsReceived, read from the services' stored metrics after the run); where the run summary counted a different number (an attempt that recorded no outcome), it is shown in brackets.";
