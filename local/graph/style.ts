import type { GraphNode } from './model';
import type { GraphRunInfo, StateOutcome } from './stats';

/** What both renderers agree on: the outcome colours and the count lines of a box. */
export const PALETTE: Record<StateOutcome | 'none', { fill: string; stroke: string; label: string }> = {
  succeeded: { fill: '#e6f4ea', stroke: '#1e8e3e', label: 'succeeded' },
  failed: { fill: '#fce8e6', stroke: '#d93025', label: 'failed' },
  caught: { fill: '#fef7e0', stroke: '#e37400', label: 'caught / retried' },
  'not-run': { fill: '#f1f3f4', stroke: '#9aa0a6', label: 'not run' },
  running: { fill: '#e8f0fe', stroke: '#1a73e8', label: 'running' },
  none: { fill: '#ffffff', stroke: '#5f6368', label: '' },
};

export function countLines(node: GraphNode, run: GraphRunInfo | undefined): string[] {
  if (!run) return [];
  const s = run.states[node.name];
  if (!s || s.entered === 0) return ['not run'];
  const first = [`entered ${s.entered}`];
  if (s.succeeded || !(s.failed || s.caught)) first.push(`ok ${s.succeeded}`);
  if (s.failed) first.push(`failed ${s.failed}`);
  if (s.caught) first.push(`caught ${s.caught}`);
  const lines = [first.join(' · ')];
  if (s.retried) lines.push(`retried ${s.retried}`);
  if (s.iterations) lines.push(`iterations: ${s.iterations.succeeded} ok · ${s.iterations.failed} failed`);
  return lines;
}
