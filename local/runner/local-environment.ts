import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type LocalServices,
  startLocalServices,
  startLocalServicesProcess,
} from '@firehose-loader/local-services';
import { captureProcessOutput } from './capture-output';
import { startHandlerThreads } from './handler-threads';
import type { LocalJobOptions } from './job-options';
import { type LambdaHandlers, localHandlers } from './local-lambdas';
import { LOCAL_RESOURCE_NAMES, type LocalResourceNames } from './local-resources';
import { tapHandlerLogs } from './log-tap';
import type { HandlerLogLine } from './progress-model';
import { applyEnvironment, functionEnvironment } from './run-environment';
import { FIREHOSE_LIMITS } from './service-limits';

/**
 * What a part of a local run runs in, as Lambda and the AWS services are for a run on AWS: the local
 * services on 127.0.0.1, the functions' environment variables, the handlers (in this thread or in
 * worker threads) and the capture of what they log. Knows nothing of the job it serves.
 */
export interface LocalEnvironment {
  names: LocalResourceNames;
  /** Where the local services keep their files (`<dataDir>/services`). */
  servicesDir: string;
  services: LocalServices;
  s3: S3Client;
  /** The functions by ARN, wrapped by `options.wrapHandler` (fault tests). */
  handlers: LambdaHandlers;
  /** The terminal's stderr: while the environment is open, what the handlers print goes to the log file. */
  write: (text: string) => void;
  /** Undoes everything the environment set up, in reverse order; never rejects. */
  dispose: () => Promise<void>;
}

export interface EnvironmentHooks {
  /** The run's folder: the handlers' output goes to `functions.log.jsonl` in it. */
  runDir: string;
  /** Added to the functions' environment (resume: claims of a dead attempt are taken over at once). */
  extraEnv?: Record<string, string>;
  /** A write error of the log file (a full disk). */
  onIoError: (error: Error, path: string) => void;
  /** Each handler log line the progress display follows. */
  onLog: (line: HandlerLogLine) => void;
}

/**
 * Opens the environment. Each piece is undone by `dispose`, in one place; if a piece fails to start,
 * the pieces already started are undone before the error goes on, so nothing is left running.
 */
export async function openLocalEnvironment(
  options: LocalJobOptions,
  hooks: EnvironmentHooks,
): Promise<LocalEnvironment> {
  const undo: (() => unknown)[] = [];
  const dispose = async () => {
    for (const step of undo.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    return { ...(await open(options, hooks, undo)), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function open(options: LocalJobOptions, hooks: EnvironmentHooks, undo: (() => unknown)[]) {
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
  // Stopping flushes again; a failure there was already reported by the run's own flush.
  undo.push(() => services.stop());
  // The run's folder: the handlers' log goes there now, the links to the run's output later.
  await mkdir(join(hooks.runDir, 'output'), { recursive: true });
  undo.push(
    applyEnvironment({
      ...functionEnvironment(services.endpoint, names, options.retry, options.paceToQuota !== false),
      ...hooks.extraEnv,
    }),
  );
  const output = captureProcessOutput(
    join(hooks.runDir, 'functions.log.jsonl'),
    hooks.onIoError,
    options.openRunFile,
  );
  undo.push(output.restore);
  undo.push(tapHandlerLogs(hooks.onLog));
  // Started after the environment is set: a thread sees the environment it was started with.
  const threadCount = typeof options.handlerThreads === 'number' ? options.handlerThreads : 0;
  const threads = threadCount
    ? startHandlerThreads(names, threadCount, [...localHandlers(names).keys()])
    : undefined;
  if (threads) undo.push(threads.stop);
  const s3 = new S3Client({ forcePathStyle: true });
  undo.push(() => s3.destroy());
  const handlers = wrapAll(threads?.handlers ?? localHandlers(names), options.wrapHandler);
  return { names, servicesDir, services, s3, handlers, write: options.progress?.write ?? output.stderr };
}

function wrapAll(handlers: LambdaHandlers, wrap: LocalJobOptions['wrapHandler']): LambdaHandlers {
  if (!wrap) return handlers;
  return new Map([...handlers].map(([arn, handler]) => [arn, wrap(arn, handler)]));
}
