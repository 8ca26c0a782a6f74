import { getJson, listen, postJson } from './api';
import { clock, duration, h, n } from './dom';
import { GraphView } from './graph-view';
import { HistoryView } from './history-view';
import { statusBadge } from './runs-view';
import { RUN_TABS, type RunTab } from './tabs';
import type { EngineEvent, GraphModel, RunDetail, Summary } from './types';

function progressPanel(run: RunDetail): HTMLElement {
  const p = run.facts.progress;
  const share = p.plannedRecords ? Math.min(1, p.delivered / p.plannedRecords) : 0;
  const going = run.status === 'RUNNING' || run.status === 'STARTING';
  return h(
    'section',
    { class: 'progress' },
    h('progress', { max: 1, value: share }),
    h(
      'p',
      { id: 'progress-text' },
      `${p.phase} · round ${p.round} · chunks ${n(p.chunksDone)} of ${n(p.roundChunks)} (${n(p.chunksInFlight)} in flight, ${n(p.chunksFailed)} failed) · `,
      `${n(p.delivered)} of ${n(p.plannedRecords)} records delivered`,
      p.perSecond ? ` · ${n(Math.round(p.perSecond))} records/s` : '',
      going && p.secondsLeft !== undefined ? ` · about ${duration(p.secondsLeft * 1000)} left` : '',
      ` · throttled entries ${n(p.throttledEntries)}, failed entries ${n(p.failedEntries)}, refused calls ${n(p.refusedCalls)}, chunk retries ${n(p.chunkRetries)}`,
    ),
  );
}

function summaryTable(summary: Summary | undefined, live: boolean): HTMLElement {
  if (!summary) return h('p', {}, 'No summary yet.');
  const r = summary.records;
  const f = summary.firehose;
  const rows: [string, string][] = [
    ['Records in', n(r.input)],
    ['Delivered', n(r.delivered)],
    ['Dead-lettered', n(r.deadLettered)],
    ['Rejected', n(r.rejected)],
    ['Pending', n(r.pending)],
    ['Re-queued', n(r.requeued)],
    ['Possible duplicates', n(r.possibleDuplicates)],
    [
      'PutRecord / PutRecordBatch calls',
      `${n(Number(f.putRecordCalls))} / ${n(Number(f.putRecordBatchCalls))}`,
    ],
    ['Throttled entries', n(Number(f.throttledEntries))],
    ['Refused requests', n(Number(f.refusedRequests))],
    ['Chunks (failed)', `${n(summary.plan.chunks)} (${n(summary.plan.failedChunks)})`],
    ['Rounds', n(summary.plan.rounds)],
    ['Metrics', summary.metrics.verdict],
    ['Duration', duration(summary.durationMs)],
  ];
  const reruns = (summary.reruns ?? []).flatMap((id) => [' ', h('a', { href: `#/runs/${id}` }, id)]);
  return h(
    'section',
    { class: 'summary' },
    h('h2', {}, live ? 'Summary so far (as of the last finished step)' : 'Summary'),
    reruns.length ? h('p', {}, 'Over this run and its reruns:', ...reruns) : null,
    summary.error && !live
      ? h('p', { class: 'error' }, `${summary.error.name}: ${summary.error.message}`)
      : null,
    h(
      'table',
      { id: 'summary' },
      ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { class: 'num', 'data-key': k }, v))),
    ),
  );
}

function actions(run: RunDetail): HTMLElement {
  const act = (path: string, label: string, id: string) =>
    h(
      'button',
      {
        id,
        onclick: async () => {
          const answer = await postJson<{ runId?: string; error?: string }>(
            `/api/runs/${run.runId}/${path}`,
            {},
          );
          if (answer.body.runId) location.hash = `#/runs/${answer.body.runId}`;
          else alert(answer.body.error ?? `refused (${answer.status})`);
        },
      },
      label,
    );
  return h(
    'div',
    { class: 'actions' },
    run.canRerun
      ? act('rerun-failed', `Rerun failed (${n(run.records.deadLettered)} dead letters)`, 'rerun-failed')
      : null,
    run.canResume ? act('resume', 'Resume', 'resume') : null,
  );
}

