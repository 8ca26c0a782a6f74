/** A call's own accepted share is a sample worth heeding only with this many entries. */
export const CALL_SHARE_MIN_ENTRIES = 100;

export interface CallResult {
  /** Entries the call (and its retries) sent, and how many of them were throttled. */
  entries: number;
  throttled: number;
  /** Payload bytes the call carried and those of its throttled entries, when known. */
  bytes?: number;
  throttledBytes?: number;
}

interface Recent extends CallResult {
  atMs: number;
}

/**
 * The answers an environment had over the last `spanMs` (one quota window): what decides how deep a
 * cut goes (the share accepted) and whether a throttle was only a sliver of clean traffic (jitter).
 */
export class AnswerWindow {
  private recent: Recent[] = [];

  constructor(private readonly spanMs: number) {}

  /** Adds an answer received at `nowMs` and forgets those older than the span. */
  add(result: CallResult, nowMs: number): void {
    // Every call is recorded (PutRecord one by one: hundreds a second), so no copy of the window per call.
    this.recent.push({ ...result, atMs: nowMs });
    while (this.recent.length > 0 && nowMs - (this.recent[0]?.atMs ?? nowMs) >= this.spanMs) {
      this.recent.shift();
    }
  }

  /** Starts afresh: answers to calls sent at a rate since replaced say nothing of the new one. */
  clear(): void {
    this.recent = [];
  }

  /** Share of the window's entries accepted; 1 when empty. */
  acceptedShare(): number {
    const entries = this.recent.reduce((total, r) => total + r.entries, 0);
    const throttled = this.recent.reduce((total, r) => total + r.throttled, 0);
    return entries > 0 ? 1 - throttled / entries : 1;
  }

  /** Whether the window's throttled share is under `share` by entries and by bytes alike. */
  isSliver(share: number): boolean {
    return 1 - this.acceptedShare() < share && this.throttledBytesShare() < share;
  }

  /** Share of the window's bytes throttled; 1 when calls did not say their bytes (no evidence of a sliver). */
  throttledBytesShare(): number {
    let bytes = 0;
    let throttled = 0;
    for (const r of this.recent) {
      if (r.bytes === undefined || r.throttledBytes === undefined) return 1;
      bytes += r.bytes;
      throttled += r.throttledBytes;
    }
    return bytes > 0 ? throttled / bytes : 1;
  }
}

/** A call's own accepted share, or 1 for a call too small to be a sample (a 4 MiB chunk of a few entries). */
export function callAcceptedShare(result: CallResult): number {
  return result.entries >= CALL_SHARE_MIN_ENTRIES ? 1 - result.throttled / result.entries : 1;
}
