import { join, resolve } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LocalServices } from '@firehose-loader/local-services';
import { createLogger } from '../../functions/shared/logger';
import {
  failureOf,
  isRunState,
  type RunPart,
  type RunSummary,
  STATE_STEPS,
  StepName,
} from '../../functions/shared/run';
import type { RunState } from '../../functions/shared/run-state';
import { readDefinitionTemplate, substituteDefinition } from '../../statemachine/substitutions';
import { type Checkpoint, checkpointStepsByArn, readCheckpoint, withCheckpoints } from './checkpoint';
import { compactEvent, type JsonObject } from './distributed-map';
import { type ExecutionResult, executeDefinition } from './execute-definition';
import type { LocalJobOptions } from './job-options';
import { type LocalEnvironment, openLocalEnvironment } from './local-environment';
import { type LambdaHandlers, localSubstitutions } from './local-lambdas';
import { ensureLocalResources } from './local-resources';
import { RunProgress } from './progress';
import { RunFile } from './run-file';
import { noteAttempt } from './run-files';
import { type Ending, summariseRun } from './run-output';
import { type LastStep, needsSalvage, salvageRun } from './salvage';
import { RunStopper, type StoppedBy } from './stop-run';
import { describeThrottling } from './throttle-hint';
import { totalsSoFar } from './totals-so-far';

/** Where a run's execution starts: from the beginning, or (resume) after its last checkpoint. */
export interface Launch {
  input: unknown;
  startAt?: string;
  startTime?: string;
  mapRunPrefix?: string;
  /** The checkpoint a resumed part starts after (for the progress display). */
  resumeAfter?: Checkpoint;
  /** Destination keys that were there before the run's first part: not this run's output. */
  before: ReadonlySet<string>;
}

export interface SessionPlan {
  runId: string;
  /** Stages the run once the environment is open: its input, and what the run's files record. */
  prepare: (context: { s3: S3Client; services: LocalServices; runDir: string }) => Promise<Launch>;
  /** Added to the functions' environment (resume: claims of a dead attempt are taken over at once). */
  extraEnv?: Record<string, string>;
  parts?: RunPart[];
}

export const runFolder = (dataDir: string, runId: string) => join(resolve(dataDir), 'runs', runId);
export const checkpointFile = (runDir: string) => join(runDir, 'checkpoint.json');

/** A part of a run at work: the environment it runs in and what the job adds to it. */
interface Session {
  options: LocalJobOptions;
  plan: SessionPlan;
  runDir: string;
  env: LocalEnvironment;
  progress: RunProgress;
  stopper: RunStopper;
  /** The environment's handlers, each step's output checkpointed before the engine sees it. */
  handlers: LambdaHandlers;
}

/**
 * One part of a local run (the first, or a resumed one): stage, execute, collect, summarise, in a
 * local environment opened for it and disposed after it (local-environment.ts). Stops early, without
 * losing count, on `options.signal` (Ctrl-C: INTERRUPTED) or on a write error of the run's own files
 * (FAILED): no new invocation starts, those in flight finish, and what the outcomes say is totalled.
 */
export async function runSession(options: LocalJobOptions, plan: SessionPlan): Promise<RunSummary> {
  const started = Date.now();
  const session = await openSession(options, plan);
  try {
    const { env, runDir } = session;
    await ensureLocalResources(env.s3, new FirehoseClient({}), env.names);
    await noteAttempt(runDir);
    const launch = await plan.prepare({ s3: env.s3, services: env.services, runDir });
    const ending = await execute(session, launch);
    return await summariseRun({
      env,
      runId: plan.runId,
      runDir,
      parts: plan.parts,
      before: launch.before,
      ending,
      durationMs: Date.now() - started,
    });
  } finally {
    session.stopper.release();
    // The threads' last log lines reach the progress before its final line.
    await session.env.dispose();
    session.progress.finish();
  }
}

