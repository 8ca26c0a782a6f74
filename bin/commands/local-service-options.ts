import { DEFAULT_QUOTAS, type FaultSettings, type FirehoseQuotas } from '@firehose-loader/local-services';
import { type Command, Option } from 'commander';
import { LARGE_REGION_QUOTA, SMALL_REGION_QUOTA } from '../../functions/shared/quota/quota';
import { oneOf, rate, wholeNumber } from './options';

/**
 * The fault and quota options of the local services, defined once for `run` and for
 * `npm run local:services` (bin/local-services.ts). Each is also read from an environment variable,
 * so any client can be tested under faults without changing how the services are started.
 */

// Direct PUT quotas per stream (Firehose quotas page): us-east-1, us-west-2 and eu-west-1, and the rest;
// the same the job assumes for a region when CloudWatch has no datapoint.
export const QUOTA_PRESETS = {
  'large-region': LARGE_REGION_QUOTA,
  'small-region': SMALL_REGION_QUOTA,
} as const satisfies Record<string, FirehoseQuotas>;
export type QuotaPreset = keyof typeof QUOTA_PRESETS;

// The local Firehose's fault settings, as the options spell them; checked against its types.
const FAULT_CODES = [
  'ServiceUnavailableException',
  'InternalFailure',
] as const satisfies readonly FaultSettings['entryErrorCode'][];
const REQUEST_ERROR_STATUSES = [
  '500',
  '503',
] as const satisfies readonly `${FaultSettings['requestErrorStatus']}`[];

/** What commander gives back for these options (camelCase of the flags). */
export interface LocalServiceOptionValues {
  faultRate?: number;
  faultCode?: FaultSettings['entryErrorCode'];
  requestErrorRate?: number;
  requestErrorStatus?: (typeof REQUEST_ERROR_STATUSES)[number];
  latencyMs?: number;
  s3GetErrorRate?: number;
  quotaPreset?: QuotaPreset;
  recordsPerSecond?: number;
  throttleRps?: number;
  bytesPerSecond?: number;
  requestsPerSecond?: number;
  metricsDelayMs?: number;
  streamCreatingMs?: number;
}

export interface LocalServiceSettings {
  faults: Partial<FaultSettings>;
  quotas: Partial<FirehoseQuotas>;
  metricPublishDelayMs?: number;
  streamCreatingMs?: number;
}

const MAX_RATE = Number.MAX_SAFE_INTEGER;

function option(flags: string, description: string, env: string, parse: (raw: string) => unknown): Option {
  return new Option(flags, description).env(env).argParser(parse);
}

