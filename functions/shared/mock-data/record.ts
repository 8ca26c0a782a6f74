/** The shape of one mock web-traffic record: the scenario's three fields plus request details. */

export const AlertLevel = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

export const HttpMethod = {
  get: 'GET',
  post: 'POST',
  put: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  head: 'HEAD',
} as const;
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

/** Field names are snake_case like the scenario's sample_records.json; the order is fixed for stable bytes. */
export interface WebTrafficRecord {
  ip_address: string;
  /** Unix time in whole seconds. */
  timestamp: number;
  alert_level: AlertLevel;
  method: HttpMethod;
  path: string;
  status: number;
  /** Response body size. */
  bytes: number;
  user_agent: string;
  /** '-' for a direct visit, as in the Combined Log Format. */
  referrer: string;
  latency_ms: number;
}

/** The scenario's sample file holds 2,550 records. */
export const DEFAULT_MOCK_RECORD_COUNT = 2_550;
export const DEFAULT_MOCK_SEED = 42;
/** 2024-01-01T00:00:00Z: a fixed start, since "now" would make the output differ between runs. */
export const MOCK_START_TIMESTAMP = 1_704_067_200;
