import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import { artifactKeys } from '../shared/artifacts';
import { MAX_RECORD_BYTES } from '../shared/limits';
import type { LoggerLike } from '../shared/logger';
import { emptyTotals, RoundNext, type RunState } from '../shared/run-state';
import { putJson } from '../shared/s3-io';
import type { PlanConfig } from './config';
import { findRunQuota } from './find-quota';
import { planSource } from './plan-source';
import { resolveExecutionInput } from './run-settings';

export interface PlanEvent {
  input: unknown;
  runId: string;
  startedAt: string;
}

/**
 * Validates the execution input, plans the source into a chunk manifest and returns the run's first
 * state (round 0, nothing counted yet), also kept as `runs/<runId>/plan.json`.
 */
export async function startRun(
  event: PlanEvent,
  deps: { s3: S3Client; cloudWatch: CloudWatchClient; config: PlanConfig; logger: LoggerLike },
): Promise<RunState> {
  const { s3, config } = deps;
  const input = resolveExecutionInput(event.input, config);
  // Found before planning: each chunk's place in the round's schedule is its cost at this quota.
  const quota = await findRunQuota(config.quota, deps);
  // A call bigger than one second of the bytes quota could never pass whole (Firehose quotas are per
  // second): at 1 MiB/s, chunks of at most 1 MiB; never below one largest record, which must fit.
  const maxBatchBytes = Math.min(
    config.maxBatchBytes,
    Math.max(MAX_RECORD_BYTES, Math.floor(quota.bytesPerSecond)),
  );
  const { summary, format } = await planSource(
    s3,
    {
      runId: event.runId,
      source: input.source,
      format: input.format,
      individualRecords: input.individualRecords,
      pack: input.pack,
      maxBatchRecords: config.maxBatchRecords,
      maxBatchBytes,
      artifactBucket: config.artifactBucket,
      quota,
    },
    deps.logger,
  );
  const state: RunState = {
    runId: event.runId,
    startedAt: event.startedAt,
    settings: {
      ...input,
      format,
      maxBatchRecords: config.maxBatchRecords,
      maxBatchBytes,
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
    quota,
    pace: { rate: 1 },
  };
  await putJson(s3, { bucket: config.artifactBucket, key: artifactKeys.plan(event.runId) }, state);
  return state;
}
