import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { createLogger } from '../../functions/shared/logger';
import type { RunState } from '../../functions/shared/run-state';
import { readDefinitionTemplate, substituteDefinition } from '../../statemachine/substitutions';
import { type LocalServices, startLocalServices } from '../services';
import { DEFAULT_QUOTAS } from '../services/firehose';
import { startLocalServicesProcess } from '../services/process';
import { captureProcessOutput } from './capture-output';
import { type Checkpoint, readCheckpoint, withCheckpoints } from './checkpoint';
import { executeDefinition } from './execute-definition';
import { HandlerGate } from './handler-gate';
import { startHandlerThreads } from './handler-threads';
import { type LambdaHandlers, localDefinitionRefs, localHandlers, localSubstitutions } from './local-lambdas';
import { ensureLocalResources, LOCAL_RESOURCE_NAMES, type LocalResourceNames } from './local-resources';
import type { JsonObject } from './lower-distributed-map';
import { RunProgress } from './progress';
import { applyEnvironment, functionEnvironment } from './run-environment';
import { compactEvent, isRunState, RunFile, STATE_STEPS } from './run-events';
import { noteAttempt } from './run-files';
import type { LocalJobOptions } from './run-job';
import { deliveredOutput, writeRunSummary } from './run-output';
import { type LastStep, needsSalvage, salvageRun } from './salvage';
import { type StoppedBy, stopOnIoError } from './stop-run';
import type { RunPart, RunStatus, RunSummary } from './summary';
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
  /** Runs once the services are up and the functions' environment is set. */
  prepare: (context: { s3: S3Client; services: LocalServices; runDir: string }) => Promise<Launch>;
  /** Added to the functions' environment (resume: claims of a dead attempt are taken over at once). */
  extraEnv?: Record<string, string>;
  parts?: RunPart[];
}

export const runFolder = (dataDir: string, runId: string) => join(resolve(dataDir), 'runs', runId);
export const checkpointFile = (runDir: string) => join(runDir, 'checkpoint.json');

function checkpointSteps(names: LocalResourceNames) {
  const refs = localDefinitionRefs(names);
  return new Map([
    [refs.planFunctionArn, 'Plan'],
    [refs.advanceRoundFunctionArn, 'AdvanceRound'],
    [refs.checkMetricsFunctionArn, 'CheckMetrics'],
  ] as const);
}

/**
 * One part of a local run (the first, or a resumed one): local services on 127.0.0.1, the state-machine
 * file on aws-local-stepfunctions, the real handlers. Stops early, without losing count, on
 * `options.signal` (Ctrl-C: INTERRUPTED) or on a write error of the run's own files (FAILED): no new
 * invocation starts, those in flight finish, and what the outcomes say is totalled.
 */
