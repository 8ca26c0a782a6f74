import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { RUN_SETTING_RANGES } from '../functions/plan/config';
import { DEFAULT_METRICS_NAMESPACE } from '../functions/shared/metrics-namespace';

/** How objects in the three buckets (and the delivery stream's S3 writes) are encrypted at rest. */
export type BucketEncryptionSetting = 'SSE_S3' | 'KMS';
/** Firehose S3 output compression; NONE keeps the delivered objects readable as JSON Lines. */
export type CompressionSetting = 'NONE' | 'GZIP' | 'SNAPPY' | 'HADOOP_SNAPPY' | 'ZIP';
/** What happens to buckets and log groups when the stack is deleted. */
export type RemovalSetting = 'retain' | 'destroy';
/** Step Functions CloudWatch Logs level (see LoaderStateMachine for why ALL is the default). */
export type StateMachineLogLevel = 'ALL' | 'ERROR';
/** Powertools Logger level of the four functions. */
export type FunctionLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * Every deploy-time setting of the stack. Defaults live in DEFAULT_SETTINGS and are mirrored in
 * cdk.json's context (a test keeps the two equal); `cdk synth -c firehose-loader:<name>=<value>`
 * or stack props override them.
 */
export interface LoaderSettings {
  /**
   * What the stack's named resources are called; empty (default) uses the stack's name. bin/app.ts
   * also names the stack after it, so two stacks with different names share no physical name.
   */
  name: string;
  /** Name of the Firehose delivery stream; empty (default) uses `name`. */
  streamName: string;
  /**
   * Name of the state machine; empty (default) uses `name`. Known at synth time so its role can name
   * its own ARN (Distributed Map children).
   */
  stateMachineName: string;
  /** Firehose S3 buffering size in MiB (1–128, Firehose limit). */
  bufferingSizeMiB: number;
  /** Firehose S3 buffering interval in seconds (0–900, Firehose limit). */
  bufferingIntervalSeconds: number;
  /** Compression of the delivered S3 objects. */
  compression: CompressionSetting;
  /** SSE-S3 (default), or one customer managed KMS key for the three buckets and the delivery stream. */
  encryption: BucketEncryptionSetting;
  /**
   * Default Distributed Map MaxConcurrency when the execution input does not set it. Half of a new
   * account's Lambda concurrency (NEW_ACCOUNT_LAMBDA_CONCURRENCY): each child runs one PutBatch, and
   * the account's other functions (and a duplicate child start) need the rest. Raise it with the quota.
   */
  maxConcurrency: number;
  /** Default number of re-queue rounds after the first round. */
  requeueRounds: number;
  /** Days the run artefacts (`runs/`, `map-results/`) are kept in the artifact bucket. */
  artifactRetentionDays: number;
  /** Days the Lambda, state machine and Firehose log groups keep their events (a CloudWatch Logs retention value). */
  logRetentionDays: number;
  /** `retain` (default) keeps buckets and logs on stack deletion; `destroy` empties and deletes them (dev). */
  removalPolicy: RemovalSetting;
  /** CloudWatch namespace of the custom metrics AdvanceRound publishes. */
  metricsNamespace: string;
  /** Step Functions log level. */
  stateMachineLogLevel: StateMachineLogLevel;
  /** Powertools log level of the functions. */
  functionLogLevel: FunctionLogLevel;
  /** Write S3 server access logs of the three buckets to a fourth bucket. */
  serverAccessLogs: boolean;
  /** Key of the generated sample in the source bucket; the default source of an execution input `{}`. */
  sampleKey: string;
  /** Records in the generated sample. */
  sampleRecords: number;
  /** SNS topic ARN the alarms notify; empty for alarms without actions. */
  alarmTopicArn: string;
  /**
   * The stream's Direct PUT quota, stated. 0 (the default) leaves it to be found: each run reads the
   * stream's RecordsPerSecondLimit, BytesPerSecondLimit and PutRequestsPerSecondLimit metrics (the
   * region's default quota when there is no datapoint) and paces to it. A stated value overrides what
   * is found; stating a quota lower than the real one only slows loads down.
   */
  streamRecordsPerSecond: number;
  streamBytesPerSecond: number;
  streamRequestsPerSecond: number;
}

