import { type Box, type Layout, layoutGraph } from './layout';
import { allNodes, buildModel, type GraphEdge, type GraphModel, type GraphNode } from './model';
import type { GraphRunInfo, StateOutcome } from './stats';
import { countLines, PALETTE } from './style';

type Point = { x: number; y: number };

const FONT = 'Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif';
const LINE_GAP = 4;
const BOX_PAD_X = 14;
const BOX_PAD_Y = 9;
const MAP_PAD = 18;
const LABEL_LINE = 12;
const LABEL_CHARS = 30;
const MARGIN = 20;
const HEADER = 64;
// A private-use character keeps the Start marker apart from any state name and is still valid XML.
const START_ID = '\ue000start';

/** XML 1.0 allows no control characters but tab and line breaks, not even as references: drop them. */
const xmlChar = (c: string) => c >= ' ' || c === '\t' || c === '\n' || c === '\r';

export const escapeXml = (text: string): string =>
  [...text]
    .filter(xmlChar)
    .join('')
    .replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
    );

interface Line {
  text: string;
  size: number;
  bold?: boolean;
  color: string;
}

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

function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + word.length + 1 <= LABEL_CHARS)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

interface Drawing {
  model: GraphModel;
  layout: Layout;
  /** The model's edges in the order given to the layout (the Start edge first on the top level). */
  edges: (GraphEdge | undefined)[];
  inner: Map<string, Drawing>;
  lines: Map<string, Line[]>;
  width: number;
  height: number;
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

/** Bottom (out) or top (in) ports spread across a box, ordered by where the other end lies. */
function port(box: Box, index: number, count: number, bottom: boolean): Point {
  const spacing = Math.min(36, (box.width * 0.7) / Math.max(1, count));
  return {
    x: box.x + box.width / 2 + (index - (count - 1) / 2) * spacing,
    y: bottom ? box.y + box.height : box.y,
  };
}

function smoothPath(points: Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${f(first.x)},${f(first.y)}`;
  let previous = first;
  for (const p of rest) {
    const mid = (previous.y + p.y) / 2;
    d += ` C${f(previous.x)},${f(mid)} ${f(p.x)},${f(mid)} ${f(p.x)},${f(p.y)}`;
    previous = p;
  }
  return d;
}

/** The point of smoothPath's segment a→b at height y (y is monotone along it, so bisection finds t). */
function pointAtY(a: Point, b: Point, y: number): Point {
  const mid = (a.y + b.y) / 2;
  const at = (t: number) => {
    const u = 1 - t;
    return {
      x: u * u * u * a.x + 3 * u * u * t * a.x + 3 * u * t * t * b.x + t * t * t * b.x,
      y: u * u * u * a.y + 3 * u * u * t * mid + 3 * u * t * t * mid + t * t * t * b.y,
    };
  };
  let [lo, hi] = [0, 1];
  for (let i = 0; i < 24; i++) {
    const t = (lo + hi) / 2;
    if (at(t).y < y === a.y < b.y) lo = t;
    else hi = t;
  }
  return at((lo + hi) / 2);
}

const f = (n: number) => String(Math.round(n * 10) / 10);

function edgeStyle(
  edge: GraphEdge,
  run: GraphRunInfo | undefined,
): { stroke: string; marker: string; dash: string } {
  const ran = (name: string) => name === START_ID || (run?.states[name]?.entered ?? 0) > 0;
  const faded = run !== undefined && !(ran(edge.from) && ran(edge.to));
  return {
    stroke: faded ? '#c4c7c5' : '#5f6368',
    marker: faded ? 'url(#arrow-faded)' : 'url(#arrow)',
    dash: edge.kind === 'catch' ? ' stroke-dasharray="5 4"' : '',
  };
}

/** Edge labels are drawn last, over the boxes; `right` is how far they reach, for the picture's width. */
interface Labels {
  parts: string[];
  right: number;
}

function drawLabel(text: string, at: Point, out: Labels): void {
  const lines = wrap(text);
  const width = Math.max(...lines.map((l) => l.length * 10 * 0.55)) + 6;
  const height = lines.length * LABEL_LINE + 4;
  const top = at.y - height / 2;
  out.right = Math.max(out.right, at.x + width / 2);
  out.parts.push(
    `<rect x="${f(at.x - width / 2)}" y="${f(top)}" width="${f(width)}" height="${f(height)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
    ...lines.map(
      (l, i) =>
        `<text x="${f(at.x)}" y="${f(top + 2 + (i + 1) * LABEL_LINE - 2.5)}" font-size="10" fill="#3c4043" text-anchor="middle">${escapeXml(l)}</text>`,
    ),
  );
}

