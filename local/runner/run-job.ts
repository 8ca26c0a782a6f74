import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import type { InputFormat } from '../../functions/shared/chunk';
import { ConfigError } from '../../functions/shared/errors';
import type { RetryPolicy } from '../../functions/shared/firehose';
import { createLogger } from '../../functions/shared/logger';
import type { ExecutionInput, RunState } from '../../functions/shared/run-state';
import { listKeys } from '../../functions/shared/s3-io';
import { readDefinitionTemplate, substituteDefinition } from '../../statemachine/substitutions';
import { type FaultSettings, type FirehoseQuotas, type LocalServices, startLocalServices } from '../services';
import { startLocalServicesProcess } from '../services/process';
import { captureProcessOutput } from './capture-output';
import type { DuplicateChildren } from './duplicate-children';
import { type EngineEventShape, executeDefinition } from './execute-definition';
import { startHandlerThreads } from './handler-threads';
import { type LambdaHandler, type LambdaHandlers, localHandlers, localSubstitutions } from './local-lambdas';
import { ensureLocalResources, LOCAL_RESOURCE_NAMES, type LocalResourceNames } from './local-resources';
import { tapHandlerLogs } from './log-tap';
import { type JsonObject, LOCAL_ITEMS_KEY, LOCAL_RESULTS_KEY } from './lower-distributed-map';
import { RunProgress } from './progress';
import { type LastStep, needsSalvage, salvageRun } from './salvage';
import { buildSummary, type RunSummary } from './summary';
import { describeThrottling } from './throttle-hint';

export interface LocalJobOptions {
  /** Everything local lives here: `services/` (the S3 files) and `runs/<runId>/`. */
  dataDir: string;
  /** The file to load; it is staged in the local source bucket (putFile). */
  inputFile?: string;
  /** Or an object already in the local S3 (a previous run's dead-letter records, for `rerun-failed`). */
  sourceObject?: { bucket: string; key: string };
  format?: InputFormat;
  individualRecords?: number;
  pack?: boolean;
  maxConcurrency?: number;
  requeueRounds?: number;
  /** Sent as the execution input instead of the one built from the options (tests of invalid input). */
  rawExecutionInput?: unknown;
  faults?: Partial<FaultSettings>;
  quotas?: Partial<FirehoseQuotas>;
  /**
   * Local CloudWatch shows datapoints this long after they are put, as AWS does a minute or more later,
   * so CheckMetrics meets MetricsLaggingError. With fastTimers its retries then come every half of it.
   */
  metricPublishDelayMs?: number;
  /** A new local stream is CREATING this long (LocalServicesOptions.streamCreatingMs). */
  streamCreatingMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Tests: Wait states and Step Functions retries take milliseconds. */
  fastTimers?: boolean;
  runId?: string;
  /** Progress lines go to stderr (or `write`); `interactive` draws bars. */
  progress?: { write?: (text: string) => void; interactive: boolean };
  names?: LocalResourceNames;
  /**
   * Run the local services in this process instead of a child process of their own (the default,
   * which gives them a core of their own while the engine and the handlers use this one).
   */
  inProcessServices?: boolean;
  /**
   * PutBatch paces itself to the quota the job finds in the local CloudWatch, as on AWS (default
   * true). False (PACE_TO_QUOTA=false): retries alone handle throttling, for comparisons.
   */
  paceToQuota?: boolean;
  /**
   * Run the handlers in this many worker threads (0: in this thread, with the engine). Threads let
   * many PutBatch items use the core the engine leaves idle (see handler-threads.ts) but take a moment
   * to start, so `auto` (the default) uses them only for an input file of AUTO_THREADS_MIN_BYTES or more.
   */
  handlerThreads?: number | 'auto';
  /** Fault tests: wraps a function's handler (by ARN), e.g. to crash after Firehose accepted a batch. */
  wrapHandler?: (functionArn: string, handler: LambdaHandler) => LambdaHandler;
  /** Fault: every chunk's child execution starts twice, at once or late, as AWS may (duplicate-children.ts). */
  duplicateChildren?: DuplicateChildren;
}

// How many handler threads a run gets. Measured on 1,000,000 records (293 MB) on 2 cores, one run
// each: the Map took 15.5 s in this thread, 14.5 s with one handler thread, 12.5 s with two, 12.4 s
// with three. Below ~64 MiB thread start-up eats the gain.
const AUTO_THREADS = 2;
export const AUTO_THREADS_MIN_BYTES = 64 * 1024 * 1024;

export async function handlerThreadCount(options: LocalJobOptions): Promise<number> {
  const asked = options.handlerThreads ?? 'auto';
  if (asked !== 'auto') return asked;
  if (!options.inputFile || options.sourceObject) return 0;
  // A file that cannot be read is reported by the staging step, with its name.
  const size = await stat(options.inputFile).then(
    (file) => file.size,
    () => 0,
  );
  return size >= AUTO_THREADS_MIN_BYTES ? AUTO_THREADS : 0;
}

