import { type CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import { sumAccepted } from '../shared/accepted-minutes';
import { artifactKeys, chunkId } from '../shared/artifacts';
import type { ChunkDescriptor } from '../shared/chunk';
import { readChunkPayloads } from '../shared/chunk-io';
import { AccountingError } from '../shared/errors';
import type { LoggerLike } from '../shared/logger';
import { PaceSchedule } from '../shared/quota/schedule';
import {
  type ChunkOutcome,
  type DeadLetterSummary,
  RoundNext,
  type RoundState,
  type RunState,
} from '../shared/run-state';
import { readJsonLines, S3LineWriter } from '../shared/s3-io';
import type { AdvanceRoundConfig } from './config';
import { roundOutcomes } from './outcomes';
import { type PublishReport, publishAcceptedOnce } from './published-ledger';
import {
  addCountsOfFailed,
  addOutcome,
  decideNext,
  leftoverChunks,
  nextPaceRate,
  possibleDuplicatesOfFailed,
  requeueWaitSeconds,
} from './rounds';

export interface AdvanceDeps {
  s3: S3Client;
  cloudWatch: CloudWatchClient;
  config: AdvanceRoundConfig;
  logger: LoggerLike;
}

/** Totals the round just run, then starts another round over what is left, or dead-letters it. */
export async function advanceRound(state: RunState, deps: AdvanceDeps): Promise<RunState> {
  const roundNumber = state.round.number;
  const manifest = await readManifest(state.round.manifestKey, deps);
  const read = await roundOutcomes(state, manifest, {
    s3: deps.s3,
    artifactBucket: deps.config.artifactBucket,
    logger: deps.logger,
  });
  const { outcomes } = read;
  const byChunk = new Map(outcomes.map((outcome) => [outcome.chunkId, outcome]));
  // With the calls of attempts that gave a failed chunk up: its claim carries them (rounds.ts).
  let totals = addCountsOfFailed(outcomes.reduce(addOutcome, state.totals), manifest, byChunk, read.claims);
  const leftover = leftoverChunks(manifest, byChunk);
  // A failed chunk whose claim was never released may have been sent before its attempt stopped; the
  // next round (or the dead letters) resends it, so its records count as possible duplicates.
  const possibleDuplicates = possibleDuplicatesOfFailed(manifest, byChunk, read.claims);
  totals = {
    ...totals,
    failedChunks: totals.failedChunks + leftover.failedChunks,
    possibleDuplicateRecords: totals.possibleDuplicateRecords + possibleDuplicates,
  };
  const next = decideNext(roundNumber, state.settings.requeueRounds, leftover.chunks.length);
  const leftoverRecords = leftover.chunks.reduce((sum, chunk) => sum + chunk.records, 0);
  const { round, deadLetter } = await closeRound(state, next, leftover.chunks, deps);
  if (deadLetter) totals = { ...totals, deadLettered: totals.deadLettered + deadLetter.records };
  // What Firehose accepted, by minute, for CheckMetrics to tell this job's runs from other writers;
  // after the round's writes, before any final check. Once per round: a retry, a resume or a redrive
  // of this step publishes only what the round's ledger does not hold yet (published-ledger.ts).
  const accepted = await publishRoundAccepted(state, outcomes, deps);

  if (next === RoundNext.done) assertAccountedFor(state, totals);
  await publishRoundMetrics(deps, roundMetrics(outcomes, deadLetter, possibleDuplicates));
  deps.logger.info('round finished', {
    round: roundNumber,
    chunks: manifest.length,
    outcomes: outcomes.length,
    fromMapResults: read.fromMapResults,
    fromOutcomeObjects: read.fromObjects,
    failedChunks: leftover.failedChunks,
    claimsWithoutOutcome: read.claims.size,
    possibleDuplicateRecords: possibleDuplicates,
    acceptedMinutes: accepted.acceptedMinutes,
    publishedMinutes: accepted.publishedMinutes,
    leftoverChunks: leftover.chunks.length,
    leftoverRecords,
    next,
  });
  return {
    runId: state.runId,
    startedAt: state.startedAt,
    settings: state.settings,
    plan: state.plan,
    round,
    totals,
    ...(state.quota ? { quota: state.quota } : {}),
    // The next round starts from the rate that worked in this one (AIMD carried across rounds).
    ...(state.pace ? { pace: { rate: nextPaceRate(outcomes, state.pace.rate) } } : {}),
    ...(deadLetter ? { deadLetter } : {}),
  };
}

/** The round's accepted minutes, summed over its outcomes, published once (published-ledger.ts). */
function publishRoundAccepted(
  state: RunState,
  outcomes: readonly ChunkOutcome[],
  { s3, cloudWatch, logger, config }: AdvanceDeps,
): Promise<PublishReport> {
  const { artifactBucket, streamName, metricsNamespace: namespace } = config;
  return publishAcceptedOnce(
    { s3, cloudWatch, logger, artifactBucket, streamName, namespace },
    { runId: state.runId, number: state.round.number },
    sumAccepted(outcomes.map((outcome) => outcome.acceptedByMinute)),
  );
}

async function readManifest(manifestKey: string, deps: AdvanceDeps): Promise<ChunkDescriptor[]> {
  const manifest: ChunkDescriptor[] = [];
  for await (const chunk of readJsonLines<ChunkDescriptor>(deps.s3, {
    bucket: deps.config.artifactBucket,
    key: manifestKey,
  })) {
    manifest.push(chunk);
  }
  return manifest;
}

/**
 * Ends the round: a re-queue writes the next round's manifest from the leftover chunks; the last
 * round dead-letters whatever is left. The returned round is the one the state machine goes on with.
 */
async function closeRound(
  state: RunState,
  next: RoundNext,
  leftover: ChunkDescriptor[],
  deps: AdvanceDeps,
): Promise<{ round: RoundState; deadLetter?: DeadLetterSummary }> {
  if (next === RoundNext.requeue) return { round: await startRequeueRound(state, leftover, deps) };
  const round = { ...state.round, next, waitSeconds: 0 };
  if (leftover.length === 0) return { round };
  return { round, deadLetter: await writeDeadLetters(state.runId, leftover, deps) };
}

/** Writes the next round's manifest: the leftover chunks under new ids, paced at the run's quota. */
async function startRequeueRound(
  state: RunState,
  leftover: ChunkDescriptor[],
  deps: AdvanceDeps,
): Promise<RoundState> {
  const number = state.round.number + 1;
  const manifestKey = artifactKeys.manifest(state.runId, number);
  const writer = new S3LineWriter(deps.s3, { bucket: deps.config.artifactBucket, key: manifestKey });
  // The re-queue round gets its own schedule, from its own chunks' costs at the run's quota.
  const schedule = state.quota ? new PaceSchedule(state.quota) : undefined;
  for (const [index, chunk] of leftover.entries()) {
    const next = { ...chunk, chunkId: chunkId(number, index) };
    await writer.writeJson(schedule ? schedule.place(next) : next);
  }
  await writer.close();
  return {
    number,
    manifestKey,
    chunks: leftover.length,
    records: leftover.reduce((sum, chunk) => sum + chunk.records, 0),
    next: RoundNext.requeue,
    waitSeconds: requeueWaitSeconds(number),
  };
}

/** This round's figures for the metrics namespace (the run totals are in the state, not here). */
function roundMetrics(
  outcomes: readonly ChunkOutcome[],
  deadLetter: DeadLetterSummary | undefined,
  possibleDuplicates: number,
): Record<string, number> {
  const sum = (pick: (outcome: ChunkOutcome) => number) => outcomes.reduce((total, o) => total + pick(o), 0);
  return {
    DeliveredRecords: sum((o) => o.delivered),
    RequeuedRecords: sum((o) => o.requeued),
    FailedPutCount: sum((o) => o.failedPutCount),
    DeadLetteredRecords: deadLetter?.records ?? 0,
    PossibleDuplicateRecords: sum((o) => o.possibleDuplicateRecords) + possibleDuplicates,
  };
}

/**
 * Copies every record still undelivered into one JSON Lines file, and its descriptors into a manifest.
 * The records file is a valid source for a new run (`rerun`), so dead letters are never a dead end.
 */
async function writeDeadLetters(
  runId: string,
  chunks: ChunkDescriptor[],
  deps: AdvanceDeps,
): Promise<DeadLetterSummary> {
  const bucket = deps.config.artifactBucket;
  const recordsKey = artifactKeys.deadLetterRecords(runId);
  const manifestKey = artifactKeys.deadLetterManifest(runId);
  // The descriptors first: cheap, and enough to find every record even if copying them fails below.
  const manifest = new S3LineWriter(deps.s3, { bucket, key: manifestKey });
  for (const chunk of chunks) await manifest.writeJson(chunk);
  await manifest.close();
  const records = new S3LineWriter(deps.s3, { bucket, key: recordsKey });
  let count = 0;
  try {
    for (const chunk of chunks) {
      for (const payload of await readChunkPayloads(deps.s3, chunk)) {
        await records.write(payload);
        count += 1;
      }
    }
  } catch (error) {
    // A half-written records file must not look complete: abort it, the step fails and is retried.
    records.abort(error);
    throw error;
  }
  await records.close();
  // Payload lines are exactly the bytes Firehose would have received, so `lines` reads them back unchanged.
  const rerunInput = { source: { bucket, key: recordsKey }, format: 'lines', individualRecords: 0 };
  const message =
    `${count} records could not be delivered after every re-queue round; they are in s3://${bucket}/${recordsKey} ` +
    `(descriptors: s3://${bucket}/${manifestKey}). Rerun them with a new execution whose input is ${JSON.stringify(rerunInput)} ` +
    `(from the clone: npm run cli -- rerun --dead-letter ${runId} on AWS, npm run cli -- rerun-failed ${runId} for a local run)`;
  deps.logger.error('records dead-lettered', { records: count, recordsKey, manifestKey });
  return { records: count, bucket, recordsKey, manifestKey, message };
}

/**
 * At the end every planned record is delivered or dead-lettered (rejects were never planned). If the
 * sums disagree, bookkeeping is wrong somewhere: fail loudly instead of reporting a clean run.
 */
function assertAccountedFor(state: RunState, totals: RunState['totals']): void {
  if (totals.delivered + totals.deadLettered !== state.plan.records) {
    throw new AccountingError(
      `run ${state.runId}: ${state.plan.records} records were planned but ${totals.delivered} delivered + ` +
        `${totals.deadLettered} dead-lettered were counted; outcomes under runs/${state.runId}/ need a look`,
    );
  }
}

/** Monitoring is best effort: a failed PutMetricData is logged, it must not fail a finished round. */
async function publishRoundMetrics(deps: AdvanceDeps, values: Record<string, number>): Promise<void> {
  try {
    await sendRoundMetrics(deps, values);
  } catch (error) {
    deps.logger.warn('round metrics not published', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

async function sendRoundMetrics(deps: AdvanceDeps, values: Record<string, number>): Promise<void> {
  const dimensions = [{ Name: 'DeliveryStreamName', Value: deps.config.streamName }];
  await deps.cloudWatch.send(
    new PutMetricDataCommand({
      Namespace: deps.config.metricsNamespace,
      MetricData: Object.entries(values).map(([MetricName, Value]) => ({
        MetricName,
        Value,
        Unit: StandardUnit.Count,
        Dimensions: dimensions,
      })),
    }),
  );
}