function drawEdges(
  d: Drawing,
  ox: number,
  oy: number,
  run: GraphRunInfo | undefined,
  out: string[],
  labels: Labels,
) {
  const at = (name: string): Box | undefined => {
    const b = d.layout.boxes.get(name);
    return b && { ...b, x: b.x + ox, y: b.y + oy };
  };
  const ends = d.layout.edges.map((e, i) => ({
    e,
    i,
    from: at(e.from),
    to: at(e.to),
    via: e.via.map((p) => ({ x: p.x + ox, y: p.y + oy })),
  }));
  // Edges sharing a box side get their own ports, in the order of where they go, so arrows don't merge.
  const ports = new Map<number, { out: Point; in: Point }>();
  for (const bottom of [true, false]) {
    const groups = new Map<string, typeof ends>();
    for (const end of ends.filter((x) => !x.e.back)) {
      const key = bottom ? end.e.from : end.e.to;
      groups.set(key, [...(groups.get(key) ?? []), end]);
    }
    for (const group of groups.values()) {
      const other = (x: (typeof ends)[number]) => {
        const point = bottom ? x.via[0] : x.via[x.via.length - 1];
        const box = bottom ? x.to : x.from;
        return point ? point.x : (box?.x ?? 0) + (box?.width ?? 0) / 2;
      };
      group.sort((a, b) => other(a) - other(b));
      group.forEach((x, k) => {
        const box = bottom ? x.from : x.to;
        if (!box) return;
        const p = port(box, k, group.length, bottom);
        const entry = ports.get(x.i) ?? { out: p, in: p };
        ports.set(x.i, bottom ? { ...entry, out: p } : { ...entry, in: p });
      });
    }
  }
  for (const { e, i, from, to, via } of ends) {
    if (!from || !to) continue;
    const graphEdge = d.edges[e.index] ?? { from: e.from, to: e.to, kind: 'next' as const };
    const style = edgeStyle(graphEdge, run);
    let path: string;
    let labelAt: Point;
    if (e.back) {
      // The loop leaves the source's outer side, climbs its lane and enters the target's header.
      const right = (e.lane?.side ?? 'right') === 'right';
      const laneX = e.lane ? e.lane.x + ox : from.x + from.width + 24;
      const r = right ? 10 : -10;
      const sx = right ? from.x + from.width : from.x;
      const tx = right ? to.x + to.width : to.x;
      const sy = from.y + from.height / 2;
      // Loops into the same state enter it at different heights, outer lanes higher.
      const siblings = ends.filter(
        (x) => x.e.back && x.e.to === e.to && x.e.from !== x.e.to && x.e.lane?.side === e.lane?.side,
      );
      const mine = e.lane?.x ?? 0;
      const rank = siblings.filter((x) =>
        right ? (x.e.lane?.x ?? 0) > mine : (x.e.lane?.x ?? 0) < mine,
      ).length;
      const ty =
        to.y +
        (siblings.length > 1
          ? (to.height * (rank + 1)) / (siblings.length + 1)
          : Math.min(22, to.height / 3));
      // A state that loops to itself gets a small arc on its left, away from the lanes (mostly right).
      const [y1, y2] = [from.y + from.height * 0.35, from.y + from.height * 0.7];
      path =
        e.from === e.to
          ? `M${f(from.x)},${f(y1)} C${f(from.x - 40)},${f(y1)} ${f(from.x - 40)},${f(y2)} ${f(from.x)},${f(y2)}`
          : `M${f(sx)},${f(sy)} H${f(laneX - r)} Q${f(laneX)},${f(sy)} ${f(laneX)},${f(sy - Math.abs(r))} V${f(ty + Math.abs(r))} Q${f(laneX)},${f(ty)} ${f(laneX - r)},${f(ty)} H${f(tx)}`;
      labelAt = e.from === e.to ? { x: from.x - 30, y: (y1 + y2) / 2 } : { x: laneX, y: (sy + ty) / 2 };
    } else {
      const p = ports.get(i);
      const points = [p?.out ?? port(from, 0, 1, true), ...via, p?.in ?? port(to, 0, 1, false)];
      path = smoothPath(points);
      const [a, b] = points as [Point, Point];
      // Centred in the gap below the source's row, where the layout left room for labels.
      const nextRow = d.layout.rows[from.layer + 1];
      labelAt = pointAtY(a, b, nextRow ? (a.y + nextRow.top + oy) / 2 : (a.y + b.y) / 2);
    }
    out.push(
      `<path class="edge edge-${graphEdge.kind}${e.back ? ' edge-back' : ''}" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}" d="${path}" fill="none" stroke="${style.stroke}" stroke-width="1.4"${style.dash} marker-end="${style.marker}"/>`,
    );
    if (graphEdge.label) drawLabel(graphEdge.label, labelAt, labels);
  }
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