export const DEFAULT_SETTINGS: Readonly<LoaderSettings> = Object.freeze({
  name: '',
  streamName: '',
  stateMachineName: '',
  bufferingSizeMiB: 5,
  bufferingIntervalSeconds: 60,
  compression: 'NONE',
  encryption: 'SSE_S3',
  maxConcurrency: 5,
  requeueRounds: 3,
  artifactRetentionDays: 14,
  logRetentionDays: 30,
  removalPolicy: 'retain',
  metricsNamespace: DEFAULT_METRICS_NAMESPACE,
  stateMachineLogLevel: 'ALL',
  functionLogLevel: 'INFO',
  serverAccessLogs: false,
  sampleKey: 'samples/sample_records.json',
  sampleRecords: 2_550,
  alarmTopicArn: '',
  streamRecordsPerSecond: 0,
  streamBytesPerSecond: 0,
  streamRequestsPerSecond: 0,
});

/** Context keys are `firehose-loader:<setting>`, so they cannot clash with CDK feature flags. */
export const CONTEXT_PREFIX = 'firehose-loader:';
/** Context keys of the app itself, not stack settings: `nag` (false skips cdk-nag in bin/app.ts). */
export const APP_CONTEXT_KEYS: readonly string[] = ['nag'];

// Firehose S3 destination: BufferingHints SizeInMBs 1–128, IntervalInSeconds 0–900 (Firehose API reference).
const BUFFERING_SIZE_MIB = { min: 1, max: 128 };
const BUFFERING_INTERVAL_SECONDS = { min: 0, max: 900 };
// Firehose CreateDeliveryStream: DeliveryStreamName is 1–64 characters of [a-zA-Z0-9_.-].
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
// Step Functions CreateStateMachine: name is 1–80 characters; this keeps to the safe subset.
const STATE_MACHINE_NAME = /^[a-zA-Z0-9_-]{1,80}$/;
// CloudFormation stack names start with a letter and hold letters, digits and hyphens; 64 at most
// so the name also fits a delivery stream name (Firehose: 64 characters).
const NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
/** The stack name bin/app.ts uses when the `name` setting is empty. */
export const DEFAULT_STACK_NAME = 'FirehoseLoader';
// CloudWatch PutMetricData: Namespace up to 255 characters, may not start with "AWS/".
const METRICS_NAMESPACE = /^(?!AWS\/)[a-zA-Z0-9._#:/-]{1,255}$/;

const COMPRESSIONS: readonly CompressionSetting[] = ['NONE', 'GZIP', 'SNAPPY', 'HADOOP_SNAPPY', 'ZIP'];
const ENCRYPTIONS: readonly BucketEncryptionSetting[] = ['SSE_S3', 'KMS'];
const REMOVALS: readonly RemovalSetting[] = ['retain', 'destroy'];
const SFN_LOG_LEVELS: readonly StateMachineLogLevel[] = ['ALL', 'ERROR'];
const FN_LOG_LEVELS: readonly FunctionLogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

type SettingKey = keyof LoaderSettings;
type Parser<K extends SettingKey> = (name: K, raw: unknown) => LoaderSettings[K];

/** Reads every `firehose-loader:*` context value that is set; values from `-c` arrive as strings. */
export function settingsFromContext(node: Node): Partial<LoaderSettings> {
  // A misspelt key would otherwise be silently ignored and the default used.
  const known = new Set([...Object.keys(DEFAULT_SETTINGS), ...APP_CONTEXT_KEYS]);
  const all = node.getAllContext() as Record<string, unknown>;
  for (const key of Object.keys(all)) {
    if (key.startsWith(CONTEXT_PREFIX) && !known.has(key.slice(CONTEXT_PREFIX.length))) {
      throw new Error(`unknown context key "${key}"; settings are ${[...known].join(', ')}`);
    }
  }
  const found: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_SETTINGS) as SettingKey[]) {
    const value: unknown = node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
    if (value !== undefined) found[key] = value;
  }
  return parseSettings(found);
}

/** Defaults, then the given values; every value is checked and a bad one names its setting. */
export function resolveSettings(...layers: Partial<LoaderSettings>[]): LoaderSettings {
  const merged: LoaderSettings = { ...DEFAULT_SETTINGS };
  for (const layer of layers) Object.assign(merged, stripUndefined(layer));
  return parseSettings(Object.fromEntries(Object.entries(merged))) as LoaderSettings;
}

