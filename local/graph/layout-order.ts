import type { LayoutEdgeInput } from './layout';

/**
 * The layout's ordering and placement phases over vertices (states and the dummies of long edges):
 * back edges, layers, edge chains, barycentre ordering and x positions.
 */

const NODE_GAP = 36;
const DUMMY_WIDTH = 16;

export interface Vertex {
  id: string;
  width: number;
  height: number;
  layer: number;
  x: number;
  dummy: boolean;
}

export function findBackEdges(
  ids: string[],
  startAt: string,
  edges: LayoutEdgeInput[],
): Set<LayoutEdgeInput> {
  const back = new Set<LayoutEdgeInput>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const edge of edges.filter((e) => e.from === id)) {
      const seen = state.get(edge.to);
      if (seen === 'open') back.add(edge);
      else if (!seen) visit(edge.to);
    }
    state.set(id, 'done');
  };
  for (const id of [startAt, ...ids]) if (ids.includes(id) && !state.has(id)) visit(id);
  return back;
}

export function longestPathLayers(ids: string[], forward: LayoutEdgeInput[]): Map<string, number> {
  const layer = new Map(ids.map((id) => [id, 0]));
  // The forward edges form a DAG, so |ids| relaxation rounds reach the fixed point.
  for (let round = 0; round < ids.length; round++) {
    let changed = false;
    for (const { from, to } of forward) {
      const candidate = (layer.get(from) ?? 0) + 1;
      if (candidate > (layer.get(to) ?? 0)) {
        layer.set(to, candidate);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

function crossings(layers: Vertex[][], links: [Vertex, Vertex][]): number {
  const position = new Map(layers.flatMap((row) => row.map((v, i) => [v, i] as const)));
  let count = 0;
  for (const [a, b] of links) {
    for (const [c, d] of links) {
      if (a.layer !== c.layer) continue;
      const [pa, pb, pc, pd] = [a, b, c, d].map((v) => position.get(v) ?? 0) as [
        number,
        number,
        number,
        number,
      ];
      if ((pa - pc) * (pb - pd) < 0) count += 1;
    }
  }
  return count / 2;
}

export function orderLayers(layers: Vertex[][], links: [Vertex, Vertex][]): void {
  const neighbours = (v: Vertex, up: boolean) =>
    links.filter(([a, b]) => (up ? b === v : a === v)).map(([a, b]) => (up ? a : b));
  let best = layers.map((row) => [...row]);
  let bestCrossings = crossings(layers, links);
  for (let sweep = 0; sweep < 8; sweep++) {
    const up = sweep % 2 === 0;
    const range = layers.map((_, i) => i);
    for (const l of up ? range.slice(1) : range.reverse().slice(1)) {
      const row = layers[l] ?? [];
      const other = layers[up ? l - 1 : l + 1] ?? [];
      const centre = new Map(
        row.map((v, i) => {
          const ns = neighbours(v, up).map((n) => other.indexOf(n));
          return [v, ns.length ? ns.reduce((s, n) => s + n, 0) / ns.length : i] as const;
        }),
      );
      row.sort((a, b) => (centre.get(a) ?? 0) - (centre.get(b) ?? 0));
    }
    const now = crossings(layers, links);
    if (now < bestCrossings) {
      bestCrossings = now;
      best = layers.map((row) => [...row]);
    }
  }
  best.forEach((row, i) => {
    layers[i] = row;
  });
}

/** Places a row as near its wished centres as the order and the gaps allow. */
function placeRow(row: Vertex[], wished: number[]): void {
  const half = (v: Vertex) => v.width / 2;
  const sep = (a: Vertex, b: Vertex) => half(a) + half(b) + NODE_GAP;
  const left = [...wished];
  for (let i = 1; i < row.length; i++) {
    left[i] = Math.max(left[i] ?? 0, (left[i - 1] ?? 0) + sep(row[i - 1] as Vertex, row[i] as Vertex));
  }
  const right = [...wished];
  for (let i = row.length - 2; i >= 0; i--) {
    right[i] = Math.min(right[i] ?? 0, (right[i + 1] ?? 0) - sep(row[i] as Vertex, row[i + 1] as Vertex));
  }
  row.forEach((v, i) => {
    v.x = ((left[i] ?? 0) + (right[i] ?? 0)) / 2;
    const before = row[i - 1];
    if (before) v.x = Math.max(v.x, before.x + sep(before, v));
  });
}

export type Chains = Map<LayoutEdgeInput, Vertex[]>;

/**
 * Every edge as a chain of vertices, one per layer it crosses (dummies in between), and the links
 * between consecutive ones. For the ordering only, a back edge is a reversed long edge with dummies:
 * that makes the ordering push the loop's two ends to the same outer side, where the loop is then
 * drawn outside the rows.
 */
export function chainEdges(
  known: LayoutEdgeInput[],
  back: Set<LayoutEdgeInput>,
  vertices: Map<string, Vertex>,
): { links: [Vertex, Vertex][]; chains: Chains } {
  const links: [Vertex, Vertex][] = [];
  const chains: Chains = new Map();
  known.forEach((edge, e) => {
    const [upper, lower] = (back.has(edge) ? [edge.to, edge.from] : [edge.from, edge.to]).map(
      (id) => vertices.get(id) as Vertex,
    ) as [Vertex, Vertex];
    const chain = [upper];
    for (let l = upper.layer + 1; l < lower.layer; l++) {
      const dummy = { id: `\u0000${e}:${l}`, width: DUMMY_WIDTH, height: 0, layer: l, x: 0, dummy: true };
      vertices.set(dummy.id, dummy);
      chain.push(dummy);
    }
    chain.push(lower);
    chains.set(edge, chain);
    if (upper !== lower)
      for (let i = 1; i < chain.length; i++) links.push([chain[i - 1] as Vertex, chain[i] as Vertex]);
  });
  return { links, chains };
}

/** x positions: rows packed, then alternate passes down and up pull each vertex over its neighbours. */
export function placeLayers(layers: Vertex[][], forwardLinks: [Vertex, Vertex][]): void {
  for (const row of layers)
    placeRow(
      row,
      row.map(() => 0),
    );
  for (let pass = 0; pass < 12; pass++) {
    const down = pass % 2 === 0;
    const order = down ? layers : [...layers].reverse();
    for (const row of order) {
      const wished = row.map((v) => {
        const ns = forwardLinks
          .filter(([a, b]) => (down ? b === v : a === v))
          .map(([a, b]) => (down ? a : b));
        return ns.length ? ns.reduce((s, n) => s + n.x, 0) / ns.length : v.x;
      });
      placeRow(row, wished);
    }
  }
}
