import { h, n } from './dom';
import type { EngineEvent } from './types';

// More rows than this slow the page down at no use: filter to see others.
const MAX_ROWS = 1_000;

function typeClass(type: string): string {
  if (/Failed|Aborted|TimedOut/.test(type)) return 'ev-failed';
  if (/Retried|Caught/.test(type)) return 'ev-caught';
  if (/Succeeded|Exited/.test(type)) return 'ev-ok';
  return '';
}

/** The run's event history as a table, like the console's "Events" view, with filters. */
export class HistoryView {
  readonly element: HTMLElement;
  private readonly events: EngineEvent[] = [];
  private readonly body = h('tbody');
  private readonly note = h('p', { class: 'note' });
  private readonly detail = h('pre', { class: 'event-detail' }, 'Click an event to see it in full.');
  private readonly type = h('select', { id: 'history-type' }, h('option', { value: '' }, 'all types'));
  private readonly state = h('input', { id: 'history-state', type: 'search', placeholder: 'state name' });
  private readonly errorsOnly = h('input', { id: 'history-errors', type: 'checkbox' });
  private readonly types = new Set<string>();

  constructor() {
    const redraw = () => this.render();
    this.type.addEventListener('change', redraw);
    this.state.addEventListener('input', redraw);
    this.errorsOnly.addEventListener('change', redraw);
    this.element = h(
      'section',
      { class: 'history' },
      h(
        'div',
        { class: 'filters' },
        this.type,
        this.state,
        h('label', {}, this.errorsOnly, ' errors, retries and catches only'),
      ),
      this.note,
      h(
        'table',
        { class: 'events' },
        h(
          'thead',
          {},
          h('tr', {}, ...['#', 'Type', 'State', 'Item', 'Elapsed', 'Error'].map((t) => h('th', {}, t))),
        ),
        this.body,
      ),
    );
  }

  add(from: number, events: EngineEvent[]): void {
    // A reconnected stream resends from where it is: keep each event once, by its position.
    this.events.splice(from, events.length, ...events);
    for (const event of events) {
      if (this.types.has(event.type)) continue;
      this.types.add(event.type);
      this.type.append(h('option', { value: event.type }, event.type));
    }
    this.render();
  }

  private matches(event: EngineEvent): boolean {
    if (this.type.value && event.type !== this.type.value) return false;
    const name = event.state?.name ?? event.parentState?.name ?? '';
    if (this.state.value && !name.toLowerCase().includes(this.state.value.toLowerCase())) return false;
    return !this.errorsOnly.checked || /Failed|Retried|Caught|Aborted|TimedOut/.test(event.type);
  }

  /** An event in full (input, output, error), as the console's event details show it. */
  private show(id: number, event: EngineEvent): void {
    this.detail.textContent = `#${id + 1} ${JSON.stringify(event, null, 2)}`;
  }

  private render(): void {
    const start = this.events[0]?.timestamp ?? 0;
    const rows: HTMLTableRowElement[] = [];
    let matched = 0;
    this.events.forEach((event, id) => {
      if (!this.matches(event)) return;
      matched += 1;
      if (rows.length >= MAX_ROWS) return;
      rows.push(
        h(
          'tr',
          { class: typeClass(event.type), onclick: () => this.show(id, event) },
          h('td', { class: 'num' }, id + 1),
          h('td', {}, event.type),
          h('td', {}, event.state?.name ?? event.parentState?.name ?? ''),
          h('td', { class: 'num' }, event.index ?? ''),
          h('td', { class: 'num' }, `${n(event.timestamp - start)} ms`),
          h(
            'td',
            {},
            [event.Error, typeof event.Cause === 'string' ? event.Cause.slice(0, 160) : '']
              .filter(Boolean)
              .join(': '),
          ),
        ),
      );
    });
    this.body.replaceChildren(...rows);
    this.note.textContent = `${n(matched)} of ${n(this.events.length)} events${matched > MAX_ROWS ? ` (first ${n(MAX_ROWS)} shown: filter to see others)` : ''}`;
  }
}
