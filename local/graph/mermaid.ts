import { allNodes, buildModel, type GraphModel, type GraphNode } from './model';
import type { GraphRunInfo, StateOutcome } from './stats';
import { countLines, PALETTE } from './style';

const RESERVED = new Set([
  'end',
  'graph',
  'subgraph',
  'flowchart',
  'direction',
  'class',
  'classDef',
  'style',
  'click',
]);

/** Mermaid's entity codes: `#` first, since every other code starts with it. */
export const escapeMermaid = (text: string): string =>
  text
    .replace(/\s+/g, ' ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/&/g, '#amp;')
    .replace(/\|/g, '#124;');

/** State names may hold any character; Mermaid ids may not, and some words are keywords. */
function idsFor(names: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>(['Start']);
  for (const name of names) {
    let id = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z]/.test(id) || RESERVED.has(id.toLowerCase())) id = `s_${id}`;
    let unique = id;
    for (let n = 2; used.has(unique); n++) unique = `${id}_${n}`;
    used.add(unique);
    ids.set(name, unique);
  }
  return ids;
}

function label(node: GraphNode, run: GraphRunInfo | undefined): string {
  const lines = [
    `<b>${escapeMermaid(node.name)}</b>`,
    node.subtitle,
    ...node.retries,
    ...countLines(node, run),
  ];
  return lines.map((line, i) => (i === 0 ? line : escapeMermaid(line))).join('<br/>');
}

function shape(node: GraphNode, text: string): string {
  if (node.type === 'Choice') return `{{"${text}"}}`;
  if (node.type === 'Succeed' || node.type === 'Fail') return `(["${text}"])`;
  return `("${text}")`;
}

function emit(
  model: GraphModel,
  ids: Map<string, string>,
  run: GraphRunInfo | undefined,
  indent: string,
): string[] {
  const out: string[] = [];
  const id = (name: string) => ids.get(name) ?? 'unknown';
  for (const node of model.nodes) {
    if (node.inner) {
      out.push(`${indent}subgraph ${id(node.name)}["${label(node, run)}"]`, `${indent}  direction TB`);
      out.push(...emit(node.inner, ids, run, `${indent}  `), `${indent}end`);
    } else {
      out.push(`${indent}${id(node.name)}${shape(node, label(node, run))}`);
    }
  }
  for (const edge of model.edges) {
    const arrow = edge.kind === 'catch' ? '-.->' : '-->';
    const text = edge.label ? `|"${escapeMermaid(edge.label)}"|` : '';
    out.push(`${indent}${id(edge.from)} ${arrow}${text} ${id(edge.to)}`);
  }
  return out;
}

export function renderMermaid(definition: object, run?: GraphRunInfo): string {
  const model = buildModel(definition);
  const nodes = allNodes(model);
  const ids = idsFor(nodes.map((n) => n.name));
  const lines = ['flowchart TD'];
  if (run) lines.push(`  %% Run ${escapeMermaid(run.runId)}: ${run.status}`);
  lines.push(
    '  Start((Start))',
    `  Start --> ${ids.get(model.startAt) ?? 'unknown'}`,
    ...emit(model, ids, run, '  '),
  );
  if (run) {
    const outcomes: StateOutcome[] = ['succeeded', 'failed', 'caught', 'not-run', 'running'];
    for (const outcome of outcomes) {
      const { fill, stroke } = PALETTE[outcome];
      const members = nodes.filter((n) => (run.states[n.name]?.outcome ?? 'not-run') === outcome);
      lines.push(`  classDef ${outcome.replace('-', '_')} fill:${fill},stroke:${stroke},color:#202124`);
      // `class` does not reach subgraphs in every Mermaid version; `style` does.
      for (const node of members.filter((n) => n.inner)) {
        lines.push(`  style ${ids.get(node.name)} fill:${fill},stroke:${stroke}`);
      }
      const plain = members.filter((n) => !n.inner).map((n) => ids.get(n.name));
      if (plain.length) lines.push(`  class ${plain.join(',')} ${outcome.replace('-', '_')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
