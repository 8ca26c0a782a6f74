/**
 * Calls `work` again when `poke` is called, at most once per `gapMs` after the last call ended, and
 * never two at once; the last poke in a gap is not lost.
 */
export function throttled(work: () => Promise<void>, gapMs: number): { poke: () => void; stop: () => void } {
  let busy = false;
  let wanted = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = async () => {
    timer = undefined;
    if (stopped) return;
    busy = true;
    wanted = false;
    await work().catch(() => undefined);
    busy = false;
    if (wanted && !stopped) timer = setTimeout(run, gapMs);
  };
  return {
    poke() {
      wanted = true;
      if (!busy && timer === undefined) timer = setTimeout(run, gapMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
