import { DEFAULT_QUOTAS, type FaultSettings, type FirehoseQuotas } from '@firehose-loader/local-services';

const mib = (bytes: number) =>
  `${(bytes / (1024 * 1024)).toLocaleString('en-US', { maximumFractionDigits: 2 })} MiB/s`;
const n = (value: number) => Math.floor(value).toLocaleString('en-US');

const sameAs = (a: FirehoseQuotas, b: FirehoseQuotas) =>
  a.bytesPerSecond === b.bytesPerSecond &&
  a.requestsPerSecond === b.requestsPerSecond &&
  a.recordsPerSecond === b.recordsPerSecond;

/**
 * Why a local run may be throttled, said when throttling starts: the local stream's quota (AWS's
 * default Direct PUT quota unless changed, Firehose quotas page) and the options that change it, and
 * injected faults when there are any.
 */
export function describeThrottling(
  quotas: Partial<FirehoseQuotas> = {},
  faults: Partial<FaultSettings> = {},
) {
  const quota = { ...DEFAULT_QUOTAS, ...quotas };
  const which = sameAs(quota, DEFAULT_QUOTAS) ? ", AWS's default" : '';
  const entries =
    (faults.entryFailureRate ?? 0) > 0 &&
    (faults.entryErrorCode ?? 'ServiceUnavailableException') === 'ServiceUnavailableException';
  const requests = (faults.requestErrorRate ?? 0) > 0 && (faults.requestErrorStatus ?? 503) === 503;
  const injected = [
    entries ? `--fault-rate ${faults.entryFailureRate} refuses entries` : '',
    requests ? `--request-error-rate ${faults.requestErrorRate} refuses whole requests` : '',
  ].filter(Boolean);
  const also = injected.length ? `; and ${injected.join(', ')} the same way` : '';
  return (
    `the local stream's quota is ${mib(quota.bytesPerSecond)}, ${n(quota.requestsPerSecond)} requests/s, ` +
    `${n(quota.recordsPerSecond)} records/s${which} (change it with --quota-preset, --bytes-per-second, ` +
    `--requests-per-second or --records-per-second)${also}`
  );
}
