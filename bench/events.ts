import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a run's time went, from the StateEntered/StateExited timestamps of `<runDir>/events.jsonl`. */
export interface PhaseTimes {
  /** Milliseconds per top-level state name, summed over its visits (rounds). */
  byState: Record<string, number>;
  visits: Record<string, number>;
  /** First StateEntered of LoadChunks* to the last StateExited of LoadChunks*: the loading window. */
  loadWindowMs: number;
  executionMs: number;
}

interface EventLine {
  type: string;
  timestamp: number;
  index?: number;
  state?: { name: string };
}

export async function phaseTimes(runDir: string): Promise<PhaseTimes> {
  const text = await readFile(join(runDir, 'events.jsonl'), 'utf8');
  const byState: Record<string, number> = {};
  const visits: Record<string, number> = {};
  const entered = new Map<string, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let loadStart = Number.POSITIVE_INFINITY;
  let loadEnd = 0;
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const event = JSON.parse(raw) as EventLine;
    first = Math.min(first, event.timestamp);
    last = Math.max(last, event.timestamp);
    // Only top-level states: Map iterations carry an index, their branches a ParallelBranch type.
    const name = event.state?.name;
    if (!name || event.index !== undefined) continue;
    if (event.type === 'StateEntered') {
      entered.set(name, event.timestamp);
      if (name.startsWith('LoadChunks')) loadStart = Math.min(loadStart, event.timestamp);
    } else if (event.type === 'StateExited') {
      const start = entered.get(name);
      if (start === undefined) continue;
      byState[name] = (byState[name] ?? 0) + (event.timestamp - start);
      visits[name] = (visits[name] ?? 0) + 1;
      entered.delete(name);
      if (name.startsWith('LoadChunks')) loadEnd = Math.max(loadEnd, event.timestamp);
    }
  }
  return {
    byState,
    visits,
    loadWindowMs: loadEnd > loadStart ? loadEnd - loadStart : 0,
    executionMs: last > first ? last - first : 0,
  };
}