/** With fast timers and a metrics delay, CheckMetrics retries every half delay (not every 5 ms). */
function metricsRetryOverride(options: LocalJobOptions): Record<string, number> | undefined {
  const delay = options.metricPublishDelayMs ?? 0;
  return options.fastTimers && delay > 0 ? { CheckMetrics: Math.ceil(delay / 2) } : undefined;
}

export const newRunId = () =>
  `run-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${Math.random().toString(36).slice(2, 6)}`;

/** Sets the process environment the handlers read (as Lambda's would be) and gives back a restorer. */
function applyEnvironment(values: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

function functionEnvironment(
  endpoint: string,
  names: LocalResourceNames,
  retry: Partial<RetryPolicy> = {},
  paceToQuota = true,
) {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: names.region,
    // The local services do not check signatures; these keep the SDK from looking for real credentials.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    SOURCE_BUCKET: names.sourceBucket,
    ARTIFACT_BUCKET: names.artifactBucket,
    DELIVERY_STREAM_NAME: names.streamName,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  if (retry.maxAttempts !== undefined) env.RETRY_MAX_ATTEMPTS = String(retry.maxAttempts);
  if (retry.baseDelayMs !== undefined) env.RETRY_BASE_DELAY_MS = String(retry.baseDelayMs);
  if (retry.maxDelayMs !== undefined) env.RETRY_MAX_DELAY_MS = String(retry.maxDelayMs);
  if (retry.budgetMs !== undefined) env.RETRY_BUDGET_MS = String(retry.budgetMs);
  if (retry.throttleWindowMs !== undefined) env.RETRY_THROTTLE_WINDOW_MS = String(retry.throttleWindowMs);
  // No STREAM_*_PER_SECOND: the job finds the local stream's quota in the local CloudWatch, as on AWS.
  if (!paceToQuota) env.PACE_TO_QUOTA = 'false';
  return env;
}

/**
 * What events.jsonl keeps of an engine event: every Map iteration event carries its Map's whole input,
 * and the lowered Map's state holds the item list, so writing them as they are grows with the square
 * of the chunk count (gigabytes at a million records). Names, types, indexes and errors are kept.
 */
function compactEvent(event: EngineEventShape): EngineEventShape {
  const slim = (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const {
      [LOCAL_ITEMS_KEY]: items,
      [LOCAL_RESULTS_KEY]: results,
      ...rest
    } = value as Record<string, unknown>;
    const count = (list: unknown) => (Array.isArray(list) ? list.length : undefined);
    return items || results ? { ...rest, localMapItemCount: count(items ?? results) } : value;
  };
  const { parentState, state, ...rest } = event;
  return {
    ...rest,
    ...(parentState
      ? { parentState: { name: parentState.name, type: parentState.type, input: undefined } }
      : {}),
    ...(state ? { state: { ...state, input: slim(state.input), output: slim(state.output) } } : {}),
  };
}

/** A caught error leaves a step with its input plus `error`, not a run state: only take real ones. */
const isRunState = (value: unknown): value is RunState =>
  typeof value === 'object' && value !== null && 'plan' in value && 'round' in value && 'totals' in value;

/** Names of the top-level steps whose output is the whole run state. */
const STATE_STEPS = new Set(['Plan', 'AdvanceRound', 'CheckMetrics', 'MetricsStillLagging']);

/**
 * Runs the whole job on this machine: local services on 127.0.0.1, the state-machine file from
 * `statemachine/` on aws-local-stepfunctions, the real handlers in this process. Keeps everything of
 * the run under `<dataDir>/runs/<runId>/` and returns the summary.
 */
export async function runLocalJob(options: LocalJobOptions): Promise<RunSummary> {
  const started = Date.now();
  const names = options.names ?? LOCAL_RESOURCE_NAMES;
  const runId = options.runId ?? newRunId();
  const dataDir = resolve(options.dataDir);
  const servicesDir = join(dataDir, 'services');
  const runDir = join(dataDir, 'runs', runId);
  const start = options.inProcessServices ? startLocalServices : startLocalServicesProcess;
  // First: services that already own the folder refuse (DataFolderInUseError) before the run writes anything.
  const services: LocalServices = await start({
    dataDir: servicesDir,
    faults: options.faults,
    quotas: options.quotas,
    metricPublishDelayMs: options.metricPublishDelayMs,
    streamCreatingMs: options.streamCreatingMs,
  });
  await mkdir(join(runDir, 'output'), { recursive: true }).catch(async (error: unknown) => {
    await services.stop();
    throw error;
  });
  const restoreEnv = applyEnvironment(
    functionEnvironment(services.endpoint, names, options.retry, options.paceToQuota !== false),
  );
  const output = captureProcessOutput(join(runDir, 'functions.log.jsonl'));
  // Started after the environment is set: a thread sees the environment it was started with.
  const threadCount = await handlerThreadCount(options);
  const threads = threadCount
    ? startHandlerThreads(names, threadCount, [...localHandlers(names).keys()])
    : undefined;
  const write = options.progress?.write ?? output.stderr;
  const progress = new RunProgress(write, options.progress?.interactive ?? false, {
    throttleHint: describeThrottling(options.quotas, options.faults),
    fastTimers: options.fastTimers,
  });
  const untapLogs = tapHandlerLogs((line) => progress.onLog(line));
  try {
    const s3 = new S3Client({ forcePathStyle: true });
    await ensureLocalResources(s3, new FirehoseClient({}), names);
    const source = options.sourceObject ?? (await stageInput(services, names, runId, options.inputFile));
    const input: ExecutionInput = {
      source,
      ...(options.format ? { format: options.format } : {}),
      ...(options.individualRecords !== undefined ? { individualRecords: options.individualRecords } : {}),
      ...(options.pack !== undefined ? { pack: options.pack } : {}),
      ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
      ...(options.requeueRounds !== undefined ? { requeueRounds: options.requeueRounds } : {}),
    };
    const executionInput = options.rawExecutionInput ?? input;
    await writeFile(join(runDir, 'input.json'), `${JSON.stringify(executionInput, null, 2)}\n`);
    const before = new Set(await collect(listKeys(s3, names.destinationBucket, '')));

    let last: LastStep | undefined;
    // Streamed line by line: a million-record run logs far more than one string can hold.
    const events = createWriteStream(join(runDir, 'events.jsonl'));
    const definition = JSON.parse(
      substituteDefinition(readDefinitionTemplate(), localSubstitutions(names)),
    ) as JsonObject;
    write(`run ${runId}: local services on ${services.endpoint}\n`);
    const result = await executeDefinition({
      definition,
      input: executionInput,
      executionName: runId,
      s3,
      handlers: wrapAll(threads?.handlers ?? localHandlers(names), options.wrapHandler),
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
    await new Promise<void>((resolve) => events.end(resolve));
    let lastState = result.status === 'SUCCEEDED' ? (result.output as RunState) : last?.state;
    let salvaged = false;
    if (needsSalvage(last, result.status)) {
      write(
        'the run stopped before its round was totalled: counting what was delivered, dead-lettering the rest…\n',
      );
      lastState = await salvageRun(last.state, createLogger('firehose-loader-local-runner'));
      salvaged = true;
    }

    await services.flush();
    const delivered = (await collect(listKeys(s3, names.destinationBucket, ''))).filter(
      (key) => !before.has(key),
    );
    const outputFiles: string[] = [];
    let outputBytes = 0;
    for (const key of delivered) {
      const source = join(servicesDir, 's3', names.destinationBucket, key);
      const target = join(runDir, 'output', key.replaceAll('/', '_'));
      await link(source, target).catch(() => copyFile(source, target));
      outputFiles.push(target);
      outputBytes += (await stat(target)).size;
    }
    const objectPath = (key: string | undefined) =>
      key ? join(servicesDir, 's3', names.artifactBucket, key) : null;
    const summary = buildSummary({
      runId,
      status: result.status,
      ...(result.status === 'FAILED' ? { error: describeFailure(result.error, result.cause) } : {}),
      state: lastState,
      salvaged,
      streamName: names.streamName,
      outputFiles,
      outputBytes,
      deadLetterFiles: lastState?.deadLetter ? [objectPath(lastState.deadLetter.recordsKey) as string] : [],
      deadLetterManifest: objectPath(lastState?.deadLetter?.manifestKey),
      rejectsFile: objectPath(lastState?.plan?.rejectsKey),
      runDir,
      durationMs: Date.now() - started,
    });
    await writeFile(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await threads?.stop();
    progress.finish();
    untapLogs();
    await output.restore();
    restoreEnv();
    await services.stop();
  }
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

/** Puts the input file in the local source bucket (as `aws s3 cp` would on AWS; no need for HTTP here). */
async function stageInput(
  services: LocalServices,
  names: LocalResourceNames,
  runId: string,
  file: string | undefined,
) {
  if (!file) throw new ConfigError('a local run needs an input file or a source object');
  const key = `inputs/${runId}/${basename(file)}`;
  await services.putFile(names.sourceBucket, key, resolve(file));
  return { bucket: names.sourceBucket, key };
}

function wrapAll(handlers: LambdaHandlers, wrap: LocalJobOptions['wrapHandler']): LambdaHandlers {
  if (!wrap) return handlers;
  return new Map([...handlers].map(([arn, handler]) => [arn, wrap(arn, handler)]));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