export function removalPolicyOf(setting: RemovalSetting): RemovalPolicy {
  return setting === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

export function retentionDaysOf(days: number): RetentionDays {
  const match = (Object.values(RetentionDays) as unknown[]).find((v) => v === days);
  if (match === undefined) throw settingError('logRetentionDays', 'a CloudWatch Logs retention value', days);
  return match as RetentionDays;
}

function parseSettings(raw: Record<string, unknown>): Partial<LoaderSettings> {
  const parsers: { [K in SettingKey]: Parser<K> } = {
    name: (n, v) => optional(n, v, NAME),
    streamName: (n, v) => optional(n, v, STREAM_NAME),
    stateMachineName: (n, v) => optional(n, v, STATE_MACHINE_NAME),
    bufferingSizeMiB: (n, v) => integer(n, v, BUFFERING_SIZE_MIB),
    bufferingIntervalSeconds: (n, v) => integer(n, v, BUFFERING_INTERVAL_SECONDS),
    compression: (n, v) => oneOf(n, v, COMPRESSIONS),
    encryption: (n, v) => oneOf(n, v, ENCRYPTIONS),
    maxConcurrency: (n, v) => integer(n, v, RUN_SETTING_RANGES.maxConcurrency),
    requeueRounds: (n, v) => integer(n, v, RUN_SETTING_RANGES.requeueRounds),
    // S3 lifecycle Expiration Days must be a positive integer.
    artifactRetentionDays: (n, v) => integer(n, v, { min: 1, max: 36_500 }),
    logRetentionDays: (n, v) => {
      const days = integer(n, v, { min: 1, max: 3_653 });
      retentionDaysOf(days);
      return days;
    },
    removalPolicy: (n, v) => oneOf(n, v, REMOVALS),
    metricsNamespace: (n, v) => matching(n, v, METRICS_NAMESPACE),
    stateMachineLogLevel: (n, v) => oneOf(n, v, SFN_LOG_LEVELS),
    functionLogLevel: (n, v) => oneOf(n, v, FN_LOG_LEVELS),
    serverAccessLogs: (n, v) => bool(n, v),
    sampleKey: (n, v) => matching(n, v, /^[^/].{0,1023}$/),
    sampleRecords: (n, v) => integer(n, v, { min: 1, max: 1_000_000 }),
    alarmTopicArn: (n, v) => matching(n, v, /^(arn:[^:]+:sns:[^:]+:\d{12}:[\w-]+)?$/),
    streamRecordsPerSecond: (n, v) => integer(n, v, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    streamBytesPerSecond: (n, v) => integer(n, v, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    streamRequestsPerSecond: (n, v) => integer(n, v, { min: 0, max: Number.MAX_SAFE_INTEGER }),
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in parsers)) throw new Error(`unknown firehose-loader setting "${key}"`);
    const parse = parsers[key as SettingKey] as Parser<SettingKey>;
    out[key] = parse(key as SettingKey, value);
  }
  return out as Partial<LoaderSettings>;
}

/**
 * The physical names of the stack's named resources: the setting if given, else `name`, else the
 * stack's name. Nothing retained on delete carries one of these alone (see LoaderStateMachine).
 */
export function physicalNamesOf(
  settings: Pick<LoaderSettings, 'name' | 'streamName' | 'stateMachineName'>,
  stackName: string,
): { streamName: string; stateMachineName: string } {
  const name = settings.name || stackName;
  const streamName = settings.streamName || name;
  const stateMachineName = settings.stateMachineName || name;
  // A stack name may be longer than the resources allow: say which setting fixes it.
  if (!STREAM_NAME.test(streamName))
    throw settingError(
      'streamName',
      `set to a name matching ${STREAM_NAME} (the stack's name does not fit)`,
      streamName,
    );
  if (!STATE_MACHINE_NAME.test(stateMachineName))
    throw settingError(
      'stateMachineName',
      `set to a name matching ${STATE_MACHINE_NAME} (the stack's name does not fit)`,
      stateMachineName,
    );
  return { streamName, stateMachineName };
}

function optional(name: SettingKey, raw: unknown, pattern: RegExp): string {
  return raw === '' ? '' : matching(name, raw, pattern);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function integer(name: SettingKey, raw: unknown, range: { min: number; max: number }): number {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw settingError(name, `a whole number from ${range.min} to ${range.max}`, raw);
  }
  return value;
}

function bool(name: SettingKey, raw: unknown): boolean {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw settingError(name, 'true or false', raw);
}

function oneOf<T extends string>(name: SettingKey, raw: unknown, allowed: readonly T[]): T {
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw settingError(name, `one of ${allowed.join(', ')}`, raw);
  }
  return raw as T;
}

function matching(name: SettingKey, raw: unknown, pattern: RegExp): string {
  if (typeof raw !== 'string' || !pattern.test(raw))
    throw settingError(name, `a string matching ${pattern}`, raw);
  return raw;
}

function settingError(name: SettingKey, expected: string, got: unknown): Error {
  return new Error(`setting ${CONTEXT_PREFIX}${name} must be ${expected}, got ${JSON.stringify(got)}`);
}
