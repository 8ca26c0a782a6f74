import { listen } from './api';
import { clock, duration, h, n } from './dom';
import type { RunRow } from './types';

export const statusBadge = (status: string) =>
  h('span', { class: `status status-${status.toLowerCase()}` }, status);

function row(run: RunRow): HTMLTableRowElement {
  const kind = run.launch?.kind === 'rerun-failed' ? ` (rerun of ${run.launch.of})` : '';
  return h(
    'tr',
    { 'data-run-id': run.runId },
    h('td', {}, h('a', { href: `#/runs/${run.runId}` }, run.runId), kind),
    h('td', {}, statusBadge(run.status)),
    h('td', { class: 'num' }, n(run.records.input)),
    h('td', { class: 'num' }, n(run.records.delivered)),
    h('td', { class: 'num' }, n(run.records.deadLettered)),
    h('td', { class: 'num' }, n(run.records.rejected)),
    h('td', { class: 'num' }, n(run.calls)),
    h('td', { class: 'num' }, duration(run.durationMs)),
    h('td', {}, clock(run.startedAt)),
  );
}

/** Every local run, newest first, kept up to date by the server's stream. */
export function runsView(root: HTMLElement): () => void {
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 9 }, 'loading…')));
  root.replaceChildren(
    h('h1', {}, 'Runs'),
    h('p', {}, h('a', { href: '#/new', class: 'button' }, 'Start a run')),
    h(
      'table',
      { class: 'runs' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Run',
            'Status',
            'Records in',
            'Delivered',
            'Dead-lettered',
            'Rejected',
            'Calls',
            'Duration',
            'Started',
          ].map((title) => h('th', {}, title)),
        ),
      ),
      body,
    ),
  );
  return listen('/api/runs/stream', {
    runs: (data) => {
      const runs = data as RunRow[];
      body.replaceChildren(
        ...(runs.length ? runs.map(row) : [h('tr', {}, h('td', { colspan: 9 }, 'No runs yet.'))]),
      );
    },
  });
}
