import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export type CpuSeconds = {
  /** This process, every thread (the engine and any handler threads, or the ceiling's sender). */
  self: number;
  /** Its child processes (the local services), or null where /proc cannot be read. */
  children: number | null;
};

// How often the children are sampled: a child's last ~0.2 s of CPU before it exits can be missed.
const SAMPLE_MS = 200;

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime (in ticks) of every live child of this process, by pid, from /proc/<pid>/stat. */
async function childTicks(): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command name, which is in parentheses and may hold spaces: state ppid ... utime stime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid) continue;
    found.set(Number(entry), Number(fields[11]) + Number(fields[12]));
  }
  return found;
}

/** Runs `work` and says how many CPU seconds this process and its children spent on it. */
export async function measureCpu<T>(work: () => Promise<T>): Promise<{ result: T; cpu: CpuSeconds }> {
  const readable = await readdir('/proc').then(
    () => true,
    () => false,
  );
  const before = readable ? await childTicks() : new Map<number, number>();
  const latest = new Map(before);
  let sampling = Promise.resolve();
  const timer = readable
    ? setInterval(() => {
        sampling = sampling.then(async () => {
          for (const [pid, ticks] of await childTicks()) latest.set(pid, ticks);
        });
      }, SAMPLE_MS)
    : undefined;
  const start = process.cpuUsage();
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
    await sampling;
  }
  const used = process.cpuUsage(start);
  if (readable) for (const [pid, ticks] of await childTicks()) latest.set(pid, ticks);
  const ticks = [...latest].reduce((sum, [pid, now]) => sum + now - (before.get(pid) ?? 0), 0);
  return {
    result,
    cpu: { self: (used.user + used.system) / 1e6, children: readable ? ticks / clockTicks : null },
  };
}