/** Opens the environment, with the job's stop, progress display and checkpoints around it. */
async function openSession(options: LocalJobOptions, plan: SessionPlan): Promise<Session> {
  const runDir = runFolder(options.dataDir, plan.runId);
  const stopper = new RunStopper(options.signal);
  let progress: RunProgress | undefined;
  const env = await openLocalEnvironment(options, {
    runDir,
    extraEnv: plan.extraEnv,
    onIoError: stopper.onIoError,
    onLog: (line) => progress?.onLog(line),
  }).catch((error: unknown) => {
    stopper.release();
    throw error;
  });
  progress = new RunProgress(env.write, options.progress?.interactive ?? false, {
    throttleHint: describeThrottling(options.quotas, options.faults),
    fastTimers: options.fastTimers,
  });
  const handlers = withCheckpoints(env.handlers, checkpointStepsByArn(env.names), checkpointFile(runDir));
  return { options, plan, runDir, env, progress, stopper, handlers };
}

/** Runs the definition from where the launch says, then says how it ended (totalled either way). */
async function execute(session: Session, launch: Launch): Promise<Ending> {
  const { options, env, runDir, progress, stopper } = session;
  let last: LastStep | undefined;
  // Streamed line by line: a million-record run logs far more than one string can hold.
  const events = new RunFile(join(runDir, 'events.jsonl'), stopper.onIoError, options.openRunFile);
  const definition = JSON.parse(
    substituteDefinition(readDefinitionTemplate(), localSubstitutions(env.names)),
  ) as JsonObject;
  env.write(`run ${session.plan.runId}: local services on ${env.services.endpoint}\n`);
  if (launch.resumeAfter) progress.resumeAfter(launch.resumeAfter.step, launch.resumeAfter.state);
  const result = await executeDefinition({
    definition,
    input: launch.input,
    executionName: session.plan.runId,
    startAt: launch.startAt,
    startTime: launch.startTime,
    mapRunPrefix: launch.mapRunPrefix,
    signal: stopper.signal,
    s3: env.s3,
    handlers: stopper.gate.wrap(session.handlers),
    fastTimers: options.fastTimers,
    retryIntervalOverridesMs: metricsRetryOverride(options),
    duplicateChildren: options.duplicateChildren,
    onEvent: (event) => {
      progress.onEvent(event);
      events.write(`${JSON.stringify(compactEvent(event))}\n`);
      const name = event.state?.name;
      const output = event.state?.output;
      if (event.type === 'StateExited' && name && STATE_STEPS.has(name) && isRunState(output)) {
        last = { step: name, state: output };
      }
    },
  });
  const ending = stopper.stoppedBy
    ? await stopped(session, stopper.stoppedBy)
    : await ended(session, result, last);
  await events.end();
  return ending;
}

/** A stopped part: waits for the calls in flight, then totals what the outcomes say (nothing changed). */
async function stopped(session: Session, by: StoppedBy): Promise<Ending> {
  // Ctrl-C was acknowledged by the command itself; an I/O error is news.
  if (by.error) session.env.write(`stopping (${by.error.message}): waiting for the calls in flight…\n`);
  await session.stopper.gate.drained();
  const state = await totalsSoFar(await readCheckpoint(checkpointFile(session.runDir)), {
    s3: session.env.s3,
    artifactBucket: session.env.names.artifactBucket,
    logger: createLogger('firehose-loader-local-runner'),
  });
  return { status: by.status, ...(by.error ? { error: by.error } : {}), state, salvaged: false };
}

/** A part whose execution ended by itself: succeeded, or failed (salvaged if it stopped mid-round). */
async function ended(session: Session, result: ExecutionResult, last: LastStep | undefined): Promise<Ending> {
  const status = result.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
  const error = result.status === 'FAILED' ? failureOf(result.error, result.cause) : undefined;
  const state = result.status === 'SUCCEEDED' ? (result.output as RunState) : last?.state;
  if (!needsSalvage(last, status)) return { status, ...(error ? { error } : {}), state, salvaged: false };
  session.env.write(
    'the run stopped before its round was totalled: counting what was delivered, dead-lettering the rest…\n',
  );
  const salvaged = await salvageRun(last.state, createLogger('firehose-loader-local-runner'));
  return { status, ...(error ? { error } : {}), state: salvaged, salvaged: true };
}

/** With fast timers and a metrics delay, CheckMetrics retries every half delay (not every 5 ms). */
function metricsRetryOverride(options: LocalJobOptions): Record<string, number> | undefined {
  const delay = options.metricPublishDelayMs ?? 0;
  return options.fastTimers && delay > 0 ? { [StepName.checkMetrics]: Math.ceil(delay / 2) } : undefined;
}
