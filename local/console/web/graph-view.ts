import { Graph, layout } from '@dagrejs/dagre';
import { n } from './dom';
import type { GraphModel, Progress, StateStats } from './types';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 190;
const NODE_H = 58;
const PAD = 16;
const HEADER = 70;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Placed {
  boxes: Map<string, Box>;
  edges: { from: string; to: string; kind: string; label?: string; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

/** Lays out one level with dagre; a Map's box is made big enough for its own laid-out ItemProcessor. */
function place(model: GraphModel, inner: Map<string, Placed>): Placed {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 42, marginx: 8, marginy: 8 });
  for (const node of model.nodes) {
    const child = node.inner ? place(node.inner, inner) : undefined;
    if (child) inner.set(node.name, child);
    graph.setNode(node.name, {
      width: child ? Math.max(NODE_W, child.width + 2 * PAD) : NODE_W,
      height: child ? child.height + HEADER + PAD : NODE_H,
    });
  }
  model.edges.forEach((edge, index) => {
    graph.setEdge(
      edge.from,
      edge.to,
      { label: edge.label ?? '', width: edge.label ? 120 : 0, height: edge.label ? 14 : 0 },
      String(index),
    );
  });
  layout(graph);
  const boxes = new Map<string, Box>();
  for (const node of model.nodes) {
    const { x, y, width, height } = graph.node(node.name) as Box;
    boxes.set(node.name, { x: x - width / 2, y: y - height / 2, width, height });
  }
  const edges = model.edges.map((edge, index) => ({
    ...edge,
    points:
      (graph.edge(edge.from, edge.to, String(index)) as { points?: { x: number; y: number }[] })?.points ??
      [],
  }));
  const size = graph.graph() as { width?: number; height?: number };
  return { boxes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export interface GraphColours {
  stats: Record<string, StateStats>;
  progress?: Progress;
}

/** The counts line under a state's name: visits, retries, catches; records on the Map and the loop. */
function countsOf(name: string, stats: StateStats | undefined, colours: GraphColours): string {
  if (!stats) return 'not run';
  const parts = [`${n(stats.entered)} entered`];
  if (stats.retried) parts.push(`${n(stats.retried)} retried`);
  if (stats.caught) parts.push(`${n(stats.caught)} caught`);
  if (stats.failed) parts.push(`${n(stats.failed)} failed`);
  if (stats.iterations)
    parts.push(`chunks ${n(stats.iterations.succeeded)} ok / ${n(stats.iterations.failed)} failed`);
  const p = colours.progress;
  if (p && name === 'MoreRounds') parts.push(`round ${p.round}, ${n(p.requeued)} re-queued`);
  return parts.join(' · ');
}

/** The second line a Map shows: input records so far, the whole point of the job. */
function recordsOf(name: string, colours: GraphColours): string {
  const p = colours.progress;
  return p && name === 'LoadChunks'
    ? `records: ${n(p.delivered)} of ${n(p.plannedRecords)} delivered, round ${p.round}`
    : '';
}

/** The state machine drawn as the console draws it, each state coloured by what the run did there. */
export class GraphView {
  readonly element = svg('svg', { class: 'graph', role: 'img' });
  private readonly shapes = new Map<
    string,
    { rect: SVGRectElement; counts: SVGTextElement; records?: SVGTextElement }
  >();

  constructor(model: GraphModel) {
    const inner = new Map<string, Placed>();
    const top = place(model, inner);
    this.element.setAttribute('viewBox', `0 0 ${top.width} ${top.height}`);
    this.element.setAttribute('width', String(top.width));
    this.draw(model, top, inner, this.element);
  }

  private draw(model: GraphModel, placed: Placed, inner: Map<string, Placed>, parent: SVGElement): void {
    for (const edge of placed.edges) {
      const d = edge.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
      parent.append(svg('path', { d, class: `edge edge-${edge.kind}`, 'marker-end': 'url(#arrow)' }));
      const middle = edge.points[Math.floor(edge.points.length / 2)];
      if (edge.label && middle)
        parent.append(
          svg('text', { x: middle.x + 4, y: middle.y, class: 'edge-label' }, edge.label.slice(0, 40)),
        );
    }
    for (const node of model.nodes) {
      const box = placed.boxes.get(node.name);
      if (!box) continue;
      const group = svg('g', { class: 'state', 'data-state': node.name, 'data-outcome': 'not-run' });
      const rect = svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 6 });
      group.append(rect, svg('title', {}, node.details));
      group.append(svg('text', { x: box.x + 10, y: box.y + 17, class: 'name' }, node.name));
      group.append(svg('text', { x: box.x + 10, y: box.y + 31, class: 'subtitle' }, node.subtitle));
      const counts = svg('text', { x: box.x + 10, y: box.y + 46, class: 'counts' }, '');
      group.append(counts);
      const records = node.inner
        ? svg('text', { x: box.x + 10, y: box.y + 60, class: 'counts' }, '')
        : undefined;
      if (records) group.append(records);
      parent.append(group);
      this.shapes.set(node.name, { rect, counts, ...(records ? { records } : {}) });
      const child = inner.get(node.name);
      if (node.inner && child) {
        const nested = svg('g', {
          transform: `translate(${box.x + (box.width - child.width) / 2},${box.y + HEADER + 12})`,
        });
        parent.append(nested);
        this.draw(node.inner, child, inner, nested);
      }
    }
    if (parent === this.element) {
      const defs = svg('defs', {});
      const marker = svg('marker', {
        id: 'arrow',
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 7,
        markerHeight: 7,
        orient: 'auto',
      });
      marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }));
      defs.append(marker);
      parent.prepend(defs);
    }
  }

  /** Colours and counts from the run's statistics so far. */
  update(colours: GraphColours): void {
    for (const [name, shape] of this.shapes) {
      const stats = colours.stats[name];
      const outcome = !stats
        ? 'not-run'
        : stats.outcome === 'running' && stats.retried
          ? 'retried'
          : stats.outcome;
      shape.rect.parentElement?.setAttribute('data-outcome', outcome);
      shape.counts.textContent = countsOf(name, stats, colours);
      if (shape.records) shape.records.textContent = recordsOf(name, colours);
    }
  }
}
