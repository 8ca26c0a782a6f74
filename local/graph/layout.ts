import {
  type Chains,
  chainEdges,
  findBackEdges,
  longestPathLayers,
  orderLayers,
  placeLayers,
  type Vertex,
} from './layout-order';

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

const LAYER_GAP = 44;
const LANE_GAP = 28;

type Lanes = Map<LayoutEdgeInput, { side: 'left' | 'right'; x: number }>;

/** A lane beside the rows for each loop, and the horizontal extent with the lanes included. */
function assignLanes(
  back: Set<LayoutEdgeInput>,
  vertices: Map<string, Vertex>,
  layers: Vertex[][],
  depth: number,
): { lanes: Lanes; minX: number; maxX: number } {
  const placed = layers.flat();
  const extent = (from: number, to: number, right: boolean) => {
    const xs = placed
      .filter((v) => v.layer >= from && v.layer <= to)
      .map((v) => v.x + (right ? 1 : -1) * (v.width / 2));
    return right ? Math.max(...xs) : Math.min(...xs);
  };
  let minX = extent(0, depth, false);
  let maxX = extent(0, depth, true);
  const lanes: Lanes = new Map();
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
  return { lanes, minX, maxX };
}

/** Rows tall enough for their boxes and the labels of the edges leaving them; boxes centred in them. */
function rowsAndBoxes(
  layers: Vertex[][],
  known: LayoutEdgeInput[],
  chains: Chains,
  minX: number,
): { rows: Layout['rows']; boxes: Map<string, Box>; height: number } {
  const rows: Layout['rows'] = [];
  let y = 0;
  layers.forEach((row, l) => {
    const height = Math.max(0, ...row.map((v) => v.height));
    rows.push({ top: y, bottom: y + height });
    const labels = known.filter((e) => chains.get(e)?.[0]?.layer === l).map((e) => e.labelHeight ?? 0);
    y += height + LAYER_GAP + Math.max(0, ...labels);
  });
  const boxes = new Map<string, Box>();
  for (const v of layers.flat()) {
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
  return { rows, boxes, height: Math.max(0, y - LAYER_GAP) };
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
  const { links, chains } = chainEdges(known, back, vertices);

  const depth = Math.max(0, ...[...vertices.values()].map((v) => v.layer)) + 1;
  let layers: Vertex[][] = Array.from({ length: depth }, () => []);
  for (const v of vertices.values()) layers[v.layer]?.push(v);
  orderLayers(layers, links);
  const backVertices = new Set([...back].flatMap((edge) => (chains.get(edge) ?? []).filter((v) => v.dummy)));
  layers = layers.map((row) => row.filter((v) => !backVertices.has(v)));
  const placing = links.filter(([a, b]) => !backVertices.has(a) && !backVertices.has(b));
  const backEnds = new Set([...back].map((edge) => `${edge.to}\u0000${edge.from}`));
  placeLayers(
    layers,
    placing.filter(([a, b]) => !backEnds.has(`${a.id}\u0000${b.id}`)),
  );

  const { lanes, minX, maxX } = assignLanes(back, vertices, layers, depth);
  const { rows, boxes, height } = rowsAndBoxes(layers, known, chains, minX);
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
  return { boxes, edges: routed, width: maxX - minX, height, rows };
}
