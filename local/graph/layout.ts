/**
 * A small layered (Sugiyama-style) layout, top to bottom: back edges found by DFS from the start,
 * longest-path layers over the rest, long edges split by dummy points so they bend around the
 * layers they cross, barycentre ordering, then x positions pulled towards neighbours.
 */

export interface LayoutNodeInput {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdgeInput {
  from: string;
  to: string;
  /** Height of the edge's label, which must fit in the gap below the source's layer. */
  labelHeight?: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  layer: number;
}

export interface RoutedEdge {
  from: string;
  to: string;
  /** Position of the edge in the input list. */
  index: number;
  back: boolean;
  /** Forward edges: the points the edge passes between its ports (dummy nodes), top to bottom. */
  via: { x: number; y: number }[];
  /** Back edges: the vertical lane beside the rows they climb, outside every box of those rows. */
  lane?: { side: 'left' | 'right'; x: number };
}

export interface Layout {
  boxes: Map<string, Box>;
  edges: RoutedEdge[];
  width: number;
  height: number;
  /** Top and bottom of each layer's row. */
  rows: { top: number; bottom: number }[];
}

const NODE_GAP = 36;
const DUMMY_WIDTH = 16;
const LAYER_GAP = 44;
const LANE_GAP = 28;

interface Vertex {
  id: string;
  width: number;
  height: number;
  layer: number;
  x: number;
  dummy: boolean;
}

function findBackEdges(ids: string[], startAt: string, edges: LayoutEdgeInput[]): Set<LayoutEdgeInput> {
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

function longestPathLayers(ids: string[], forward: LayoutEdgeInput[]): Map<string, number> {
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

function orderLayers(layers: Vertex[][], links: [Vertex, Vertex][]): void {
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

export function layoutGraph(nodes: LayoutNodeInput[], edges: LayoutEdgeInput[], startAt: string): Layout {
  const ids = nodes.map((n) => n.id);
  const known = edges.filter((e) => ids.includes(e.from) && ids.includes(e.to));
  const back = findBackEdges(ids, startAt, known);
  const forward = known.filter((e) => !back.has(e));
  const layerOf = longestPathLayers(ids, forward);
  const vertices = new Map<string, Vertex>(
    nodes.map((n) => [n.id, { ...n, layer: layerOf.get(n.id) ?? 0, x: 0, dummy: false }]),
  );
  const links: [Vertex, Vertex][] = [];
  const chains = new Map<LayoutEdgeInput, Vertex[]>();
  // For the ordering only, a back edge is a reversed long edge with dummies: that makes the ordering
  // push the loop's two ends to the same outer side, where the loop is then drawn outside the rows.
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

  const depth = Math.max(0, ...[...vertices.values()].map((v) => v.layer)) + 1;
  let layers: Vertex[][] = Array.from({ length: depth }, () => []);
  for (const v of vertices.values()) layers[v.layer]?.push(v);
  orderLayers(layers, links);
  const backVertices = new Set([...back].flatMap((edge) => (chains.get(edge) ?? []).filter((v) => v.dummy)));
  layers = layers.map((row) => row.filter((v) => !backVertices.has(v)));
  const placing = links.filter(([a, b]) => !backVertices.has(a) && !backVertices.has(b));
  const backEnds = new Set([...back].map((edge) => `${edge.to}\u0000${edge.from}`));
  const forwardLinks = placing.filter(([a, b]) => !backEnds.has(`${a.id}\u0000${b.id}`));

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

  const placed = layers.flat();
  const extent = (from: number, to: number, right: boolean) => {
    const xs = placed
      .filter((v) => v.layer >= from && v.layer <= to)
      .map((v) => v.x + (right ? 1 : -1) * (v.width / 2));
    return right ? Math.max(...xs) : Math.min(...xs);
  };
  let minX = extent(0, depth, false);
  let maxX = extent(0, depth, true);
  const lanes = new Map<LayoutEdgeInput, { side: 'left' | 'right'; x: number }>();
  // Shorter loops get the inner lanes, so nested loops do not cross each other.
  const outermost = { left: Number.POSITIVE_INFINITY, right: Number.NEGATIVE_INFINITY };
  const span = (e: LayoutEdgeInput) => (vertices.get(e.from)?.layer ?? 0) - (vertices.get(e.to)?.layer ?? 0);
  for (const edge of [...back].sort((a, b) => span(a) - span(b))) {
    const [upper, lower] = [vertices.get(edge.to) as Vertex, vertices.get(edge.from) as Vertex];
    if (upper === lower) {
      // Room for the small self-loop arc the renderer draws on the state's left.
      minX = Math.min(minX, upper.x - upper.width / 2 - 44);
      continue;
    }
    const row = layers[lower.layer] ?? [];
    const centre = (extent(upper.layer, lower.layer, false) + extent(upper.layer, lower.layer, true)) / 2;
    const side = row[row.length - 1] === lower || (row[0] !== lower && lower.x >= centre) ? 'right' : 'left';
    const x =
      side === 'right'
        ? Math.max(extent(upper.layer, lower.layer, true), outermost.right) + LANE_GAP
        : Math.min(extent(upper.layer, lower.layer, false), outermost.left) - LANE_GAP;
    outermost[side] = x;
    lanes.set(edge, { side, x });
    minX = Math.min(minX, x - 8);
    maxX = Math.max(maxX, x + 8);
  }

  const rows: Layout['rows'] = [];
  let y = 0;
  layers.forEach((row, l) => {
    const height = Math.max(0, ...row.map((v) => v.height));
    rows.push({ top: y, bottom: y + height });
    const labels = known.filter((e) => chains.get(e)?.[0]?.layer === l).map((e) => e.labelHeight ?? 0);
    y += height + LAYER_GAP + Math.max(0, ...labels);
  });
  const boxes = new Map<string, Box>();
  for (const v of placed) {
    if (v.dummy) continue;
    const row = rows[v.layer] ?? { top: 0, bottom: 0 };
    const top = row.top + (row.bottom - row.top - v.height) / 2;
    boxes.set(v.id, {
      x: v.x - v.width / 2 - minX,
      y: top,
      width: v.width,
      height: v.height,
      layer: v.layer,
    });
  }
  const routed: RoutedEdge[] = known.map((edge) => {
    const lane = lanes.get(edge);
    const via = back.has(edge)
      ? []
      : (chains.get(edge) ?? []).slice(1, -1).flatMap((v) => {
          const row = rows[v.layer] ?? { top: 0, bottom: 0 };
          return [
            { x: v.x - minX, y: row.top },
            { x: v.x - minX, y: row.bottom },
          ];
        });
    return {
      from: edge.from,
      to: edge.to,
      index: edges.indexOf(edge),
      back: back.has(edge),
      via,
      ...(lane ? { lane: { side: lane.side, x: lane.x - minX } } : {}),
    };
  });
  return { boxes, edges: routed, width: maxX - minX, height: Math.max(0, y - LAYER_GAP), rows };
}
