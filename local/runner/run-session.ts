import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type LocalServices,
  startLocalServices,
  startLocalServicesProcess,
} from '@firehose-loader/local-services';
import { createLogger } from '../../functions/shared/logger';
import type { RunState } from '../../functions/shared/run-state';
import { readDefinitionTemplate, substituteDefinition } from '../../statemachine/substitutions';
import { captureProcessOutput } from './capture-output';
import { type Checkpoint, readCheckpoint, withCheckpoints } from './checkpoint';
import { type ExecutionResult, executeDefinition } from './execute-definition';
import { startHandlerThreads } from './handler-threads';
import { type LambdaHandlers, localDefinitionRefs, localHandlers, localSubstitutions } from './local-lambdas';
import { ensureLocalResources, LOCAL_RESOURCE_NAMES, type LocalResourceNames } from './local-resources';
import { tapHandlerLogs } from './log-tap';
import type { JsonObject } from './lower-distributed-map';
import { RunProgress } from './progress';
import { applyEnvironment, functionEnvironment } from './run-environment';
import { compactEvent, isRunState, RunFile, STATE_STEPS } from './run-events';
import { noteAttempt } from './run-files';
import type { LocalJobOptions } from './run-job';
import { deliveredOutput, writeRunSummary } from './run-output';
import { type LastStep, needsSalvage, salvageRun } from './salvage';
import { FIREHOSE_LIMITS } from './service-limits';
import { RunStopper, type StoppedBy } from './stop-run';
import type { RunPart, RunStatus, RunSummary } from './summary';
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

/** What a part of a run works with: its services, the functions' environment, progress and files. */
interface Session {
  options: LocalJobOptions;
  plan: SessionPlan;
  names: LocalResourceNames;
  runDir: string;
  servicesDir: string;
  services: LocalServices;
  s3: S3Client;
  write: (text: string) => void;
  progress: RunProgress;
  handlers: LambdaHandlers;
  stopper: RunStopper;
  close: () => Promise<void>;
}

/** How the part ended, before its output is looked at. */
interface Ending {
  status: RunStatus;
  error?: { name: string; message: string };
  state?: RunState;
  salvaged: boolean;
}

/**
 * One part of a local run (the first, or a resumed one): local services on 127.0.0.1, the state-machine
 * file on aws-local-stepfunctions, the real handlers. Stops early, without losing count, on
 * `options.signal` (Ctrl-C: INTERRUPTED) or on a write error of the run's own files (FAILED): no new
 * invocation starts, those in flight finish, and what the outcomes say is totalled.
 */
export async function runSession(options: LocalJobOptions, plan: SessionPlan): Promise<RunSummary> {
  const started = Date.now();
  const runDir = runFolder(options.dataDir, plan.runId);
  const session = await openSession(options, plan, runDir);
  try {
    await ensureLocalResources(session.s3, new FirehoseClient({}), session.names);
    await noteAttempt(runDir);
    const launch = await plan.prepare({ s3: session.s3, services: session.services, runDir });
    const ending = await execute(session, launch);
    return await summarise(session, launch, ending, Date.now() - started);
  } finally {
    await session.close();
  }
}

/** Starts the services, sets the functions' environment, captures their output, starts threads. */
async function openSession(options: LocalJobOptions, plan: SessionPlan, runDir: string): Promise<Session> {
  const names = options.names ?? LOCAL_RESOURCE_NAMES;
  const servicesDir = join(resolve(options.dataDir), 'services');
  const startServices = options.inProcessServices ? startLocalServices : startLocalServicesProcess;
  // First: services that cannot own the folder refuse before the run writes anything.
  const services: LocalServices = await startServices({
    dataDir: servicesDir,
    limits: FIREHOSE_LIMITS,
    faults: options.faults,
    quotas: options.quotas,
    metricPublishDelayMs: options.metricPublishDelayMs,
    streamCreatingMs: options.streamCreatingMs,
  });
  await mkdir(join(runDir, 'output'), { recursive: true }).catch(async (error: unknown) => {
    await services.stop();
    throw error;
  });
  const stopper = new RunStopper(options.signal);
  const restoreEnv = applyEnvironment({
    ...functionEnvironment(services.endpoint, names, options.retry, options.paceToQuota !== false),
    ...plan.extraEnv,
  });
  const output = captureProcessOutput(
    join(runDir, 'functions.log.jsonl'),
    stopper.onIoError,
    options.openRunFile,
  );
  // Started after the environment is set: a thread sees the environment it was started with.
  const threadCount = typeof options.handlerThreads === 'number' ? options.handlerThreads : 0;
  const threads = threadCount
    ? startHandlerThreads(names, threadCount, [...localHandlers(names).keys()])
    : undefined;
  const write = options.progress?.write ?? output.stderr;
  const s3 = new S3Client({ forcePathStyle: true });
  const handlers = withCheckpoints(
    wrapAll(threads?.handlers ?? localHandlers(names), options.wrapHandler),
    checkpointSteps(names),
    checkpointFile(runDir),
  );
  const close = async () => {
    stopper.release();
    s3.destroy();
    await threads?.stop();
    progress.finish();
    untapLogs();
    await output.restore();
    restoreEnv();
    // Stopping flushes again; a failure there was already reported by the flush in summarise.
    await services.stop().catch(() => undefined);
  };
  const progress = new RunProgress(write, options.progress?.interactive ?? false, {
    throttleHint: describeThrottling(options.quotas, options.faults),
    fastTimers: options.fastTimers,
  });
  const untapLogs = tapHandlerLogs((line) => progress.onLog(line));
  return {
    options,
    plan,
    names,
    runDir,
    servicesDir,
    services,
    s3,
    write,
    progress,
    handlers,
    stopper,
    close,
  };
}

