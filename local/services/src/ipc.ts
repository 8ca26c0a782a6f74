import type { FaultSettings, FirehoseQuotas, LocalServicesOptions } from './local-services';

/** Messages between process.ts (the parent) and child.ts; every request carries an id its reply repeats. */
export type ParentMessage = { id: number } & (
  | { op: 'start'; options: LocalServicesOptions }
  | { op: 'setFaults'; faults: Partial<FaultSettings> }
  | { op: 'setQuotas'; quotas: Partial<FirehoseQuotas> }
  | { op: 'flush' }
  | { op: 'putFile'; bucket: string; key: string; file: string }
  | { op: 'stop' }
);

export type ChildReply =
  | { id: number; ok: true; endpoint?: string; port?: number; etag?: string }
  | { id: number; ok: false; error: string; errorName?: string };
