import type { Layout } from './layout';
import type { GraphEdge, GraphModel } from './model';

/** What the SVG's node and edge drawing share: text primitives and the measured drawing of one level. */

export type Point = { x: number; y: number };

export const LABEL_LINE = 12;
const LABEL_CHARS = 30;
// A private-use character keeps the Start marker apart from any state name and is still valid XML.
export const START_ID = '\ue000start';

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

/** A coordinate with one decimal, as written into the SVG. */
export const f = (n: number) => String(Math.round(n * 10) / 10);

/** An edge label's lines, each at most LABEL_CHARS characters unless one word is longer. */
export function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + word.length + 1 <= LABEL_CHARS)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

export interface Line {
  text: string;
  size: number;
  bold?: boolean;
  color: string;
}

export interface Drawing {
  model: GraphModel;
  layout: Layout;
  /** The model's edges in the order given to the layout (the Start edge first on the top level). */
  edges: (GraphEdge | undefined)[];
  inner: Map<string, Drawing>;
  lines: Map<string, Line[]>;
  width: number;
  height: number;
}
