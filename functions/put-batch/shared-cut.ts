/**
 * What a cut leaves of the rate, shared by every environment of a Map run (shared-rate.ts): the schedule
 * (rate and anchor) and where the climb back aims. An environment that adopts it sends on the same
 * schedule as the one that cut, instead of keeping the rate it had until its own calls are throttled.
 */
export interface SharedCut {
  /** When the cut was made (epoch ms). */
  atMs: number;
  rate: number;
  anchorWallMs: number;
  anchorOffsetMs: number;
  throttledRate: number;
  cutRate: number;
  recoverTo: number;
  episode?: { throttledRate: number; recoverTo: number; atMs: number };
}

/** Cuts compared by value: `lastCut` may hand out a copy. */
export function sameCut(a: SharedCut | undefined, b: SharedCut | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.atMs === b.atMs &&
    a.rate === b.rate &&
    a.anchorWallMs === b.anchorWallMs &&
    a.anchorOffsetMs === b.anchorOffsetMs
  );
}
