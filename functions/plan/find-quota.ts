import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LoggerLike } from '../shared/logger';
import {
  isCompleteQuota,
  type RunQuota,
  regionDefaultQuota,
  resolveRunQuota,
  type StreamQuota,
} from '../shared/quota/quota';
import { readQuotaMetrics } from '../shared/quota/read-quota';
import type { PlanQuotaConfig } from './config';

/**
 * The quota this run paces to: stated fields win, then the stream's limits in CloudWatch, then the
 * region's default (a new stream has no datapoint yet; the children's AIMD then learns from
 * throttling). Reading CloudWatch is best effort: a denied or failed read falls back, it never fails
 * the run, and the log says why.
 */
export async function findRunQuota(
  config: PlanQuotaConfig,
  deps: { cloudWatch: CloudWatchClient; logger: LoggerLike; now?: () => Date },
): Promise<RunQuota> {
  const fallback = regionDefaultQuota(config.region);
  let found: Partial<StreamQuota> = {};
  if (config.streamName && !isCompleteQuota(config.stated)) {
    try {
      found = await readQuotaMetrics(deps.cloudWatch, config.streamName, deps.now?.() ?? new Date());
    } catch (error) {
      deps.logger.warn(
        'stream quota not read from CloudWatch; using the region default for what is not stated',
        {
          deliveryStream: config.streamName,
          errorName: error instanceof Error ? error.name : 'Error',
          errorMessage: error instanceof Error ? error.message : String(error),
        },
      );
    }
  }
  const quota = resolveRunQuota(config.stated, found, fallback);
  deps.logger.info('stream quota', { deliveryStream: config.streamName, region: config.region, ...quota });
  return quota;
}
