import { el, ensureStyle, errorLine, fmt } from './el';
import type { ViewSource } from './source';
import { VIEW_CSS } from './styles';
import type { RecordsKind, RecordsPage, ViewHandle } from './types';

const PAGE_ROWS = 100;
// Typing pauses this long before the search goes out: one request per word, not per key.
const SEARCH_DELAY_MS = 300;

const KIND_LABELS: Record<RecordsKind, string> = { rejects: 'Rejects', 'dead-letters': 'Dead letters' };

/**
 * The rejects file or the dead-letter file as a table: position, where the record was in the source,
 * reason and excerpt; a search box over reason and record text, paging, and a link to the whole file.
 * Record text is set as text, never as HTML.
 */
export function mountRecordsTable(
  host: HTMLElement,
  source: ViewSource,
  options: { kind?: RecordsKind } = {},
): ViewHandle {
  ensureStyle('cv-styles', VIEW_CSS);
  let kind: RecordsKind = options.kind ?? 'rejects';
  let offset = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let request = 0;

  const { kindSelect, search, previous, next, position, download, table } = toolbar(host, kind);
  const show = (page: RecordsPage) => {
    download.setAttribute('href', source.downloadUrl(kind));
    download.style.display = page.exists ? '' : 'none';
    previous.disabled = page.offset === 0;
    next.disabled = page.offset + page.page.length >= page.matches;
    position.textContent = positionText(page);
    table.replaceChildren(
      ...(page.exists
        ? [recordsTable(page), el('p', { class: 'cv-muted' }, `s3://${page.bucket}/${page.key}`)]
        : [el('p', { class: 'cv-muted' }, `This run has no ${KIND_LABELS[kind].toLowerCase()} file.`)]),
    );
  };

  const refresh = async () => {
    const mine = ++request;
    try {
      const page = await source.records(kind, { q: search.value, offset, limit: PAGE_ROWS });
      // An answer to an older request (the user typed on) is dropped.
      if (mine === request) show(page);
    } catch (error) {
      if (mine === request) errorLine(table, error);
    }
  };

  kindSelect.addEventListener('change', () => {
    kind = kindSelect.value as RecordsKind;
    offset = 0;
    void refresh();
  });
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      offset = 0;
      void refresh();
    }, SEARCH_DELAY_MS);
  });
  const turn = (rows: number) => () => {
    offset = Math.max(0, offset + rows);
    void refresh();
  };
  previous.addEventListener('click', turn(-PAGE_ROWS));
  next.addEventListener('click', turn(PAGE_ROWS));
  void refresh();
  return {
    refresh,
    destroy() {
      clearTimeout(timer);
      request += 1;
      host.replaceChildren();
    },
  };
}

function toolbar(host: HTMLElement, kind: RecordsKind) {
  const kindSelect = el('select', { 'aria-label': 'file' });
  for (const value of Object.keys(KIND_LABELS) as RecordsKind[]) {
    const option = el('option', { value }, KIND_LABELS[value]);
    option.selected = value === kind;
    kindSelect.append(option);
  }
  const parts = {
    kindSelect,
    search: el('input', {
      type: 'search',
      placeholder: 'search reason or record text',
      'aria-label': 'search',
    }),
    previous: el('button', { type: 'button' }, '‹ previous'),
    next: el('button', { type: 'button' }, 'next ›'),
    position: el('span', { class: 'cv-muted' }),
    download: el('a', { download: '' }, 'download the whole file'),
    table: el('div'),
  };
  const { search, previous, position, next, download, table } = parts;
  host.replaceChildren(
    el('div', { class: 'cv-toolbar' }, kindSelect, search, previous, position, next, download),
    table,
  );
  return parts;
}

function positionText(page: RecordsPage): string {
  if (!page.exists) return '';
  const first = page.matches === 0 ? 0 : page.offset + 1;
  const range = `${fmt(first)}–${fmt(page.offset + page.page.length)} of ${fmt(page.matches)}`;
  return page.q ? `${range} matching (${fmt(page.rows)} in all)` : range;
}

function recordsTable(page: RecordsPage): HTMLElement {
  const dead = page.kind === 'dead-letters';
  const head = dead
    ? ['#', 'chunk', 'reason', 'record']
    : ['#', 'record index', 'line', 'byte offset', 'reason', 'excerpt'];
  const rows = page.page.map((row) =>
    dead
      ? el(
          'tr',
          {},
          el('td', {}, fmt(row.position)),
          el('td', { class: 'cv-mono' }, row.chunkId ?? '–'),
          el('td', {}, row.reason),
          el('td', { class: 'cv-mono' }, row.excerpt),
        )
      : el(
          'tr',
          {},
          el('td', {}, fmt(row.position)),
          el('td', {}, fmt(row.record)),
          el('td', {}, fmt(row.line)),
          el('td', {}, fmt(row.offset)),
          el('td', {}, row.reason),
          el('td', { class: 'cv-mono' }, row.excerpt),
        ),
  );
  return el(
    'table',
    { class: 'cv-table' },
    el('thead', {}, el('tr', {}, ...head.map((title) => el('th', {}, title)))),
    el('tbody', {}, ...rows),
  );
}
