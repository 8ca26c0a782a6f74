import { cloudWatchClient } from '../shared/aws-clients';
import { createLogger } from '../shared/logger';
import type { RunState } from '../shared/run-state';
import { withTransientErrorsNamed } from '../shared/transient';
import { checkMetrics } from './check';
import { load } from './config';

const logger = createLogger('firehose-loader-check-metrics');

/** Confirms the load in CloudWatch; the state machine retries MetricsLaggingError with backoff. */
export async function handler(state: RunState): Promise<RunState> {
  const config = load();
  logger.appendKeys({ runId: state.runId });
  return withTransientErrorsNamed(() =>
    checkMetrics(state, { cloudWatch: cloudWatchClient(), config, logger }),
  );
}
