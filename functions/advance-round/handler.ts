import { cloudWatchClient, s3Client } from '../shared/aws-clients';
import { createLogger } from '../shared/logger';
import type { RunState } from '../shared/run-state';
import { withTransientErrorsNamed } from '../shared/transient';
import { advanceRound } from './advance';
import { load } from './config';

const logger = createLogger('firehose-loader-advance-round');

/** Totals a finished round and decides what comes next: another round, or the end (with dead letters). */
export async function handler(state: RunState): Promise<RunState> {
  const config = load();
  logger.appendKeys({ runId: state.runId });
  return withTransientErrorsNamed(() =>
    advanceRound(state, { s3: s3Client(), cloudWatch: cloudWatchClient(), config, logger }),
  );
}
