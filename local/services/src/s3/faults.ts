import { mulberry32 } from '../prng';

/** Transient S3 read errors for fault tests: GetObject only (HEAD, PUT and listings never fail). */
export interface S3FaultSettings {
  /** Share of GetObject requests answered with 500 InternalError, from 0 to 1. */
  s3GetErrorRate: number;
  /** Only GetObject requests on these buckets fail; empty means every bucket. */
  s3GetErrorBuckets: readonly string[];
  seed: number;
}

export const DEFAULT_S3_FAULTS: S3FaultSettings = { s3GetErrorRate: 0, s3GetErrorBuckets: [], seed: 1 };

// FNV-1a, 32 bits: spreads a request's target and attempt number over the seed's stream.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Decides which GetObject requests fail. The decision depends only on the seed, the request's target
 * (bucket, key, Range) and how many times that target was asked for before, never on the order in which
 * concurrent requests arrive: a run with a fixed run id fails the same reads every time.
 */
export class S3ReadFaults {
  private settings: S3FaultSettings;
  private readonly asked = new Map<string, number>();

  constructor(faults: Partial<S3FaultSettings>) {
    this.settings = { ...DEFAULT_S3_FAULTS, ...faults };
  }

  set(faults: Partial<S3FaultSettings>): void {
    this.settings = { ...this.settings, ...faults };
    if (faults.seed !== undefined) this.asked.clear();
  }

  failsGet(bucket: string, key: string, range: string | undefined): boolean {
    const { s3GetErrorRate: rate, s3GetErrorBuckets: buckets, seed } = this.settings;
    if (rate <= 0 || (buckets.length > 0 && !buckets.includes(bucket))) return false;
    const target = `${bucket}\u0000${key}\u0000${range ?? ''}`;
    const attempt = this.asked.get(target) ?? 0;
    this.asked.set(target, attempt + 1);
    return mulberry32(fnv1a(`${seed}\u0000${target}\u0000${attempt}`))() < rate;
  }
}
