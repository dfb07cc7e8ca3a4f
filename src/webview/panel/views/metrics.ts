import type { MetricsView } from '../../../shared/panelProtocol';
import { dataTable, el, setText } from '../dom';
import { classRows, confusionCells, formatPercent, metricsSummary } from '../model';
import { Chart, themedAxis, themedLayout, type PlotObject, type Theme } from '../plot';

/** The metrics block shared by the dashboard and the evaluation view: summary numbers, confusion matrix, per-class table. */

/** Headline numbers as a description list. */
export function summaryList(metrics: MetricsView): HTMLElement {
  return el('dl', { className: 'summary' }, ...metricsSummary(metrics).map((item) => el('div', {}, el('dt', { text: item.name }), el('dd', { text: item.value }))));
}

/** Per-class precision, recall, F1 and support. */
export function perClassTable(metrics: MetricsView, caption: string): HTMLTableElement {
  return dataTable(
    caption,
    [{ content: 'Emotion' }, { content: 'Precision', numeric: true }, { content: 'Recall', numeric: true }, { content: 'F1', numeric: true }, { content: 'Support', numeric: true }],
    classRows(metrics).map((row) => [
      { content: row.label },
      { content: row.precision, numeric: true },
      { content: row.recall, numeric: true },
      { content: row.f1, numeric: true },
      { content: row.support, numeric: true },
    ]),
  );
}

/** Height of a confusion-matrix chart for `count` emotions, in pixels. */
export function confusionChartHeight(count: number): number {
  return Math.max(260, Math.min(560, 120 + count * 44));
}

/**
 * A confusion-matrix figure: a heatmap of true (rows, first at the top) against predicted emotions with each cell's
 * text; `trace` adds the values, colours and colour bar.
 */
export function confusionFigure(theme: Theme, x: readonly string[], y: readonly string[], trace: PlotObject): { data: PlotObject[]; layout: PlotObject } {
  return {
    data: [{ type: 'heatmap', x, y, texttemplate: '%{text}', hoverinfo: 'text', xgap: 1, ygap: 1, ...trace }],
    layout: themedLayout(theme, {
      xaxis: themedAxis(theme, 'Predicted', { type: 'category', side: 'bottom', showgrid: false, tickangle: x.length > 6 ? -30 : 0 }),
      yaxis: themedAxis(theme, 'True', { type: 'category', autorange: 'reversed', showgrid: false }),
      margin: { l: 90, r: 16, t: 10, b: 80 },
    }),
  };
}

/** Draws a confusion matrix into `chart`: rows true labels (first at the top), columns predicted; colour = row fraction, text = count. */
export function drawConfusion(chart: Chart, metrics: MetricsView, key: string): void {
  const cells = confusionCells(metrics);
  const labels = metrics.labels;
  chart.setHeight(confusionChartHeight(labels.length));
  const diagonal = labels.map((label, i) => `${label} ${formatPercent(metrics.confusionNormalized[i]?.[i])}`).join(', ');
  chart.draw(key, `Confusion matrix of ${metrics.n} files over ${labels.length} emotions; recall per true emotion: ${diagonal}.`, (theme) =>
    confusionFigure(theme, cells.predicted, cells.truth, {
      z: cells.fractions,
      zmin: 0,
      zmax: 1,
      text: cells.counts,
      hovertext: cells.hover,
      colorscale: 'Viridis',
      colorbar: { title: { text: 'Share of row', side: 'right' }, tickformat: '.0%', outlinewidth: 0, tickfont: { color: theme.foreground } },
    }),
  );
}

/** A live metrics section: re-renders its tables only when the metrics change. */
export class MetricsSection {
  readonly element: HTMLElement;
  private readonly heading = el('h2');
  private readonly summary = el('div');
  private readonly table = el('div');
  private readonly chart = new Chart(320);
  private key: string | undefined;

  constructor() {
    const figure = el('figure', {}, el('figcaption', { text: 'Confusion matrix' }), this.chart.element);
    this.element = el('section', { className: 'metrics-section' }, this.heading, this.summary, el('div', { className: 'metrics' }, figure, this.table));
  }

  /** Shows `metrics` under `heading`, or hides the section when there are none. */
  update(metrics: MetricsView | undefined, heading: string): void {
    this.element.hidden = !metrics;
    if (!metrics) return;
    setText(this.heading, heading);
    const key = JSON.stringify(metrics);
    if (key !== this.key) {
      this.key = key;
      this.summary.replaceChildren(summaryList(metrics));
      this.table.replaceChildren(perClassTable(metrics, 'Per emotion'));
    }
    drawConfusion(this.chart, metrics, key);
  }

  /** Frees the chart. */
  dispose(): void {
    this.chart.dispose();
  }
}