/** Adds the options to a command; `run` and `local:services` both call this. */
// Over 60 lines on purpose: a flat list of option declarations (flag, help, env var, parser), no logic.
export function addLocalServiceOptions(command: Command): Command {
  const options = [
    option(
      '--fault-rate <r>',
      'local Firehose: probability from 0 to 1 that an entry fails (default: 0)',
      'LOCAL_FAULT_RATE',
      rate('--fault-rate'),
    ),
    option(
      '--fault-code <code>',
      'local Firehose: error code of failed entries, ServiceUnavailableException ("Slow down.", the default) or InternalFailure',
      'LOCAL_FAULT_CODE',
      oneOf('--fault-code', FAULT_CODES),
    ),
    option(
      '--request-error-rate <r>',
      'local Firehose: probability from 0 to 1 that a whole request fails (default: 0)',
      'LOCAL_REQUEST_ERROR_RATE',
      rate('--request-error-rate'),
    ),
    option(
      '--request-error-status <status>',
      'local Firehose: 503 "Slow down." (default) or 500 InternalFailure for failed requests',
      'LOCAL_REQUEST_ERROR_STATUS',
      oneOf('--request-error-status', REQUEST_ERROR_STATUSES),
    ),
    option(
      '--latency-ms <n>',
      'local Firehose: added latency per request in ms, from 0 to 60,000 (default: 0)',
      'LOCAL_LATENCY_MS',
      wholeNumber('--latency-ms', 0, 60_000),
    ),
    option(
      '--s3-get-error-rate <r>',
      'local S3: probability from 0 to 1 that a GetObject answers 500 InternalError (default: 0)',
      'LOCAL_S3_GET_ERROR_RATE',
      rate('--s3-get-error-rate'),
    ),
    option(
      '--quota-preset <preset>',
      'local Firehose stream quota: large-region (5 MiB/s, 2,000 requests/s, 500,000 records/s; the default) or small-region (1 MiB/s, 1,000 requests/s, 100,000 records/s)',
      'LOCAL_QUOTA_PRESET',
      oneOf('--quota-preset', Object.keys(QUOTA_PRESETS) as QuotaPreset[]),
    ),
    option(
      '--records-per-second <n>',
      'local Firehose: records-per-second quota per stream, a whole number of at least 1 (default: from --quota-preset, 500,000)',
      'LOCAL_RECORDS_PER_SECOND',
      wholeNumber('--records-per-second', 1, MAX_RATE),
    ).conflicts('throttleRps'),
    option(
      '--throttle-rps <n>',
      'the same as --records-per-second, a whole number of at least 1 (default: from --quota-preset, 500,000)',
      'LOCAL_THROTTLE_RPS',
      wholeNumber('--throttle-rps', 1, MAX_RATE),
    ),
    option(
      '--bytes-per-second <n>',
      'local Firehose: bytes-per-second quota per stream, a whole number of at least 1 (default: from --quota-preset, 5,242,880)',
      'LOCAL_BYTES_PER_SECOND',
      wholeNumber('--bytes-per-second', 1, MAX_RATE),
    ),
    option(
      '--requests-per-second <n>',
      'local Firehose: put-requests-per-second quota per stream, a whole number of at least 1 (default: from --quota-preset, 2,000)',
      'LOCAL_REQUESTS_PER_SECOND',
      wholeNumber('--requests-per-second', 1, MAX_RATE),
    ),
    option(
      '--metrics-delay-ms <n>',
      'local CloudWatch: datapoints become readable this many ms after they are put (AWS: a minute or more), from 0 to 3,600,000 (default: 0)',
      'LOCAL_METRICS_DELAY_MS',
      wholeNumber('--metrics-delay-ms', 0, 3_600_000),
    ),
    option(
      '--stream-creating-ms <n>',
      'local Firehose: a new stream is CREATING this many ms before ACTIVE, from 0 to 3,600,000 (default: 250)',
      'LOCAL_STREAM_CREATING_MS',
      wholeNumber('--stream-creating-ms', 0, 3_600_000),
    ),
  ];
  for (const each of options) command.addOption(each);
  return command;
}

/** The settings the options ask for: a preset first, then each quota given on its own over it. */
export function localServiceSettings(values: LocalServiceOptionValues): LocalServiceSettings {
  const preset = values.quotaPreset ? QUOTA_PRESETS[values.quotaPreset] : {};
  const records = values.recordsPerSecond ?? values.throttleRps;
  const quotas: Partial<FirehoseQuotas> = {
    ...preset,
    ...(records !== undefined ? { recordsPerSecond: records } : {}),
    ...(values.bytesPerSecond !== undefined ? { bytesPerSecond: values.bytesPerSecond } : {}),
    ...(values.requestsPerSecond !== undefined ? { requestsPerSecond: values.requestsPerSecond } : {}),
  };
  const faults: Partial<FaultSettings> = {
    ...(values.faultRate !== undefined ? { entryFailureRate: values.faultRate } : {}),
    ...(values.faultCode ? { entryErrorCode: values.faultCode } : {}),
    ...(values.requestErrorRate !== undefined ? { requestErrorRate: values.requestErrorRate } : {}),
    ...(values.requestErrorStatus
      ? { requestErrorStatus: Number(values.requestErrorStatus) as FaultSettings['requestErrorStatus'] }
      : {}),
    ...(values.latencyMs !== undefined ? { latencyMs: values.latencyMs } : {}),
    ...(values.s3GetErrorRate !== undefined ? { s3GetErrorRate: values.s3GetErrorRate } : {}),
  };
  return {
    faults,
    quotas,
    ...(values.metricsDelayMs !== undefined ? { metricPublishDelayMs: values.metricsDelayMs } : {}),
    ...(values.streamCreatingMs !== undefined ? { streamCreatingMs: values.streamCreatingMs } : {}),
  };
}

const n = (value: number) => value.toLocaleString('en-US');

/** The settings in a line a person can check (printed by local:services at start). */
export function describeSettings(settings: LocalServiceSettings): string {
  const quotas = { ...DEFAULT_QUOTAS, ...settings.quotas };
  const faults = Object.entries(settings.faults)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return (
    `Firehose quota per stream: ${n(quotas.bytesPerSecond)} bytes/s, ${n(quotas.requestsPerSecond)} requests/s, ` +
    `${n(quotas.recordsPerSecond)} records/s; faults: ${faults || 'none'}; metrics delay: ` +
    `${n(settings.metricPublishDelayMs ?? 0)} ms`
  );
}
