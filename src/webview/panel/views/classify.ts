import type { ClassifyRowView, PanelState } from '../../../shared/panelProtocol';
import { dataTable, el, linkButton, openFile, setText, type Cell, type Row, type ViewContext, type ViewRenderer } from '../dom';
import { featuredRow, formatDuration, formatPercent, rankedProbabilities, timelineGroups } from '../model';
import { Chart, themedAxis, themedLayout, type Theme } from '../plot';
import { ExplanationSection } from './explanation';
import { SpectrogramFigure } from './spectrogramFigure';

/**
 * The classify view: each file's predicted emotion, and for the first classified file its probabilities, spectrogram
 * and timeline; with an explanation from the host, the heat of why a file got its emotion (any row can be explained).
 */

type ClassifyState = Extract<PanelState, { view: 'classify' }>;

/** A stable colour per emotion: its position among the row's labels picks a palette colour. */
function labelColor(theme: Theme, labels: readonly string[], label: string): string {
  const index = Math.max(0, labels.indexOf(label));
  return theme.palette[index % theme.palette.length];
}

/** The classify view. */
export class ClassifyView implements ViewRenderer<ClassifyState> {
  readonly element: HTMLElement;
  private readonly meta = el('p', { className: 'meta' });
  private readonly table = el('div');
  private readonly details = el('section');
  private readonly detailsTitle = el('h2');
  private readonly barsChart = new Chart(260);
  private readonly bars = el('figure', {}, el('figcaption', { text: 'Probabilities' }), this.barsChart.element);
  private readonly spectrogram = new SpectrogramFigure();
  private readonly spectrogramBox = el('figure', {}, el('figcaption', { text: 'Waveform and spectrogram' }), this.spectrogram.chart.element);
  private readonly timelineChart = new Chart(200);
  private readonly timeline = el('figure', {}, el('figcaption', { text: 'Emotion over time' }), this.timelineChart.element);
  private readonly explanation: ExplanationSection;
  private tableKey: string | undefined;
  /** The state's explanation last shown (a redraw of the same state keeps the method the user switched to). */
  private stateExplanation: ClassifyState['explanation'] | string | undefined;

  constructor(private readonly context: ViewContext) {
    this.explanation = new ExplanationSection(context);
    this.explanation.element.hidden = true;
    this.details.append(this.detailsTitle, this.bars, this.timeline, this.spectrogramBox);
    this.element = el('main', {}, el('h1', { text: 'Emotion classification' }), this.meta, this.table, this.explanation.element, this.details);
  }

  /** Shows the rows and the featured file's details. */
  update(state: ClassifyState): void {
    const failed = state.rows.filter((row) => row.error).length;
    const files = `${state.rows.length} ${state.rows.length === 1 ? 'file' : 'files'}`;
    setText(this.meta, `Model ${state.model} · ${files}${failed ? `, ${failed} could not be classified` : ''}`);
    const explainable = state.explanation !== undefined || state.explanationError !== undefined;
    const key = JSON.stringify([explainable, state.rows.map((row) => [row.file, row.label, row.probabilities, row.durationSeconds, row.error])]);
    if (key !== this.tableKey) {
      this.tableKey = key;
      this.table.replaceChildren(this.rowsTable(state.rows, explainable));
    }
    this.updateExplanation(state);
    const row = featuredRow(state.rows);
    this.details.hidden = !row;
    if (!row) return;
    setText(this.detailsTitle, state.rows.length > 1 ? `Details of ${row.name}` : row.name);
    this.drawBars(row);
    this.timeline.hidden = !row.timeline?.length;
    if (row.timeline?.length) this.drawTimeline(row);
    this.spectrogramBox.hidden = !state.spectrogram;
    if (state.spectrogram) this.spectrogram.show(state.spectrogram);
  }

  /** Frees the charts. */
  dispose(): void {
    this.explanation.dispose();
    this.barsChart.dispose();
    this.timelineChart.dispose();
    this.spectrogram.dispose();
  }

  /** Shows the state's explanation, or why there is none, when it is new. */
  private updateExplanation(state: ClassifyState): void {
    const current = state.explanation ?? state.explanationError;
    if (current === this.stateExplanation) return;
    this.stateExplanation = current;
    this.explanation.element.hidden = current === undefined;
    if (state.explanation) this.explanation.show(state.explanation, state.explanationRequest);
    else if (state.explanationError !== undefined) this.explanation.showError(state.explanationError, state.explanationRequest);
  }