/** Runs the definition from where the launch says, then says how it ended (totalled either way). */
async function execute(session: Session, launch: Launch): Promise<Ending> {
  const { options, names, runDir, write, progress, stopper } = session;
  let last: LastStep | undefined;
  // Streamed line by line: a million-record run logs far more than one string can hold.
  const events = new RunFile(join(runDir, 'events.jsonl'), stopper.onIoError, options.openRunFile);
  const definition = JSON.parse(
    substituteDefinition(readDefinitionTemplate(), localSubstitutions(names)),
  ) as JsonObject;
  write(`run ${session.plan.runId}: local services on ${session.services.endpoint}\n`);
  if (launch.resumeAfter) progress.resumeAfter(launch.resumeAfter.step, launch.resumeAfter.state);
  const result = await executeDefinition({
    definition,
    input: launch.input,
    executionName: session.plan.runId,
    startAt: launch.startAt,
    startTime: launch.startTime,
    mapRunPrefix: launch.mapRunPrefix,
    signal: stopper.signal,
    s3: session.s3,
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
  if (by.error) session.write(`stopping (${by.error.message}): waiting for the calls in flight…\n`);
  await session.stopper.gate.drained();
  const state = await totalsSoFar(await readCheckpoint(checkpointFile(session.runDir)), {
    s3: session.s3,
    artifactBucket: session.names.artifactBucket,
    logger: createLogger('firehose-loader-local-runner'),
  });
  return { status: by.status, ...(by.error ? { error: by.error } : {}), state, salvaged: false };
}

/** A part whose execution ended by itself: succeeded, or failed (salvaged if it stopped mid-round). */
async function ended(session: Session, result: ExecutionResult, last: LastStep | undefined): Promise<Ending> {
  const status = result.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
  const error = result.status === 'FAILED' ? describeFailure(result.error, result.cause) : undefined;
  const state = result.status === 'SUCCEEDED' ? (result.output as RunState) : last?.state;
  if (!needsSalvage(last, status)) return { status, ...(error ? { error } : {}), state, salvaged: false };
  session.write(
    'the run stopped before its round was totalled: counting what was delivered, dead-lettering the rest…\n',
  );
  const salvaged = await salvageRun(last.state, createLogger('firehose-loader-local-runner'));
  return { status, ...(error ? { error } : {}), state: salvaged, salvaged: true };
}

/** Delivers what Firehose holds, links the output, counts what is on disk, writes the summary. */
async function summarise(session: Session, launch: Launch, ending: Ending, durationMs: number) {
  const { names, servicesDir, runDir } = session;
  const state = ending.state;
  const delivered = await deliveredOutput({
    ...session,
    before: launch.before,
    acceptedBytes: state?.totals.acceptedBytes ?? 0,
  });
  const notOnDisk =
    delivered.lines === undefined ? 0 : Math.max(0, (state?.totals.delivered ?? 0) - delivered.lines);
  const error = delivered.error ?? ending.error ?? (notOnDisk ? notOnDiskError(notOnDisk) : undefined);
  const artifact = (key: string) => join(servicesDir, 's3', names.artifactBucket, key);
  return writeRunSummary({
    runId: session.plan.runId,
    status: delivered.error || notOnDisk ? 'FAILED' : ending.status,
    ...(error ? { error } : {}),
    state,
    salvaged: ending.salvaged,
    streamName: names.streamName,
    outputFiles: delivered.files,
    outputBytes: delivered.bytes,
    notOnDisk,
    deadLetterFiles: state?.deadLetter ? [artifact(state.deadLetter.recordsKey)] : [],
    deadLetterManifest: state?.deadLetter ? artifact(state.deadLetter.manifestKey) : null,
    rejectsFile: state?.plan?.rejectsKey ? artifact(state.plan.rejectsKey) : null,
    runDir,
    parts: session.plan.parts,
    durationMs,
  });
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
