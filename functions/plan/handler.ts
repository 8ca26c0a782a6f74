import { artifactKeys } from '../shared/artifacts';
import { s3Client } from '../shared/aws-clients';
import { createLogger } from '../shared/logger';
import { emptyTotals, RoundNext, type RunState } from '../shared/run-state';
import { putJson } from '../shared/s3-io';
import { withTransientErrorsNamed } from '../shared/transient';
import { loadPlanConfig } from './config';
import { planSource } from './plan-source';
import { resolveExecutionInput } from './run-settings';

const logger = createLogger('firehose-loader-plan');

export interface PlanEvent {
  input: unknown;
  runId: string;
  startedAt: string;
}

/** Validates the execution input, plans the source into a chunk manifest, returns the run's first state. */
export async function handler(event: PlanEvent): Promise<RunState> {
  return withTransientErrorsNamed(() => plan(event));
}

async function plan(event: PlanEvent): Promise<RunState> {
  const config = loadPlanConfig();
  logger.appendKeys({ runId: event.runId });
  const input = resolveExecutionInput(event.input, config);
  const s3 = s3Client();
  const { summary, format } = await planSource(
    s3,
    {
      runId: event.runId,
      source: input.source,
      format: input.format,
      individualRecords: input.individualRecords,
      pack: input.pack,
      maxBatchRecords: config.maxBatchRecords,
      maxBatchBytes: config.maxBatchBytes,
      artifactBucket: config.artifactBucket,
    },
    logger,
  );
  const state: RunState = {
    runId: event.runId,
    startedAt: event.startedAt,
    settings: {
      ...input,
      format,
      maxBatchRecords: config.maxBatchRecords,
      maxBatchBytes: config.maxBatchBytes,
    },
    plan: summary,
    round: {
      number: 0,
      manifestKey: summary.manifestKey,
      chunks: summary.chunks,
      records: summary.records,
      next: RoundNext.done,
      waitSeconds: 0,
    },
    totals: emptyTotals(),
  };
  await putJson(s3, { bucket: config.artifactBucket, key: artifactKeys.plan(event.runId) }, state);
  return state;
}
