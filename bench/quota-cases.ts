import type { FirehoseQuotas } from '@firehose-loader/local-services';
import { mockFile } from './data';
import { irregularFile, tinyRecordsFile } from './quota-data';
import type { BenchContext } from './types';

/** The quota section's cases: each sets only the local stream's quota, so that the quota binds. */

export const MiB = 1024 * 1024;
const LARGE: FirehoseQuotas = {
  bytesPerSecond: 5 * MiB,
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
};
const SMALL: FirehoseQuotas = { bytesPerSecond: MiB, recordsPerSecond: 100_000, requestsPerSecond: 1_000 };
// High enough that the local Firehose never throttles: what this machine pushes without a quota.
export const UNTHROTTLED: FirehoseQuotas = {
  bytesPerSecond: 10 * 1024 ** 3,
  recordsPerSecond: 10_000_000,
  requestsPerSecond: 1_000_000,
};
export type Binding = 'bytes' | 'records' | 'requests';

export interface QuotaCase {
  id: string;
  title: string;
  quotas: FirehoseQuotas;
  binds: Binding;
  input(ctx: BenchContext): Promise<string>;
  individualRecords?: number;
  maxConcurrency?: number;
  /** Bytes/s a second writer takes from the same stream while the job runs. */
  secondWriter?: number;
}

/** Record counts sized so that the quota-bound time is >= 30 s (about 35 s) in a full run. */
export function cases(quick: boolean): QuotaCase[] {
  const scale = (n: number) => (quick ? Math.round(n / 6) : n);
  const web = (count: number) => (ctx: BenchContext) => mockFile(ctx, scale(count), 'jsonl');
  return [
    {
      id: 'bytes-5mib',
      title: 'bytes-bound, 5 MiB/s (large-region default)',
      quotas: LARGE,
      binds: 'bytes',
      input: web(640_000),
    },
    {
      id: 'bytes-1mib',
      title: 'bytes-bound, 1 MiB/s (small-region default)',
      quotas: SMALL,
      binds: 'bytes',
      input: web(128_000),
    },
    {
      id: 'records-20k',
      title: 'records-bound, tiny records at 20,000 records/s',
      quotas: { ...LARGE, recordsPerSecond: 20_000 },
      binds: 'records',
      input: (ctx) => tinyRecordsFile(ctx, scale(720_000)),
    },
    {
      id: 'requests-500',
      title: 'requests-bound, PutRecord per record at 500 requests/s',
      quotas: { ...LARGE, requestsPerSecond: 500 },
      binds: 'requests',
      input: web(17_500),
      individualRecords: Number.MAX_SAFE_INTEGER,
      // Each 500-record individual chunk costs a second of quota; 8 in flight keep every wait short.
      maxConcurrency: 8,
    },
    {
      id: 'irregular',
      title: 'irregular: a ~3.9 MiB chunk every tenth chunk, the rest small, at 5 MiB/s',
      quotas: LARGE,
      binds: 'bytes',
      input: (ctx) => irregularFile(ctx, quick ? 6 : 36),
    },
    {
      id: 'shared',
      title: 'shared: 5 MiB/s with a second writer taking half',
      quotas: LARGE,
      binds: 'bytes',
      input: web(320_000),
      secondWriter: 2.5 * MiB,
    },
  ];
}

/** The case ids (`npm run bench -- --only quota --case bytes-1mib` runs one). */
export function quotaCaseIds(): string[] {
  return cases(false).map((c) => c.id);
}

/** The per-second limit of the quota that binds in a case. */
export function bindingLimit(c: QuotaCase): number {
  const { quotas } = c;
  return c.binds === 'bytes'
    ? quotas.bytesPerSecond
    : c.binds === 'records'
      ? quotas.recordsPerSecond
      : quotas.requestsPerSecond;
}