export async function runSession(options: LocalJobOptions, plan: SessionPlan): Promise<RunSummary> {
  const started = Date.now();
  const names = options.names ?? LOCAL_RESOURCE_NAMES;
  const { runId } = plan;
  const servicesDir = join(resolve(options.dataDir), 'services');
  const runDir = runFolder(options.dataDir, runId);
  await mkdir(join(runDir, 'output'), { recursive: true });
  const gate = new HandlerGate();
  const stopper = new AbortController();
  let stoppedBy: StoppedBy | undefined;
  const stop = (by: StoppedBy) => {
    if (stoppedBy) return;
    stoppedBy = by;
    gate.close();
    stopper.abort();
  };
  const onSignal = () => stop({ status: 'INTERRUPTED' });
  if (options.signal?.aborted) onSignal();
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const onIoError = (error: Error, path: string) => stop(stopOnIoError(error, path));

  const startServices = options.inProcessServices ? startLocalServices : startLocalServicesProcess;
  const services: LocalServices = await startServices({
    dataDir: servicesDir,
    faults: options.faults,
    quotas: options.quotas,
    metricPublishDelayMs: options.metricPublishDelayMs,
    streamCreatingMs: options.streamCreatingMs,
  });
  const quota = options.paceToQuota === false ? undefined : { ...DEFAULT_QUOTAS, ...options.quotas };
  const restoreEnv = applyEnvironment({
    ...functionEnvironment(services.endpoint, names, options.retry, quota),
    ...plan.extraEnv,
  });
  const output = captureProcessOutput(join(runDir, 'functions.log.jsonl'), onIoError, options.openRunFile);
  // Started after the environment is set: a thread sees the environment it was started with.
  const threadCount = typeof options.handlerThreads === 'number' ? options.handlerThreads : 0;
  const threads = threadCount
    ? startHandlerThreads(names, threadCount, [...localHandlers(names).keys()])
    : undefined;
  const write = options.progress?.write ?? output.stderr;
  const progress = new RunProgress(write, options.progress?.interactive ?? false);
  const s3 = new S3Client({ forcePathStyle: true });
  try {
    await ensureLocalResources(s3, new FirehoseClient({}), names);
    await noteAttempt(runDir);
    const launch = await plan.prepare({ s3, services, runDir });
    let last: LastStep | undefined;
    // Streamed line by line: a million-record run logs far more than one string can hold.
    const events = new RunFile(join(runDir, 'events.jsonl'), onIoError, options.openRunFile);
    const definition = JSON.parse(
      substituteDefinition(readDefinitionTemplate(), localSubstitutions(names)),
    ) as JsonObject;
    write(`run ${runId}: local services on ${services.endpoint}\n`);
    if (launch.resumeAfter) progress.resumeAfter(launch.resumeAfter.step, launch.resumeAfter.state);
    const handlers = withCheckpoints(
      wrapAll(threads?.handlers ?? localHandlers(names), options.wrapHandler),
      checkpointSteps(names),
      join(runDir, 'checkpoint.json'),
    );
    const result = await executeDefinition({
      definition,
      input: launch.input,
      executionName: runId,
      startAt: launch.startAt,
      startTime: launch.startTime,
      mapRunPrefix: launch.mapRunPrefix,
      signal: stopper.signal,
      s3,
      handlers: gate.wrap(handlers),
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
    let status: RunStatus;
    let error: { name: string; message: string } | undefined;
    let lastState: RunState | undefined;
    let salvaged = false;
    if (stoppedBy) {
      // Ctrl-C was acknowledged by the command itself; an I/O error is news.
      if (stoppedBy.error) write(`stopping (${stoppedBy.error.message}): waiting for the calls in flight…\n`);
      await gate.drained();
      status = stoppedBy.status;
      error = stoppedBy.error;
      lastState = await totalsSoFar(await readCheckpoint(checkpointFile(runDir)), {
        s3,
        artifactBucket: names.artifactBucket,
        logger: createLogger('firehose-loader-local-runner'),
      });
    } else {
      status = result.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
      if (result.status === 'FAILED') error = describeFailure(result.error, result.cause);
      lastState = result.status === 'SUCCEEDED' ? (result.output as RunState) : last?.state;
      if (needsSalvage(last, status)) {
        write(
          'the run stopped before its round was totalled: counting what was delivered, dead-lettering the rest…\n',
        );
        lastState = await salvageRun(last.state, createLogger('firehose-loader-local-runner'));
        salvaged = true;
      }
    }
    await events.end();
    const delivered = await deliveredOutput({
      services,
      s3,
      names,
      servicesDir,
      runDir,
      before: launch.before,
    });
    const notOnDisk = Math.max(0, (lastState?.totals.delivered ?? 0) - delivered.lines);
    const failed = delivered.error ?? error ?? (notOnDisk ? notOnDiskError(notOnDisk) : undefined);
    return await writeRunSummary({
      runId,
      status: delivered.error || notOnDisk ? 'FAILED' : status,
      ...(failed ? { error: failed } : {}),
      state: lastState,
      salvaged,
      streamName: names.streamName,
      outputFiles: delivered.files,
      outputBytes: delivered.bytes,
      notOnDisk,
      deadLetterFiles: lastState?.deadLetter
        ? [join(servicesDir, 's3', names.artifactBucket, lastState.deadLetter.recordsKey)]
        : [],
      deadLetterManifest: lastState?.deadLetter
        ? join(servicesDir, 's3', names.artifactBucket, lastState.deadLetter.manifestKey)
        : null,
      rejectsFile: lastState?.plan?.rejectsKey
        ? join(servicesDir, 's3', names.artifactBucket, lastState.plan.rejectsKey)
        : null,
      runDir,
      parts: plan.parts,
      durationMs: Date.now() - started,
    });
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    s3.destroy();
    await threads?.stop();
    await output.restore();
    restoreEnv();
    // Stopping flushes again; a failure there was already reported by the flush above.
    await services.stop().catch(() => undefined);
  }
}

/** With fast timers and a metrics delay, CheckMetrics retries every half delay (not every 5 ms). */
function metricsRetryOverride(options: LocalJobOptions): Record<string, number> | undefined {
  const delay = options.metricPublishDelayMs ?? 0;
  return options.fastTimers && delay > 0 ? { CheckMetrics: Math.ceil(delay / 2) } : undefined;
}

/** Firehose acknowledged records that never reached the destination: never reported as delivered. */
function notOnDiskError(records: number): { name: string; message: string } {
  return {
    name: 'NotDelivered',
    message: `${records} records Firehose accepted are not in the destination bucket (the local services stopped before delivering them)`,
  };
}

/** A Fail state's cause, or a Lambda error's JSON cause reduced to its message: never a stack trace. */
function describeFailure(error = 'Error', cause = ''): { name: string; message: string } {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; errorType?: string };
    if (parsed.errorMessage) return { name: parsed.errorType ?? error, message: parsed.errorMessage };
  } catch {
    // Not JSON: a Fail state's own cause, already a sentence.
  }
  return { name: error, message: cause };
}

function wrapAll(handlers: LambdaHandlers, wrap: LocalJobOptions['wrapHandler']): LambdaHandlers {
  if (!wrap) return handlers;
  return new Map([...handlers].map(([arn, handler]) => [arn, wrap(arn, handler)]));
}
