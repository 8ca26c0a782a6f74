import {
  type GetMetricDataOutput,
  type GetMetricStatisticsOutput,
  getMetricData,
  getMetricStatistics,
  type ListMetricsOutput,
  listMetrics,
} from './operations';
import { loadMetricStore } from './persistent-store';

/**
 * The metrics local CloudWatch stored in a data folder, read without starting the services: for tools
 * that look at a finished run. The same operations as the HTTP API (same validation, same errors,
 * CloudWatch's retention), on the SDK's input shapes. A snapshot: datapoints put later are not seen.
 */

type Time = Date | number | string;
type MetricInput = {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name?: string; Value?: string }[];
};

export type GetMetricDataInput = {
  MetricDataQueries?: {
    Id?: string;
    Label?: string;
    ReturnData?: boolean;
    Expression?: string;
    Period?: number;
    MetricStat?: { Metric?: MetricInput; Period?: number; Stat?: string; Unit?: string };
  }[];
  /** A Date, epoch seconds or ISO 8601, as on the wire. */
  StartTime?: Time;
  EndTime?: Time;
  ScanBy?: string;
};

export type GetMetricStatisticsInput = MetricInput & {
  StartTime?: Time;
  EndTime?: Time;
  Period?: number;
  Statistics?: string[];
  Unit?: string;
};

export type ListMetricsInput = MetricInput;

export interface StoredMetrics {
  /** Throws CloudWatchRequestError (with CloudWatch's error code) for a request CloudWatch refuses. */
  getMetricData(input: GetMetricDataInput): GetMetricDataOutput;
  getMetricStatistics(input: GetMetricStatisticsInput): GetMetricStatisticsOutput;
  listMetrics(input?: ListMetricsInput): ListMetricsOutput;
  /** Lines of the stored file that were not datapoints (a line cut short by a crash): skipped. */
  skippedLines: number;
}

/**
 * Opens the stored metrics of the services' data folder `dataDir` (the `dataDir` given to
 * startLocalServices). A folder without any has no metrics, as a new account has none.
 */
export async function openMetricStore(
  dataDir: string,
  options: { now?: () => number } = {},
): Promise<StoredMetrics> {
  const { store, skippedLines } = await loadMetricStore(dataDir, 0, options.now ?? Date.now);
  // In memory only (the file belongs to the services): metrics past retention are not listed either.
  store.compact();
  return {
    getMetricData: (input) => getMetricData(store, { ...input }),
    getMetricStatistics: (input) => getMetricStatistics(store, { ...input }),
    listMetrics: (input = {}) => listMetrics(store, { ...input }),
    skippedLines,
  };
}
