import { getJson, listen, postJson, READ_ONLY } from './api';
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

/** Stop while a local run is going: enabled for a run this console started, else greyed with why. */
function stopButton(run: RunDetail, act: (path: string, label: string, id: string) => HTMLElement) {
  const going = run.status === 'RUNNING' || run.status === 'STARTING' || run.status === 'STOPPING';
  if (READ_ONLY || !going || !run.stopNote) return null;
  const button = run.canStop
    ? act('stop', 'Stop', 'stop')
    : h('button', { id: 'stop', disabled: true }, run.status === 'STOPPING' ? 'Stopping…' : 'Stop');
  button.title = run.stopNote;
  // A disabled button shows no tooltip in some browsers: its wrapper carries it too.
  return h('span', { class: 'stop-note', title: run.stopNote }, button);
}

function actions(run: RunDetail): HTMLElement {
  const act = (path: string, label: string, id: string) =>
    h(
      'button',
      {
        id,
        onclick: async (event: Event) => {
          // One press: the page changes when the run does (a second Ctrl-C would cut the totalling).
          const button = event.currentTarget as HTMLButtonElement;
          button.disabled = true;
          const answer = await postJson<{ runId?: string; error?: string }>(
            `/api/runs/${run.runId}/${path}`,
            {},
          );
          if (answer.body.runId) location.hash = `#/runs/${answer.body.runId}`;
          else {
            button.disabled = false;
            alert(answer.body.error ?? `refused (${answer.status})`);
          }
        },
      },
      label,
    );
  return h(
    'div',
    { class: 'actions' },
    stopButton(run, act),
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

/** The run's title, status, what it reruns, why it stopped, and its buttons. */
function headOf(run: RunDetail): HTMLElement[] {
  const of = run.launch?.kind === 'rerun-failed' ? run.launch.of : undefined;
  return [
    h(
      'h1',
      {},
      run.runId,
      ' ',
      statusBadge(run.status),
      of ? h('span', {}, ' rerun of ', h('a', { href: `#/runs/${of}` }, of)) : null,
    ),
    h(
      'p',
      {},
      `started ${clock(run.startedAt)} · ${duration(run.durationMs)} · ${n(run.eventCount)} events`,
      run.aws
        ? h(
            'span',
            {},
            ' · ',
            h(
              'a',
              { href: run.aws.consoleUrl, target: '_blank', rel: 'noopener', id: 'aws-console' },
              'open in the AWS console',
            ),
          )
        : null,
    ),
    ...(run.error ? [h('p', { class: 'error', id: 'run-error' }, run.error)] : []),
    actions(run),
  ];
}

/** The tab bar and the open tab; an extension tab hears of each new state of the run while open. */
class RunTabs {
  readonly bar: HTMLElement;
  readonly panel = h('div', { class: 'tab-panel' });
  private listeners: ((run: RunDetail) => void)[] = [];
  private stopOpen: () => void = () => undefined;
  private latest: RunDetail | undefined;

  constructor(
    private readonly runId: string,
    tabs: RunTab[],
  ) {
    this.bar = h(
      'nav',
      { class: 'tabs' },
      ...tabs.map((tab) => h('button', { 'data-tab': tab.id, onclick: () => this.open(tab) }, tab.title)),
    );
    if (tabs[0]) this.open(tabs[0]);
  }

  open(tab: RunTab): void {
    for (const button of this.bar.querySelectorAll('button'))
      button.classList.toggle('active', button.dataset.tab === tab.id);
    this.stopOpen();
    this.listeners = [];
    this.panel.replaceChildren();
    this.stopOpen = tab.render(this.panel, {
      runId: this.runId,
      onUpdate: (listener) => this.listeners.push(listener),
    });
    if (this.latest) this.update(this.latest);
  }

  update(run: RunDetail): void {
    this.latest = run;
    for (const listener of this.listeners) listener(run);
  }

  stop(): void {
    this.stopOpen();
  }
}

/** A run's page: graph, events, summary and progress, live while it runs. */
export function runView(root: HTMLElement, runId: string): () => void {
  const head = h('div', { class: 'run-head' });
  const failure = h('p', { class: 'error', id: 'read-error' });
  const progress = h('div');
  const summary = h('div');
  const lines = h('pre', { class: 'lines' });
  const graphHost = h('div', { class: 'graph-host' }, 'loading the state machine…');
  const history = new HistoryView();
  let graph: GraphView | undefined;
  let latest: RunDetail | undefined;
  const tabs = new RunTabs(runId, [
    { id: 'graph', title: 'Graph', render: (host) => showing(host, graphHost) },
    { id: 'events', title: 'Events', render: (host) => showing(host, history.element) },
    ...RUN_TABS,
  ]);
  root.replaceChildren(
    head,
    failure,
    progress,
    h(
      'div',
      { class: 'run-body' },
      h('div', { class: 'main-col' }, tabs.bar, tabs.panel),
      // An execution on AWS has no runner's progress lines (its log is in CloudWatch Logs).
      h('div', { class: 'side-col' }, summary, ...(READ_ONLY ? [] : [h('h2', {}, 'Progress lines'), lines])),
    ),
  );
  void getJson<GraphModel>(`/api/runs/${runId}/definition`).then((model) => {
    graph = new GraphView(model);
    graphHost.replaceChildren(graph.element);
    if (latest) graph.update({ stats: latest.facts.stats, progress: latest.facts.progress });
  });
  const update = (run: RunDetail) => {
    latest = run;
    head.replaceChildren(...headOf(run));
    progress.replaceChildren(progressPanel(run));
    const going = run.status === 'RUNNING' || run.status === 'STARTING';
    const shown = going ? (run.facts.live ?? run.facts.summary) : (run.facts.summary ?? run.facts.live);
    summary.replaceChildren(summaryTable(shown, going || !run.facts.summary));
    lines.textContent = run.facts.lines.join('\n');
    graph?.update({ stats: run.facts.stats, progress: run.facts.progress });
    tabs.update(run);
  };
  const close = listen(`/api/runs/${runId}/stream`, {
    events: (data) => {
      const batch = data as { from: number; events: EngineEvent[] };
      history.add(batch.from, batch.events);
    },
    run: (data) => {
      failure.textContent = '';
      update(data as RunDetail);
    },
    // With --aws: a read that failed (credentials, throttling); the stream tries again.
    failure: (data) => {
      failure.textContent = (data as { error: string }).error;
    },
  });
  return () => {
    close();
    tabs.stop();
  };
}
