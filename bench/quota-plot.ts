/** A plain SVG of achieved rate ÷ quota over time, one panel per case; no plotting library needed. */

export interface PlotPanel {
  title: string;
  /** Seconds since the first second with traffic, and the achieved rate ÷ the quota in that second. */
  points: { t: number; ratio: number }[];
  /** Dashed reference lines, as fractions of the quota (1 = the quota; 0.5 = a shared half). */
  marks: { at: number; label: string }[];
}

const WIDTH = 760;
const PANEL_HEIGHT = 150;
const LEFT = 52;
const RIGHT = 16;
const TOP = 26;
const BOTTOM = 24;
const Y_MAX = 1.4;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panel(p: PlotPanel, top: number): string {
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = PANEL_HEIGHT - TOP - BOTTOM;
  const tMax = Math.max(1, ...p.points.map((q) => q.t));
  const x = (t: number) => LEFT + (t / tMax) * plotW;
  const y = (r: number) => top + TOP + plotH - (Math.min(r, Y_MAX) / Y_MAX) * plotH;
  const parts = [
    `<text x="${LEFT}" y="${top + 16}" font-size="13" font-weight="bold">${escapeXml(p.title)}</text>`,
    `<rect x="${LEFT}" y="${top + TOP}" width="${plotW}" height="${plotH}" fill="none" stroke="#bbb"/>`,
  ];
  for (const tick of [0, 0.5, 1]) {
    parts.push(
      `<text x="${LEFT - 6}" y="${y(tick) + 4}" font-size="10" text-anchor="end">${tick.toFixed(1)}</text>`,
    );
  }
  const step = tMax > 60 ? 20 : 10;
  for (let t = 0; t <= tMax; t += step) {
    parts.push(
      `<text x="${x(t)}" y="${top + PANEL_HEIGHT - 8}" font-size="10" text-anchor="middle">${t} s</text>`,
    );
  }
  for (const mark of p.marks) {
    parts.push(
      `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(mark.at)}" y2="${y(mark.at)}" stroke="#d33" stroke-dasharray="5,4"/>`,
      `<text x="${LEFT + plotW - 4}" y="${y(mark.at) - 4}" font-size="10" text-anchor="end" fill="#d33">${escapeXml(mark.label)}</text>`,
    );
  }
  const line = p.points.map((q) => `${x(q.t).toFixed(1)},${y(q.ratio).toFixed(1)}`).join(' ');
  parts.push(`<polyline points="${line}" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>`);
  return parts.join('\n');
}

export function rateSvg(title: string, panels: PlotPanel[]): string {
  const height = 30 + panels.length * PANEL_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...panels.map((p, i) => panel(p, 30 + i * PANEL_HEIGHT)),
    '</svg>',
    '',
  ].join('\n');
}
