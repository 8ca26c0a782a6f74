import type { RunDetail } from './types';

/** What a tab of the run page gets: the run's id, and its latest state as the stream brings it. */
export interface RunTabContext {
  runId: string;
  /** Called with each new state of the run (about every 300 ms while it changes). */
  onUpdate: (listener: (run: RunDetail) => void) => void;
}

export interface RunTab {
  id: string;
  title: string;
  /** Draws the tab into `host` when first opened; returns what stops it when the page is left. */
  render: (host: HTMLElement, context: RunTabContext) => () => void;
}

/**
 * THE PLACE FOR MORE TABS on the run page, after Graph and Events: the Map Run grid, Records and
 * Metrics views (local/console/web/views/*) are added here, each reading its route from
 * local/console/server/extensions.ts.
 */
export const RUN_TABS: RunTab[] = [];
