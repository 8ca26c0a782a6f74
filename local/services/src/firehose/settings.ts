/** What tests and runs tune on local Firehose: per-stream quotas and seeded fault injection. */

export interface FirehoseQuotas {
  recordsPerSecond: number;
  requestsPerSecond: number;
  bytesPerSecond: number;
  /**
   * Tests: the quota clock moves by this many ms per PutRecord(Batch) request instead of with real
   * time, so throttling is the same on any machine (2,000 records/s at 50 ms per request: 100 records
   * of quota come back with each request).
   */
  msPerRequest?: number;
}

export interface FaultSettings {
  entryFailureRate: number;
  entryErrorCode: 'ServiceUnavailableException' | 'InternalFailure';
  requestErrorRate: number;
  requestErrorStatus: 500 | 503;
  latencyMs: number;
  seed: number;
}

/**
 * Direct PUT quota per stream in us-east-1, us-west-2 and eu-west-1 (Firehose quotas page). Other
 * regions get 100,000 records/s, 1,000 requests/s and 1 MiB/s; local runs use the large-region values
 * so they are not slowed down, and tests set tighter ones with `quotas`/setQuotas.
 */
export const DEFAULT_QUOTAS: FirehoseQuotas = {
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
  bytesPerSecond: 5 * 1024 * 1024,
};

export const DEFAULT_FAULTS: FaultSettings = {
  entryFailureRate: 0,
  entryErrorCode: 'ServiceUnavailableException',
  requestErrorRate: 0,
  requestErrorStatus: 503,
  latencyMs: 0,
  seed: 1,
};

/**
 * How long a new stream stays CREATING. AWS takes tens of seconds; a few hundred milliseconds is enough
 * to make a caller that does not wait for ACTIVE fail here as it would there.
 */
export const DEFAULT_STREAM_CREATING_MS = 250;
