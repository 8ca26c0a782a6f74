import type { Box, Layout } from './layout';
import type { GraphEdge } from './model';
import type { GraphRunInfo } from './stats';
import { type Drawing, escapeXml, f, LABEL_LINE, type Point, START_ID, wrap } from './svg-parts';

/** The SVG's edges: ports on the boxes, forward curves, loops up their lanes, and the labels. */

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
export interface Labels {
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

type LaidOutEdge = Layout['edges'][number];

/** One edge of a level with its end boxes and bends moved to where the level is drawn. */
interface EdgeEnds {
  e: LaidOutEdge;
  i: number;
  from: Box | undefined;
  to: Box | undefined;
  via: Point[];
}

/** Edges sharing a box side get their own ports, in the order of where they go, so arrows don't merge. */
function edgePorts(ends: EdgeEnds[]): Map<number, { out: Point; in: Point }> {
  const ports = new Map<number, { out: Point; in: Point }>();
  for (const bottom of [true, false]) {
    const groups = new Map<string, EdgeEnds[]>();
    for (const end of ends.filter((x) => !x.e.back)) {
      const key = bottom ? end.e.from : end.e.to;
      groups.set(key, [...(groups.get(key) ?? []), end]);
    }
    for (const group of groups.values()) {
      const other = (x: EdgeEnds) => {
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
  return ports;
}

/** The loop leaves the source's outer side, climbs its lane and enters the target's header. */
function backEdge(
  e: LaidOutEdge,
  from: Box,
  to: Box,
  ends: EdgeEnds[],
  ox: number,
): { path: string; labelAt: Point } {
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
  const rank = siblings.filter((x) => (right ? (x.e.lane?.x ?? 0) > mine : (x.e.lane?.x ?? 0) < mine)).length;
  const ty =
    to.y +
    (siblings.length > 1 ? (to.height * (rank + 1)) / (siblings.length + 1) : Math.min(22, to.height / 3));
  // A state that loops to itself gets a small arc on its left, away from the lanes (mostly right).
  const [y1, y2] = [from.y + from.height * 0.35, from.y + from.height * 0.7];
  if (e.from === e.to) {
    return {
      path: `M${f(from.x)},${f(y1)} C${f(from.x - 40)},${f(y1)} ${f(from.x - 40)},${f(y2)} ${f(from.x)},${f(y2)}`,
      labelAt: { x: from.x - 30, y: (y1 + y2) / 2 },
    };
  }
  return {
    path: `M${f(sx)},${f(sy)} H${f(laneX - r)} Q${f(laneX)},${f(sy)} ${f(laneX)},${f(sy - Math.abs(r))} V${f(ty + Math.abs(r))} Q${f(laneX)},${f(ty)} ${f(laneX - r)},${f(ty)} H${f(tx)}`,
    labelAt: { x: laneX, y: (sy + ty) / 2 },
  };
}

export function drawEdges(
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
  const ends: EdgeEnds[] = d.layout.edges.map((e, i) => ({
    e,
    i,
    from: at(e.from),
    to: at(e.to),
    via: e.via.map((p) => ({ x: p.x + ox, y: p.y + oy })),
  }));
  const ports = edgePorts(ends);
  for (const { e, i, from, to, via } of ends) {
    if (!from || !to) continue;
    const graphEdge = d.edges[e.index] ?? { from: e.from, to: e.to, kind: 'next' as const };
    const style = edgeStyle(graphEdge, run);
    let path: string;
    let labelAt: Point;
    if (e.back) {
      ({ path, labelAt } = backEdge(e, from, to, ends, ox));
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
