import { cloudWatchClient, s3Client } from '../shared/aws-clients';
import { createLogger } from '../shared/logger';
import type { RunState } from '../shared/run-state';
import { withTransientErrorsNamed } from '../shared/transient';
import { load } from './config';
import { type PlanEvent, startRun } from './start-run';

export type { PlanEvent } from './start-run';

const logger = createLogger('firehose-loader-plan');

/** Validates the execution input, plans the source into a chunk manifest, returns the run's first state. */
export async function handler(event: PlanEvent): Promise<RunState> {
  const config = load();
  logger.appendKeys({ runId: event.runId });
  return withTransientErrorsNamed(() =>
    startRun(event, { s3: s3Client(), cloudWatch: cloudWatchClient(), config, logger }),
  );
}
