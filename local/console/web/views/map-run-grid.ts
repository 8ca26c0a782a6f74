import { renderChunkPanel } from './chunk-panel';
import { el, ensureStyle, errorLine, fmt } from './el';
import {
  cellAt,
  cellOrigin,
  type GridLayout,
  gridLayout,
  STATUS_COLOURS,
  STATUS_LABELS,
} from './grid-layout';
import type { ViewSource } from './source';
import { VIEW_CSS } from './styles';
import type { ChunkRow, ChunkStatus, MapRunView, RoundView, ViewHandle } from './types';

// One closure over 60 lines: the canvas handlers, the detail panel and refresh share the rows and the
// cell under the pointer.
/**
 * The Map Run view: every chunk of every round as a cell, coloured by status. Each round is one canvas
 * drawn with a fillRect per cell (grouped by colour), and the cell under the pointer is found by
 * arithmetic, so rounds of thousands of chunks stay smooth. Clicking a cell opens its detail.
 */
export function mountMapRunGrid(host: HTMLElement, source: ViewSource): ViewHandle {
  ensureStyle('cv-styles', VIEW_CSS);
  const summary = el('div');
  const rounds = el('div');
  const panel = el('div', { class: 'cv-panel' });
  const tip = el('div', { class: 'cv-tip' });
  host.replaceChildren(summary, rounds, panel, tip);
  let view: MapRunView | undefined;
  let selected: ChunkRow | undefined;
  let loading: Promise<void> | undefined;
  let destroyed = false;

  const closePanel = () => {
    selected = undefined;
    panel.replaceChildren();
    draw();
  };
  const openChunk = (row: ChunkRow) => {
    selected = row;
    draw();
    void showChunk(panel, source, row, () => selected === row, closePanel);
  };

  const draw = () => {
    if (!view || destroyed) return;
    summary.replaceChildren(summaryLine(view));
    const width = Math.max(200, host.clientWidth || 800);
    const byRound = groupByRound(view.chunks);
    rounds.replaceChildren(
      ...view.rounds.map((round) =>
        roundSection(round, byRound.get(round.round) ?? [], width, { tip, selected, onPick: openChunk }),
      ),
    );
  };

  const refresh = () => {
    loading ??= source
      .mapRun()
      .then((next) => {
        view = next;
        draw();
      })
      .catch((error: unknown) => errorLine(summary, error))
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  const resize = typeof ResizeObserver === 'function' ? new ResizeObserver(() => draw()) : undefined;
  resize?.observe(host);
  void refresh();
  return {
    refresh,
    destroy() {
      destroyed = true;
      resize?.disconnect();
      host.replaceChildren();
    },
  };
}

/** Rows arrive round by round: one pass splits them. */
function groupByRound(chunks: readonly ChunkRow[]): Map<number, ChunkRow[]> {
  const byRound = new Map<number, ChunkRow[]>();
  for (const chunk of chunks) {
    const rows = byRound.get(chunk.round);
    if (rows) rows.push(chunk);
    else byRound.set(chunk.round, [chunk]);
  }
  return byRound;
}

/** Loads a chunk's detail into the panel, unless another chunk was picked meanwhile. */
async function showChunk(
  panel: HTMLElement,
  source: ViewSource,
  row: ChunkRow,
  stillWanted: () => boolean,
  onClose: () => void,
): Promise<void> {
  panel.replaceChildren(el('p', { class: 'cv-muted' }, `loading ${row.chunkId}…`));
  try {
    const detail = await source.chunk(row.round, row.index);
    if (stillWanted()) renderChunkPanel(panel, detail, onClose);
  } catch (error) {
    errorLine(panel, error);
  }
}

function summaryLine(view: MapRunView): HTMLElement {
  const totals: Record<string, number> = {};
  for (const round of view.rounds)
    for (const [status, count] of Object.entries(round.statuses))
      totals[status] = (totals[status] ?? 0) + count;
  const chunks = view.rounds.reduce((sum, round) => sum + round.chunks, 0);
  if (chunks === 0)
    return el(
      'p',
      { class: 'cv-muted' },
      'No chunks in the run’s artefacts (yet): the Plan step writes them; a run refused before it has none.',
    );
  return el(
    'div',
    {},
    el(
      'p',
      {},
      `${fmt(chunks)} chunks in ${fmt(view.rounds.length)} round${view.rounds.length === 1 ? '' : 's'}`,
    ),
    el(
      'div',
      { class: 'cv-legend' },
      ...(Object.keys(STATUS_COLOURS) as ChunkStatus[]).map((status) =>
        el(
          'span',
          {},
          el('span', { class: 'cv-swatch', style: `background:${STATUS_COLOURS[status]}` }),
          `${STATUS_LABELS[status]} ${fmt(totals[status] ?? 0)}`,
        ),
      ),
    ),
  );
}

interface Interaction {
  tip: HTMLElement;
  selected: ChunkRow | undefined;
  onPick: (row: ChunkRow) => void;
}

function roundSection(round: RoundView, rows: ChunkRow[], width: number, ui: Interaction): HTMLElement {
  const layout = gridLayout(rows.length, width);
  const counts = (Object.entries(round.statuses) as [ChunkStatus, number][])
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${fmt(count)} ${STATUS_LABELS[status]}`)
    .join(', ');
  // What the canvas shows, for a screen reader and a test: counts by status, and where each cell is.
  const canvas = el('canvas', {
    class: 'cv-canvas',
    role: 'img',
    'aria-label': `round ${round.round}: ${counts || 'no chunks'}`,
    'data-round': String(round.round),
    'data-statuses': JSON.stringify(round.statuses),
    'data-columns': String(layout.columns),
    'data-pitch': String(layout.cell + layout.gap),
  });
  paint(canvas, layout, rows, ui.selected);
  // A canvas drawn anew (a click, a live redraw) under a resting pointer gets no mouseleave: the tip
  // of the canvas it replaces would stay on screen.
  ui.tip.style.display = 'none';
  const rowAt = (event: MouseEvent) => {
    const box = canvas.getBoundingClientRect();
    const index = cellAt(layout, rows.length, event.clientX - box.left, event.clientY - box.top);
    return index < 0 ? undefined : rows[index];
  };
  canvas.addEventListener('mousemove', (event) => {
    const row = rowAt(event);
    ui.tip.style.display = row ? 'block' : 'none';
    if (!row) return;
    ui.tip.textContent = tipText(row);
    ui.tip.style.left = `${event.clientX + 12}px`;
    ui.tip.style.top = `${event.clientY + 12}px`;
  });
  canvas.addEventListener('mouseleave', () => {
    ui.tip.style.display = 'none';
  });
  canvas.addEventListener('click', (event) => {
    const row = rowAt(event);
    if (row) ui.onPick(row);
  });
  return el(
    'section',
    {},
    el(
      'h4',
      { class: 'cv-round' },
      `Round ${round.round}: ${fmt(round.chunks)} chunks, ${fmt(round.records)} records${round.ended ? '' : ' (in progress)'} · ${counts}`,
    ),
    canvas,
  );
}

function paint(
  canvas: HTMLCanvasElement,
  layout: GridLayout,
  rows: ChunkRow[],
  selected: ChunkRow | undefined,
) {
  const ratio = globalThis.devicePixelRatio || 1;
  canvas.width = Math.ceil(layout.width * ratio);
  canvas.height = Math.ceil(layout.height * ratio);
  canvas.style.width = `${layout.width}px`;
  canvas.style.height = `${layout.height}px`;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.scale(ratio, ratio);
  // One fill colour at a time: a few state changes for the whole round, not one per cell.
  for (const status of Object.keys(STATUS_COLOURS) as ChunkStatus[]) {
    context.fillStyle = STATUS_COLOURS[status];
    rows.forEach((row, index) => {
      if (row.status !== status) return;
      const { x, y } = cellOrigin(layout, index);
      context.fillRect(x, y, layout.cell, layout.cell);
    });
  }
  const at = selected ? rows.indexOf(selected) : -1;
  if (at >= 0) {
    const { x, y } = cellOrigin(layout, at);
    context.strokeStyle = '#111827';
    context.lineWidth = 2;
    context.strokeRect(x - 1, y - 1, layout.cell + 2, layout.cell + 2);
  }
}

function tipText(row: ChunkRow): string {
  const seconds = row.durationMs === null ? '–' : `${(row.durationMs / 1000).toFixed(1)} s`;
  return [
    `${row.chunkId} (round ${row.round}, #${row.index}): ${STATUS_LABELS[row.status]}`,
    `${fmt(row.records)} records, ${fmt(row.bytes)} bytes, ${row.mode}`,
    `delivered ${fmt(row.delivered)}, re-queued ${fmt(row.requeued)}`,
    `attempts ${fmt(row.attempts)}, failed entries ${fmt(row.failedEntries)}, throttled ${fmt(row.throttledEntries)}`,
    `time ${seconds}${row.startedAt ? ` from ${row.startedAt.replace(/^.*T/, '')}` : ''}`,
  ].join('\n');
}
