import type { ChunkStatus } from './types';

/**
 * Where each chunk's cell is on the grid canvas, and which cell a point is on: pure arithmetic, so a
 * 20,000-chunk round costs one division per mouse move instead of a DOM element per chunk.
 */
export interface GridLayout {
  columns: number;
  rows: number;
  cell: number;
  gap: number;
  width: number;
  height: number;
}

export function gridLayout(count: number, widthPx: number, cell = 12, gap = 2): GridLayout {
  const pitch = cell + gap;
  const columns = Math.max(1, Math.floor((widthPx + gap) / pitch));
  const rows = Math.ceil(count / columns);
  return { columns, rows, cell, gap, width: columns * pitch - gap, height: Math.max(0, rows * pitch - gap) };
}

export function cellOrigin(layout: GridLayout, index: number): { x: number; y: number } {
  const pitch = layout.cell + layout.gap;
  return { x: (index % layout.columns) * pitch, y: Math.floor(index / layout.columns) * pitch };
}

/** The index of the cell under (x, y), or -1 on a gap or past the last cell. */
export function cellAt(layout: GridLayout, count: number, x: number, y: number): number {
  const pitch = layout.cell + layout.gap;
  if (x < 0 || y < 0 || x % pitch >= layout.cell || y % pitch >= layout.cell) return -1;
  const column = Math.floor(x / pitch);
  const index = Math.floor(y / pitch) * layout.columns + column;
  return column < layout.columns && index < count ? index : -1;
}

export const STATUS_COLOURS: Record<ChunkStatus, string> = {
  delivered: '#2e9d5b',
  requeued: '#e0a030',
  deadLettered: '#c62828',
  failed: '#8e44ad',
  running: '#2f7fd0',
  pending: '#c8ccd2',
};

export const STATUS_LABELS: Record<ChunkStatus, string> = {
  delivered: 'delivered',
  requeued: 'some entries re-queued',
  deadLettered: 'dead-lettered',
  failed: 'failed (sent again whole)',
  running: 'running',
  pending: 'not started',
};
