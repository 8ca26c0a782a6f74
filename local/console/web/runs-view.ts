import { listen, READ_ONLY } from './api';
import { clock, duration, h, n } from './dom';
import type { RunRow } from './types';

export const statusBadge = (status: string) =>
  h('span', { class: `status status-${status.toLowerCase()}` }, status);

function row(run: RunRow): HTMLTableRowElement {
  const kind = run.launch?.kind === 'rerun-failed' ? ` (rerun of ${run.launch.of})` : '';
  const aws = run.aws
    ? [
        ' ',
        h(
          'a',
          { href: run.aws.consoleUrl, target: '_blank', rel: 'noopener', class: 'aws-link' },
          'AWS console',
        ),
      ]
    : [];
  return h(
    'tr',
    { 'data-run-id': run.runId },
    h('td', {}, h('a', { href: `#/runs/${run.runId}` }, run.runId), kind, ...aws),
    h(
      'td',
      {},
      statusBadge(run.status),
      // Why a run has no summary to show (unreadable, or refused to start), in the row itself.
      run.error ? h('div', { class: 'error', title: run.error }, run.error) : null,
    ),
    h('td', { class: 'num' }, n(run.records?.input)),
    h('td', { class: 'num' }, n(run.records?.delivered)),
    h('td', { class: 'num' }, n(run.records?.deadLettered)),
    h('td', { class: 'num' }, n(run.records?.rejected)),
    h('td', { class: 'num' }, n(run.calls)),
    h('td', { class: 'num' }, duration(run.durationMs)),
    h('td', {}, clock(run.startedAt)),
  );
}

/** Every local run, newest first, kept up to date by the server's stream. */
export function runsView(root: HTMLElement): () => void {
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 9 }, 'loading…')));
  root.replaceChildren(
    h('h1', {}, READ_ONLY ? 'Executions on AWS' : 'Runs'),
    READ_ONLY
      ? h(
          'p',
          { id: 'read-only' },
          'Read-only: the executions of the deployed state machine, newest 50 first.',
        )
      : h('p', {}, h('a', { href: '#/new', class: 'button' }, 'Start a run')),
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
      if (!Array.isArray(data)) {
        const error = (data as { error?: string }).error ?? 'could not list the runs';
        body.replaceChildren(h('tr', {}, h('td', { colspan: 9, class: 'error' }, error)));
        return;
      }
      const runs = data as RunRow[];
      body.replaceChildren(
        ...(runs.length ? runs.map(row) : [h('tr', {}, h('td', { colspan: 9 }, 'No runs yet.'))]),
      );
    },
  });
}
