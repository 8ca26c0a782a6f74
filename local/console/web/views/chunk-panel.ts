import { el, fmt } from './el';
import { STATUS_LABELS } from './grid-layout';
import type { ChunkDetail } from './types';

/** The detail of one chunk: descriptor, outcome, claim and its log lines, as the run's files hold them. */
export function renderChunkPanel(host: HTMLElement, detail: ChunkDetail, onClose: () => void): void {
  const json = (value: object | null) =>
    value === null
      ? el('p', { class: 'cv-muted' }, 'none')
      : el('pre', { class: 'cv-json' }, JSON.stringify(value, null, 2));
  const logs = detail.log;
  const parts: (Node | null)[] = [
    el(
      'div',
      { class: 'cv-panel-head' },
      el('strong', {}, `${detail.chunkId} · round ${detail.round}, chunk ${fmt(detail.index)}`),
      el('span', { class: `cv-badge cv-${detail.status}` }, STATUS_LABELS[detail.status]),
      closeButton(onClose),
    ),
    el('p', { class: 'cv-muted' }, `s3://${detail.bucket}/${detail.keys.outcome}`),
    el('h5', {}, 'Descriptor (what was planned)'),
    json(detail.descriptor),
    el('h5', {}, 'Outcome (what PutBatch recorded)'),
    json(detail.outcome),
    el('h5', {}, 'Claim (an attempt that wrote no outcome)'),
    json(detail.claim),
    detail.keys.requeue
      ? el('p', {}, `Re-queued entries: s3://${detail.bucket}/${detail.keys.requeue}`)
      : null,
    detail.deadLettered
      ? el('p', { class: 'cv-error' }, 'What was left of this chunk is in the dead-letter file.')
      : null,
    el(
      'h5',
      {},
      logs
        ? `Log lines (${fmt(logs.lines.length)}${logs.truncated ? ', first ones only' : ''})`
        : 'Log lines',
    ),
    logs
      ? logTable(logs.lines)
      : el('p', { class: 'cv-muted' }, 'In CloudWatch Logs for an execution on AWS.'),
  ];
  host.replaceChildren(...parts.filter((part): part is Node => part !== null));
}

function closeButton(onClose: () => void): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'cv-close', title: 'close' }, '×');
  button.addEventListener('click', onClose);
  return button;
}

const SHOWN = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'runId', 'chunkId']);

function logTable(lines: Record<string, unknown>[]): HTMLElement {
  if (lines.length === 0) return el('p', { class: 'cv-muted' }, 'none');
  const rows = lines.map((line) => {
    const rest = Object.entries(line)
      .filter(([key]) => !SHOWN.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join('  ');
    return el(
      'tr',
      { class: `cv-log-${String(line.level ?? '').toLowerCase()}` },
      el('td', {}, String(line.timestamp ?? '').replace(/^.*T/, '')),
      el('td', {}, String(line.level ?? '')),
      el('td', {}, String(line.message ?? '')),
      el('td', { class: 'cv-mono' }, rest),
    );
  });
  return el(
    'table',
    { class: 'cv-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'time'),
        el('th', {}, 'level'),
        el('th', {}, 'message'),
        el('th', {}, 'details'),
      ),
    ),
    el('tbody', {}, ...rows),
  );
}