/** A built-in tab: its element, kept (with its state) while other tabs are open. */
function showing(host: HTMLElement, element: HTMLElement): () => void {
  host.append(element);
  return () => undefined;
}

/** A run's page: graph, events, summary and progress, live while it runs. */
export function runView(root: HTMLElement, runId: string): () => void {
  const head = h('div', { class: 'run-head' });
  const progress = h('div');
  const summary = h('div');
  const lines = h('pre', { class: 'lines' });
  const graphHost = h('div', { class: 'graph-host' }, 'loading the state machine…');
  const history = new HistoryView();
  const listeners: ((run: RunDetail) => void)[] = [];
  let graph: GraphView | undefined;
  let latest: RunDetail | undefined;
  const tabs: RunTab[] = [
    { id: 'graph', title: 'Graph', render: (host) => showing(host, graphHost) },
    { id: 'events', title: 'Events', render: (host) => showing(host, history.element) },
    ...RUN_TABS,
  ];
  const panel = h('div', { class: 'tab-panel' });
  const stops: (() => void)[] = [];
  const open = (tab: RunTab) => {
    for (const button of bar.querySelectorAll('button'))
      button.classList.toggle('active', button.dataset.tab === tab.id);
    panel.replaceChildren();
    stops.push(tab.render(panel, { runId, onUpdate: (listener) => listeners.push(listener) }));
    if (latest) for (const listener of listeners) listener(latest);
  };
  const bar = h(
    'nav',
    { class: 'tabs' },
    ...tabs.map((tab) => h('button', { 'data-tab': tab.id, onclick: () => open(tab) }, tab.title)),
  );
  root.replaceChildren(
    head,
    progress,
    h(
      'div',
      { class: 'run-body' },
      h('div', { class: 'main-col' }, bar, panel),
      h('div', { class: 'side-col' }, summary, h('h2', {}, 'Progress lines'), lines),
    ),
  );
  const [first] = tabs;
  if (first) open(first);
  void getJson<GraphModel>('/api/definition').then((model) => {
    graph = new GraphView(model);
    graphHost.replaceChildren(graph.element);
    if (latest) graph.update({ stats: latest.facts.stats, progress: latest.facts.progress });
  });
  const update = (run: RunDetail) => {
    latest = run;
    const kind =
      run.launch?.kind === 'rerun-failed'
        ? h('span', {}, ' rerun of ', h('a', { href: `#/runs/${run.launch.of}` }, run.launch.of ?? ''))
        : null;
    head.replaceChildren(
      h('h1', {}, run.runId, ' ', statusBadge(run.status), kind),
      h(
        'p',
        {},
        `started ${clock(run.startedAt)} · ${duration(run.durationMs)} · ${n(run.eventCount)} events`,
      ),
      ...(run.error ? [h('p', { class: 'error', id: 'run-error' }, run.error)] : []),
      actions(run),
    );
    progress.replaceChildren(progressPanel(run));
    const going = run.status === 'RUNNING' || run.status === 'STARTING';
    summary.replaceChildren(
      summaryTable(
        going ? (run.facts.live ?? run.facts.summary) : (run.facts.summary ?? run.facts.live),
        going || !run.facts.summary,
      ),
    );
    lines.textContent = run.facts.lines.join('\n');
    graph?.update({ stats: run.facts.stats, progress: run.facts.progress });
    for (const listener of listeners) listener(run);
  };
  const close = listen(`/api/runs/${runId}/stream`, {
    events: (data) => {
      const batch = data as { from: number; events: EngineEvent[] };
      history.add(batch.from, batch.events);
    },
    run: (data) => update(data as RunDetail),
  });
  return () => {
    close();
    for (const stop of stops) stop();
  };
}
