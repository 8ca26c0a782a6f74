import { layoutGraph } from './layout';
import { allNodes, buildModel, type GraphEdge, type GraphModel, type GraphNode } from './model';
import type { GraphRunInfo, StateOutcome } from './stats';
import { countLines, PALETTE } from './style';
import { drawEdges, type Labels } from './svg-edges';
import { type Drawing, escapeXml, f, LABEL_LINE, type Line, START_ID, wrap } from './svg-parts';

const FONT = 'Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif';
const LINE_GAP = 4;
const BOX_PAD_X = 14;
const BOX_PAD_Y = 9;
const MAP_PAD = 18;
const MARGIN = 20;
const HEADER = 64;
// No font metrics without a browser: an average glyph width, generous so text stays inside its box.
const textWidth = (line: Line) => line.text.length * line.size * (line.bold ? 0.64 : 0.58);
const linesHeight = (lines: Line[]) => lines.reduce((h, l) => h + l.size + LINE_GAP, 0) - LINE_GAP;

function nodeLines(node: GraphNode, run: GraphRunInfo | undefined): Line[] {
  return [
    { text: node.name, size: 13, bold: true, color: '#202124' },
    { text: node.subtitle, size: 11, color: '#5f6368' },
    ...node.retries.map((text) => ({ text, size: 10, color: '#8d5b00' })),
    ...countLines(node, run).map((text) => ({ text, size: 10.5, color: '#202124' })),
  ];
}

function measure(model: GraphModel, run: GraphRunInfo | undefined, withStart: boolean): Drawing {
  const inner = new Map<string, Drawing>();
  const lines = new Map<string, Line[]>();
  const sizes = model.nodes.map((node) => {
    const text = nodeLines(node, run);
    lines.set(node.name, text);
    const textW = Math.max(...text.map(textWidth)) + 2 * BOX_PAD_X;
    const textH = linesHeight(text) + 2 * BOX_PAD_Y;
    if (!node.inner) return { id: node.name, width: Math.max(textW, 120), height: textH };
    const child = measure(node.inner, run, false);
    inner.set(node.name, child);
    return {
      id: node.name,
      width: Math.max(textW, child.width + 2 * MAP_PAD),
      height: textH + child.height + MAP_PAD,
    };
  });
  const edges = model.edges.map((e) => ({
    from: e.from,
    to: e.to,
    labelHeight: e.label ? wrap(e.label).length * LABEL_LINE + 6 : 0,
  }));
  const graphEdges: (GraphEdge | undefined)[] = [...model.edges];
  if (withStart) {
    sizes.unshift({ id: START_ID, width: 56, height: 24 });
    edges.unshift({ from: START_ID, to: model.startAt, labelHeight: 0 });
    graphEdges.unshift(undefined);
  }
  const layout = layoutGraph(sizes, edges, withStart ? START_ID : model.startAt);
  return { model, layout, edges: graphEdges, inner, lines, width: layout.width, height: layout.height };
}

function drawLevel(
  d: Drawing,
  ox: number,
  oy: number,
  run: GraphRunInfo | undefined,
  out: string[],
  labels: Labels,
) {
  drawEdges(d, ox, oy, run, out, labels);
  const start = d.layout.boxes.get(START_ID);
  if (start) {
    const x = start.x + ox;
    out.push(
      `<rect class="start" x="${f(x)}" y="${f(start.y + oy)}" width="${start.width}" height="${start.height}" rx="12" fill="#ffffff" stroke="#5f6368"/>`,
      `<text x="${f(x + start.width / 2)}" y="${f(start.y + oy + 16)}" font-size="11" fill="#5f6368" text-anchor="middle">Start</text>`,
    );
  }
  for (const node of d.model.nodes) {
    const b = d.layout.boxes.get(node.name);
    if (!b) continue;
    const x = b.x + ox;
    const y = b.y + oy;
    const outcome = run ? (run.states[node.name]?.outcome ?? 'not-run') : 'none';
    const colours = PALETTE[outcome];
    const lines = d.lines.get(node.name) ?? [];
    const tooltip = [node.details, ...countLines(node, run)].join('\n');
    out.push(
      `<g class="state" data-state="${escapeXml(node.name)}" data-outcome="${outcome}">`,
      `<title>${escapeXml(tooltip)}</title>`,
      `<rect x="${f(x)}" y="${f(y)}" width="${f(b.width)}" height="${f(b.height)}" rx="8" fill="${colours.fill}" stroke="${colours.stroke}" stroke-width="${node.inner ? 1.6 : 1.4}"${node.inner ? ' stroke-dasharray="7 4"' : ''}/>`,
    );
    let ty = y + BOX_PAD_Y;
    for (const line of lines) {
      ty += line.size;
      out.push(
        `<text x="${f(x + b.width / 2)}" y="${f(ty - 2)}" font-size="${line.size}"${line.bold ? ' font-weight="bold"' : ''} fill="${line.color}" text-anchor="middle">${escapeXml(line.text)}</text>`,
      );
      ty += LINE_GAP;
    }
    out.push('</g>');
    const child = d.inner.get(node.name);
    if (child) {
      const headerH = linesHeight(lines) + 2 * BOX_PAD_Y;
      drawLevel(child, x + (b.width - child.width) / 2, y + headerH, run, out, labels);
    }
  }
}

function legend(run: GraphRunInfo, x: number, y: number): string[] {
  const outcomes: StateOutcome[] = ['succeeded', 'failed', 'caught', 'not-run'];
  if (Object.values(run.states).some((s) => s.outcome === 'running')) outcomes.push('running');
  const out: string[] = [];
  let cx = x;
  for (const outcome of outcomes) {
    const { fill, stroke, label } = PALETTE[outcome];
    out.push(
      `<g class="legend" data-outcome="${outcome}"><rect x="${cx}" y="${y - 10}" width="14" height="12" rx="3" fill="${fill}" stroke="${stroke}"/>`,
      `<text x="${cx + 19}" y="${y}" font-size="11" fill="#3c4043">${escapeXml(label)}</text></g>`,
    );
    cx += 19 + label.length * 11 * 0.55 + 16;
  }
  return out;
}

export function renderSvg(definition: object, run?: GraphRunInfo): string {
  const model = buildModel(definition);
  const drawing = measure(model, run, true);
  const body: string[] = [];
  const labels: Labels = { parts: [], right: 0 };
  drawLevel(drawing, MARGIN, MARGIN + HEADER, run, body, labels);
  const title = run ? `Run ${run.runId} · ${run.status}` : 'State machine';
  const stateCount = allNodes(model).length;
  const width = Math.ceil(
    Math.max(
      drawing.width + 2 * MARGIN,
      labels.right + MARGIN,
      title.length * 16 * 0.64 + 2 * MARGIN,
      run ? 460 : 0,
    ),
  );
  const height = Math.ceil(drawing.height + HEADER + 2 * MARGIN);
  const statusColour = run ? PALETTE[run.status === 'SUCCEEDED' ? 'succeeded' : 'failed'].stroke : '#202124';
  const marker = (id: string, fill: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${fill}"/></marker>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<title>${escapeXml(`${title} (${stateCount} states)`)}</title>`,
    `<defs>${marker('arrow', '#5f6368')}${marker('arrow-faded', '#c4c7c5')}</defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text class="title" x="${MARGIN}" y="${MARGIN + 12}" font-size="16" font-weight="bold" fill="${statusColour}">${escapeXml(title)}</text>`,
    ...(run ? legend(run, MARGIN, MARGIN + 40) : []),
    ...body,
    ...labels.parts,
    '</svg>',
    '',
  ].join('\n');
}
