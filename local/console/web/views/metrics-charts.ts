import uPlot from 'uplot';
import { el, ensureStyle, errorLine, fmt } from './el';
import type { ViewSource } from './source';
import { VIEW_CSS } from './styles';
import type { ChartSeries, MetricsView, ViewHandle } from './types';

const TITLES: Record<string, string> = {
  incomingRecords: 'IncomingRecords',
  incomingBytes: 'IncomingBytes',
  incomingPutRequests: 'IncomingPutRequests',
  throttledRecords: 'ThrottledRecords',
  failedPutCount: 'FailedPutCount (the job’s own metric)',
};

const CHART_HEIGHT = 200;

/**
 * The run's CloudWatch metrics as time series (uPlot), one chart per metric, each with the stream's
 * quota for it as a dashed line. The quota is usually far above a small run's traffic, so the y axis
 * fits the data unless "scale to the quota" is ticked; the legend states the quota either way.
 */
export function mountMetricsCharts(host: HTMLElement, source: ViewSource): ViewHandle {
  ensureStyle('cv-styles', VIEW_CSS);
  const fit = el('input', { type: 'checkbox', id: 'cv-fit-quota' });
  const note = el('span', { class: 'cv-muted' });
  const charts = el('div', { class: 'cv-charts' });
  host.replaceChildren(
    el('div', { class: 'cv-toolbar' }, fit, el('label', { for: 'cv-fit-quota' }, 'scale to the quota'), note),
    charts,
  );
  let plots: uPlot[] = [];
  let view: MetricsView | undefined;

  const draw = () => {
    for (const plot of plots) plot.destroy();
    plots = [];
    charts.replaceChildren();
    if (!view) return;
    const perPeriod = view.periodSeconds === 60 ? 'per minute' : `per ${view.periodSeconds / 60} minutes`;
    note.textContent =
      `${view.streamName}, ${perPeriod}, ${view.start.replace('T', ' ').replace(/:00\.000Z$/, '')} to ` +
      `${view.end.replace(/^.*T/, '').replace(/:00\.000Z$/, '')} UTC; CloudWatch shows datapoints a minute or more late`;
    const width = Math.max(320, Math.floor((host.clientWidth || 900) / 2) - 24);
    for (const series of view.series) {
      const box = el(
        'div',
        { class: 'cv-chart' },
        el('h5', {}, `${TITLES[series.id] ?? series.metricName} ${perPeriod}`),
      );
      charts.append(box);
      plots.push(new uPlot(chartOptions(series, width, fit.checked), chartData(view, series), box));
    }
  };

  const refresh = async () => {
    try {
      view = await source.metrics();
      draw();
    } catch (error) {
      errorLine(charts, error);
    }
  };
  fit.addEventListener('change', draw);
  void refresh();
  return {
    refresh,
    destroy() {
      for (const plot of plots) plot.destroy();
      plots = [];
      host.replaceChildren();
    },
  };
}

function chartData(view: MetricsView, series: ChartSeries): uPlot.AlignedData {
  const columns: (number | null)[][] = [series.values];
  if (series.quota) columns.push(series.quota);
  return [view.timestamps, ...columns] as uPlot.AlignedData;
}

function chartOptions(series: ChartSeries, width: number, fitQuota: boolean): uPlot.Options {
  const dataMax = Math.max(0, ...series.values.map((value) => value ?? 0));
  const quotaMax = Math.max(0, ...(series.quota ?? []).map((value) => value ?? 0));
  const top = Math.max(1, (fitQuota ? Math.max(dataMax, quotaMax) : dataMax) * 1.1);
  const quotaLabel =
    series.quotaPerSecond === null
      ? 'quota'
      : `quota ${fmt(series.quotaPerSecond)} ${series.unit}/s${quotaMax > top ? ' (above the chart)' : ''}`;
  return {
    width,
    height: CHART_HEIGHT,
    // The note above the charts says UTC, as CloudWatch's periods are.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: () => [0, top] } },
    axes: [{}, { size: 70, values: (_plot, ticks) => ticks.map((tick) => compact(tick)) }],
    series: [
      {},
      {
        label: series.unit,
        stroke: series.id === 'throttledRecords' || series.id === 'failedPutCount' ? '#c62828' : '#2f7fd0',
        width: 2,
        points: { show: true, size: 4 },
        value: (_plot, value) => fmt(value),
      },
      ...(series.quota
        ? [
            {
              label: quotaLabel,
              stroke: '#6b7280',
              dash: [6, 4],
              width: 1,
              value: (_plot: uPlot, value: number | null) => fmt(value),
            },
          ]
        : []),
    ],
  };
}

/** 1.2k, 3.4M: axis labels that fit. */
function compact(value: number): string {
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units)
    if (Math.abs(value) >= size) return `${+(value / size).toFixed(1)}${suffix}`;
  return String(+value.toFixed(2));
}