  private rowsTable(rows: readonly ClassifyRowView[], explainable: boolean): HTMLTableElement {
    const body = rows.map((row): Row => {
      const file: Cell = { content: linkButton(row.name, `Open ${row.file}`, () => openFile(this.context, row.file)) };
      if (row.error) return { className: 'failed', cells: [file, { content: row.error, span: explainable ? 4 : 3 }] };
      const probability = row.label !== undefined ? row.probabilities?.[row.label] : undefined;
      const cells: Cell[] = [file, { content: row.label ?? '—' }, { content: formatPercent(probability), numeric: true }, { content: formatDuration(row.durationSeconds), numeric: true }];
      if (explainable) cells.push({ content: linkButton('Why?', `Explain the emotion of ${row.name}`, () => this.explainRow(row.file)) });
      return { cells };
    });
    const headers: Cell[] = [{ content: 'File' }, { content: 'Emotion' }, { content: 'Probability', numeric: true }, { content: 'Duration', numeric: true }];
    if (explainable) headers.push({ content: 'Explanation' });
    return dataTable('Files', headers, body);
  }

  /** Explains another row's file and brings the explanation into view. */
  private explainRow(file: string): void {
    this.explanation.element.hidden = false;
    this.explanation.explain(file);
    this.explanation.element.scrollIntoView?.({ block: 'nearest' });
  }

  private drawBars(row: ClassifyRowView): void {
    const ranked = rankedProbabilities(row.probabilities ?? {});
    const labels = Object.keys(row.probabilities ?? {});
    this.barsChart.setHeight(Math.max(180, 60 + ranked.length * 30));
    const summary = ranked.map((p) => `${p.label} ${formatPercent(p.probability)}`).join(', ');
    this.barsChart.draw(JSON.stringify(ranked), `Probability of each emotion for ${row.name}: ${summary}.`, (theme) => ({
      data: [
        {
          type: 'bar',
          orientation: 'h',
          x: ranked.map((p) => p.probability),
          y: ranked.map((p) => p.label),
          text: ranked.map((p) => formatPercent(p.probability)),
          textposition: 'auto',
          marker: { color: ranked.map((p) => labelColor(theme, labels, p.label)) },
          hovertemplate: '%{y}: %{x:.1%}<extra></extra>',
        },
      ],
      layout: themedLayout(theme, {
        showlegend: false,
        margin: { l: 90, r: 16, t: 8, b: 40 },
        xaxis: themedAxis(theme, 'Probability', { range: [0, 1], tickformat: '.0%' }),
        yaxis: themedAxis(theme, '', { type: 'category', autorange: 'reversed', showgrid: false }),
      }),
    }));
  }

  private drawTimeline(row: ClassifyRowView): void {
    const timeline = row.timeline ?? [];
    const groups = timelineGroups(timeline);
    const labels = Object.keys(row.probabilities ?? {});
    const end = timeline.reduce((latest, segment) => Math.max(latest, segment.end), 0);
    const voiced = groups.filter((g) => g.voiced).map((g) => `${g.name} ${g.lengths.reduce((a, b) => a + b, 0).toFixed(1)} s`);
    const label = `Emotion over time for ${row.name}, ${timeline.length} segments over ${formatDuration(end)}: ${voiced.join(', ') || 'no voiced segments'}.`;
    this.timelineChart.draw(JSON.stringify(timeline), label, (theme) => ({
      data: groups.map((group) => ({
        type: 'bar',
        orientation: 'h',
        name: group.name,
        base: group.starts,
        x: group.lengths,
        y: group.starts.map(() => 'Emotion'),
        hovertext: group.hover,
        hoverinfo: 'text',
        marker: { color: group.voiced ? labelColor(theme, labels, group.name) : theme.muted, line: { width: 0 } },
        opacity: group.voiced ? 1 : 0.5,
      })),
      layout: themedLayout(theme, {
        barmode: 'overlay',
        bargap: 0.2,
        margin: { l: 16, r: 16, t: 36, b: 44 },
        xaxis: themedAxis(theme, 'Time (s)', { range: [0, end] }),
        yaxis: themedAxis(theme, '', { showticklabels: false, showgrid: false, fixedrange: true }),
      }),
    }));
  }
}
