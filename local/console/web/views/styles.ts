/** The views' own styles (class prefix cv-), added once to the page. */
export const VIEW_CSS = `
.cv-error { color: #b3261e; }
.cv-muted { color: #6b7280; font-size: 12px; }
.cv-mono, .cv-json { font-family: ui-monospace, monospace; font-size: 12px; }
.cv-json { background: #f6f8fa; padding: 6px 8px; overflow: auto; max-height: 220px; margin: 0; }
.cv-table { border-collapse: collapse; width: 100%; font-size: 13px; }
.cv-table th, .cv-table td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
.cv-table td.cv-mono { word-break: break-all; }
.cv-log-warn td { background: #fff8e1; } .cv-log-error td { background: #fdecea; }
.cv-round { margin: 10px 0 4px; font-size: 13px; }
.cv-legend { display: flex; gap: 12px; flex-wrap: wrap; font-size: 12px; margin: 4px 0; }
.cv-swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
.cv-canvas { display: block; cursor: pointer; }
.cv-tip { position: fixed; pointer-events: none; background: #111827; color: #fff; font-size: 12px;
  padding: 4px 6px; border-radius: 3px; white-space: pre; z-index: 10; display: none; }
.cv-panel { border: 1px solid #d1d5db; padding: 8px; margin-top: 10px; }
.cv-panel:empty { display: none; }
.cv-panel-head { display: flex; gap: 8px; align-items: center; }
.cv-close { margin-left: auto; }
.cv-badge { padding: 1px 6px; border-radius: 8px; color: #fff; font-size: 12px; }
.cv-delivered { background: #2e9d5b; } .cv-requeued { background: #e0a030; } .cv-deadLettered { background: #c62828; }
.cv-failed { background: #8e44ad; } .cv-running { background: #2f7fd0; } .cv-pending { background: #9ca3af; }
.cv-toolbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.cv-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; }
.cv-chart h5 { margin: 4px 0; }
/* The parts of uPlot's layout its canvas needs (its own sheet is dist/uPlot.min.css). */
.uplot { position: relative; font-size: 12px; }
.uplot .u-wrap { position: relative; user-select: none; }
.uplot .u-over, .uplot .u-under { position: absolute; }
.uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
.uplot .u-axis { position: absolute; }
.uplot .u-legend { font-size: 12px; margin: 2px auto; text-align: center; }
.uplot .u-legend .u-marker { width: 10px; height: 10px; margin-right: 4px; display: inline-block; vertical-align: middle; }
.uplot .u-legend tr { display: inline-flex; margin-right: 12px; }
.uplot .u-legend th { font-weight: normal; }
.uplot .u-cursor-x, .uplot .u-cursor-y { position: absolute; left: 0; top: 0; pointer-events: none; }
.uplot .u-cursor-x { height: 100%; border-right: 1px dashed #607d8b; }
.uplot .u-cursor-y { width: 100%; border-bottom: 1px dashed #607d8b; }
.uplot .u-select { background: rgba(0,0,0,0.07); position: absolute; pointer-events: none; }
.uplot .u-cursor-pt { position: absolute; top: 0; left: 0; border-radius: 50%; border: 0 solid; pointer-events: none; }
`;
