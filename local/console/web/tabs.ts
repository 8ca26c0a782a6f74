import { h } from './dom';
import { throttled } from './throttle';
import type { RunDetail } from './types';
import { mountMapRunGrid } from './views/map-run-grid';
import { mountMetricsCharts } from './views/metrics-charts';
import { mountRecordsTable } from './views/records-table';
import { httpSource } from './views/source';
import type { RecordsKind, ViewHandle } from './views/types';

/** What a tab of the run page gets: the run's id, and its latest state as the stream brings it. */
export interface RunTabContext {
  runId: string;
  /** Called with each new state of the run (about every 300 ms while it changes). */
  onUpdate: (listener: (run: RunDetail) => void) => void;
}

export interface RunTab {
  id: string;
  title: string;
  /** Draws the tab into `host` when first opened; returns what stops it when the page is left. */
  render: (host: HTMLElement, context: RunTabContext) => () => void;
}

// Reading the Map Run of 4,000 chunks takes about a second: a live grid refreshes at most this often.
export const MAP_RUN_REFRESH_MS = 2_000;

const isGoing = (run: RunDetail) => run.status === 'RUNNING' || run.status === 'STARTING';

/** The Map Run grid; live while the run goes (throttled), once more when it ends; AWS Map Run links. */
function mapRunTab(host: HTMLElement, context: RunTabContext): () => void {
  const links = h('p', { class: 'aws-links' });
  const gridHost = h('div');
  host.append(links, gridHost);
  const grid = mountMapRunGrid(gridHost, httpSource(context.runId));
  const live = throttled(() => grid.refresh(), MAP_RUN_REFRESH_MS);
  let lastKey = '';
  context.onUpdate((run) => {
    const mapRuns = run.aws?.mapRuns ?? [];
    if (mapRuns.length && links.childElementCount !== mapRuns.length)
      links.replaceChildren(
        ...mapRuns.map((mapRun, round) =>
          h(
            'a',
            { href: mapRun.consoleUrl, target: '_blank', rel: 'noopener' },
            `Map Run ${round} in the AWS console`,
          ),
        ),
      );
    // A new event or a new status can change a chunk; nothing else does.
    const key = `${run.status}|${run.eventCount}`;
    if (key !== lastKey && lastKey !== '') live.poke();
    lastKey = key;
  });
  return () => {
    live.stop();
    grid.destroy();
  };
}

interface RecordsTabText {
  /** Why there is no file yet, or none at all. */
  none: string;
  /** Why the file is there though the count is 0 (dead letters a rerun delivered). */
  delivered?: string;
}

/**
 * A records file as a table, or why there is none: a run with no rejects (or dead letters) has no
 * file, and says so rather than showing an empty table. The table appears once the count is above 0.
 */
function recordsTab(kind: RecordsKind, count: (run: RunDetail) => number, text: RecordsTabText) {
  return (host: HTMLElement, context: RunTabContext): (() => void) => {
    let table: ViewHandle | undefined;
    const note = h('p', { class: 'empty', 'data-empty': kind });
    const tableHost = h('div', { 'data-records': kind });
    host.append(note, tableHost);
    context.onUpdate((run) => {
      const rows = count(run);
      const rerun = (run.facts.summary?.reruns?.length ?? 0) > 0 && text.delivered;
      note.textContent =
        rows > 0 ? '' : rerun ? (text.delivered ?? '') : `${text.none}${isGoing(run) ? ' so far' : ''}.`;
      if ((rows > 0 || rerun) && !table)
        table = mountRecordsTable(tableHost, httpSource(context.runId), { kind });
      else if (table && !isGoing(run)) void table.refresh();
    });
    return () => table?.destroy();
  };
}

function metricsTab(host: HTMLElement, context: RunTabContext): () => void {
  const charts = mountMetricsCharts(host, httpSource(context.runId));
  let going: boolean | undefined;
  context.onUpdate((run) => {
    // Once more when the run ends: its last minute of datapoints.
    if (going === true && !isGoing(run)) void charts.refresh();
    going = isGoing(run);
  });
  return () => charts.destroy();
}

/**
 * THE PLACE FOR MORE TABS on the run page, after Graph and Events, each reading its route from
 * local/console/server/extensions.ts.
 */
export const RUN_TABS: RunTab[] = [
  { id: 'map-run', title: 'Map Run', render: mapRunTab },
  {
    id: 'rejects',
    title: 'Rejects',
    render: recordsTab('rejects', (run) => run.records?.rejected ?? 0, {
      none: 'No rejects: every input record was valid',
    }),
  },
  {
    id: 'dead-letters',
    title: 'Dead letters',
    render: recordsTab('dead-letters', (run) => run.records?.deadLettered ?? 0, {
      none: 'No dead letters: no record ran out of re-queue rounds',
      delivered:
        'Every dead letter below was delivered by a rerun (the counts are over the run and its reruns).',
    }),
  },
  { id: 'metrics', title: 'Metrics', render: metricsTab },
];
