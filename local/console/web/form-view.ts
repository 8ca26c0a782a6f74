import { postJson, READ_ONLY } from './api';
import { h } from './dom';

interface Field {
  name: string;
  label: string;
  hint: string;
  type?: 'text' | 'number' | 'checkbox' | 'select';
  options?: string[];
  value?: string;
}

// What `run` takes (bin/commands/run-options.ts); empty means the CLI's default.
const SOURCE: Field[] = [
  { name: 'input', label: 'Input file on this machine', hint: 'empty: generate records', type: 'text' },
  {
    name: 'records',
    label: 'Generated records',
    hint: 'without an input file',
    type: 'number',
    value: '2550',
  },
  { name: 'seed', label: 'Seed', hint: 'generated data and faults', type: 'number' },
  {
    name: 'format',
    label: 'Format',
    hint: '',
    type: 'select',
    options: ['', 'auto', 'json', 'jsonl', 'lines'],
  },
];
const JOB: Field[] = [
  {
    name: 'individual',
    label: 'Individual records (PutRecord)',
    hint: 'default: 100 generated, 0 with a file',
    type: 'number',
  },
  { name: 'pack', label: 'Pack records', hint: 'up to 1,000 KiB per Firehose record', type: 'checkbox' },
  { name: 'concurrency', label: 'Concurrency', hint: 'Distributed Map MaxConcurrency', type: 'number' },
  { name: 'requeueRounds', label: 'Re-queue rounds', hint: 'before dead-lettering', type: 'number' },
];
const FAULTS: Field[] = [
  { name: 'faultRate', label: 'Entry failure rate', hint: '0 to 1', type: 'text' },
  { name: 'requestErrorRate', label: 'Request error rate', hint: '0 to 1', type: 'text' },
  { name: 'throttleRps', label: 'Throttle (records/s)', hint: 'the stream quota', type: 'number' },
  { name: 'latencyMs', label: 'Latency (ms)', hint: 'added per request', type: 'number' },
];

function input(field: Field): HTMLElement {
  const id = `field-${field.name}`;
  if (field.type === 'select') {
    return h(
      'select',
      { id, name: field.name },
      ...(field.options ?? []).map((o) => h('option', { value: o }, o || '(default)')),
    );
  }
  if (field.type === 'checkbox') return h('input', { id, name: field.name, type: 'checkbox' });
  return h('input', {
    id,
    name: field.name,
    type: 'text',
    inputmode: field.type === 'number' ? 'numeric' : undefined,
    value: field.value,
    placeholder: field.hint,
  });
}

function fieldset(title: string, fields: Field[]): HTMLElement {
  return h(
    'fieldset',
    {},
    h('legend', {}, title),
    ...fields.map((field) =>
      h(
        'div',
        { class: 'field' },
        h('label', { for: `field-${field.name}` }, field.label),
        input(field),
        h('span', { class: 'error', id: `error-${field.name}`, role: 'alert' }),
      ),
    ),
  );
}

function read(form: HTMLFormElement): Record<string, string | boolean> {
  const values: Record<string, string | boolean> = {};
  for (const field of [...SOURCE, ...JOB, ...FAULTS]) {
    const element = form.elements.namedItem(field.name) as HTMLInputElement | HTMLSelectElement | null;
    if (!element) continue;
    values[field.name] =
      element instanceof HTMLInputElement && element.type === 'checkbox' ? element.checked : element.value;
  }
  return values;
}

/** The start form; a refusal is the CLI's own line, next to its field. Started: straight to the run. */
export function formView(root: HTMLElement): () => void {
  if (READ_ONLY) {
    root.replaceChildren(
      h('h1', {}, 'Start a run'),
      h('p', {}, 'This console shows executions on AWS read-only: start one with `firehose-loader start`.'),
    );
    return () => undefined;
  }
  const formError = h('p', { class: 'error', id: 'error-form', role: 'alert' });
  const form = h(
    'form',
    { class: 'start' },
    fieldset('Records', SOURCE),
    fieldset('Job', JOB),
    fieldset('Local faults', FAULTS),
    formError,
    h('button', { type: 'submit', id: 'start-run' }, 'Start run'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const element of form.querySelectorAll('.error')) element.textContent = '';
    const answer = await postJson<{ runId?: string; errors?: Record<string, string>; error?: string }>(
      '/api/runs',
      read(form),
    );
    if (answer.body.runId) {
      location.hash = `#/runs/${answer.body.runId}`;
      return;
    }
    for (const [field, message] of Object.entries(
      answer.body.errors ?? { form: answer.body.error ?? `refused (${answer.status})` },
    )) {
      const slot = form.querySelector(`#error-${field}`) ?? formError;
      slot.textContent = message;
    }
  });
  root.replaceChildren(h('h1', {}, 'Start a run'), form);
  return () => undefined;
}
