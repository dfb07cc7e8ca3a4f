import type { PanelState, RunSummary } from '../../../shared/panelProtocol';
import { dataTable, el, linkButton, openFile, setText, statusBadge, type Cell, type ViewContext, type ViewRenderer } from '../dom';
import { epochTickStep, formatDateTime, formatPercent, runCurves, sortRuns } from '../model';
import { Chart, themedAxis, themedLayout, type Theme } from '../plot';
import { confusionChartHeight, confusionFigure } from './metrics';
import { formatMeanStd } from '../../../shared/trainingView';
import { confusionDifference, defaultPair, runLabel, settingsComparison } from '../runsModel';

/**
 * Compare Runs: every recorded training run side by side — a table (best first), their settings with the differences
 * marked, learning curves overlaid, and the confusion-matrix difference of two chosen runs.
 */

type RunsState = Extract<PanelState, { view: 'runs' }>;

const NO_RUNS = 'No trained models in this workspace yet.';

/** A diverging colour scale from the theme: red below zero, blue above, nearly transparent at zero. */
function divergingScale(theme: Theme): [number, string][] {
  return [
    [0, theme.palette[3]],
    [0.5, 'rgba(128, 128, 128, 0.12)'],
    [1, theme.palette[0]],
  ];
}

/** The runs view. */
export class RunsView implements ViewRenderer<RunsState> {
  readonly element: HTMLElement;
  private readonly empty = el('p', { className: 'empty', text: NO_RUNS });
  private readonly content = el('div');
  private readonly meta = el('p', { className: 'meta' });
  private readonly table = el('div', { className: 'table-scroll' });
  private readonly settings = el('div', { className: 'table-scroll' });
  private readonly uarChart = new Chart(320);
  private readonly lossChart = new Chart(320);
  private readonly pickA = el('select', { attrs: { 'aria-label': 'Run A' } });
  private readonly pickB = el('select', { attrs: { 'aria-label': 'Run B' } });
  private readonly differenceNote = el('p', { className: 'note' });
  private readonly differenceChart = new Chart(360);
  private readonly difference = el('section');
  private tableKey: string | undefined;
  private runs: readonly RunSummary[] = [];
  /** The chosen pair by run id (or folder), kept across updates while both runs are still listed. */
  private chosen: { a: string; b: string } | undefined;

  constructor(private readonly context: ViewContext) {
    this.pickA.addEventListener('change', () => this.choose());
    this.pickB.addEventListener('change', () => this.choose());
    this.difference.append(
      el('h2', { text: 'Confusion-matrix difference' }),
      el('div', { className: 'compare-pick' }, el('label', {}, 'A ', this.pickA), el('label', {}, 'B ', this.pickB)),
      this.differenceNote,
      el('figure', {}, el('figcaption', { text: 'B − A, share of each true emotion (percentage points)' }), this.differenceChart.element),
    );
    this.content.append(
      this.meta,
      this.table,
      el('h2', { text: 'Settings side by side' }),
      this.settings,
      el('h2', { text: 'Learning curves' }),
      el(
        'div',
        { className: 'charts' },
        el('figure', {}, el('figcaption', { text: 'Validation UAR' }), this.uarChart.element),
        el('figure', {}, el('figcaption', { text: 'Training loss' }), this.lossChart.element),
      ),
      this.difference,
    );
    this.element = el('main', {}, el('h1', { text: 'Compare runs' }), this.empty, this.content);
  }

  /** Shows the runs, best first. */
  update(state: RunsState): void {
    const runs = sortRuns(state.runs);
    this.runs = runs;
    this.empty.hidden = runs.length > 0;
    this.content.hidden = runs.length === 0;
    if (runs.length === 0) return;
    setText(this.meta, `${runs.length} ${runs.length === 1 ? 'run' : 'runs'}, best test UAR (k-fold: mean over folds; else validation UAR) first`);
    const key = JSON.stringify(runs);
    if (key !== this.tableKey) {
      this.tableKey = key;
      this.table.replaceChildren(this.runsTable(runs));
      this.settings.replaceChildren(this.settingsTable(runs));
      this.fillPickers(runs);
    }
    this.drawCurves(runs, key);
    this.drawDifference();
  }

  /** Frees the charts. */
  dispose(): void {
    this.uarChart.dispose();
    this.lossChart.dispose();
    this.differenceChart.dispose();
  }

  private runsTable(runs: readonly RunSummary[]): HTMLTableElement {
    const headers: Cell[] = [
      { content: 'Run' },
      { content: 'Kind' },
      { content: 'Status' },
      { content: 'Architecture' },
      { content: 'Epochs', numeric: true },
      { content: 'Best epoch', numeric: true },
      { content: 'Validation UAR', numeric: true },
      { content: 'Test UAR', numeric: true },
      { content: 'Test accuracy', numeric: true },
      { content: 'Test macro-F1', numeric: true },
      { content: 'Split' },
      { content: 'Source' },
      { content: 'Backend' },
      { content: 'Started' },
    ];
    const rows = runs.map((run) => {
      const file = run.file ?? `${run.modelDir}/emotion.json`;
      const name = el('span', { className: 'title' }, linkButton(runLabel(run, runs), `Open ${file}`, () => openFile(this.context, file)));
      if (run.active) name.append(el('vscode-badge', { text: 'active', attrs: { title: 'The model the extension uses' } }));
      const status = run.status ? statusBadge(run.status) : 'done';
      if (run.error && typeof status !== 'string') status.title = run.error;
      const kfold = run.kfold;
      return {
        className: run.status === 'failed' ? 'failed' : undefined,
        cells: [
          { content: name },
          { content: run.kind === 'kfold' && kfold ? `k-fold (${kfold.folds}/${kfold.of})` : run.kind ?? 'single' },
          { content: status },
          { content: run.arch },
          { content: String(run.epochs), numeric: true },
          { content: run.kind === 'kfold' ? '—' : String(run.bestEpoch), numeric: true },
          { content: formatPercent(run.validationUar), numeric: true },
          { content: kfold ? formatMeanStd(kfold.uar) : formatPercent(run.testUar), numeric: true },
          { content: kfold ? formatMeanStd(kfold.accuracy) : formatPercent(run.testAccuracy), numeric: true },
          { content: kfold ? formatMeanStd(kfold.macroF1) : formatPercent(run.testMacroF1), numeric: true },
          { content: run.split },
          { content: run.source ?? '—' },
          { content: run.backend || '—' },
          { content: formatDateTime(run.createdAt) },
        ] as Cell[],
      };
    });
    return dataTable('Training runs', headers, rows);
  }

  private settingsTable(runs: readonly RunSummary[]): HTMLTableElement {
    const comparison = settingsComparison(runs);
    const headers: Cell[] = [{ content: 'Setting' }, ...runs.map((run) => ({ content: runLabel(run, runs) }))];
    const rows = comparison.map((row) => ({
      className: row.differs ? 'differs' : undefined,
      cells: [{ content: row.differs ? `${row.name} (differs)` : row.name }, ...row.values.map((value) => ({ content: value }))] as Cell[],
    }));
    return dataTable('Settings of each run; rows where runs differ are marked', headers, rows);
  }

  /** A run's identity for the pickers: its record id, else its folder. */
  private static idOf(run: RunSummary): string {
    return run.id ?? run.modelDir;
  }

  private fillPickers(runs: readonly RunSummary[]): void {
    const comparable = runs.filter((run) => run.testConfusion);
    const options = (select: HTMLSelectElement) =>
      select.replaceChildren(...comparable.map((run) => el('option', { text: runLabel(run, runs), attrs: { value: RunsView.idOf(run) } })));
    options(this.pickA);
    options(this.pickB);
    const ids = new Set(comparable.map(RunsView.idOf));
    if (!this.chosen || !ids.has(this.chosen.a) || !ids.has(this.chosen.b)) {
      const pair = defaultPair(runs);
      this.chosen = pair ? { a: RunsView.idOf(runs[pair.a]), b: RunsView.idOf(runs[pair.b]) } : undefined;
    }
    if (this.chosen) {
      this.pickA.value = this.chosen.a;
      this.pickB.value = this.chosen.b;
    }
  }

  private choose(): void {
    this.chosen = { a: this.pickA.value, b: this.pickB.value };
    this.drawDifference();
  }

  private drawDifference(): void {
    const find = (id: string | undefined) => this.runs.find((run) => RunsView.idOf(run) === id);
    const a = find(this.chosen?.a);
    const b = find(this.chosen?.b);
    this.difference.hidden = this.runs.filter((run) => run.testConfusion).length < 2;
    if (!a?.testConfusion || !b?.testConfusion) return;
    const names = { a: runLabel(a, this.runs), b: runLabel(b, this.runs) };
    const diff = confusionDifference(a.testConfusion, b.testConfusion, names);
    const points = (value: number | undefined) => (value === undefined ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(1)} points`);
    const shared = diff.sharedEmotions === diff.labels.length ? '' : ` over the ${diff.sharedEmotions} emotions both runs tested`;
    setText(
      this.differenceNote,
      a === b
        ? 'Choose two different runs.'
        : `Blue: B higher, red: B lower. On the diagonal B − A is the recall difference (mean ${points(diff.meanRecallDifference)}${shared}; UAR B − A ${points(diff.uarDifference)}); off it, how much more often B takes one emotion for another.`,
    );
    const labels = diff.labels;
    this.differenceChart.setHeight(confusionChartHeight(labels.length));
    const key = JSON.stringify([names, diff.difference]);
    const recall = labels.map((label, i) => `${label} ${diff.text[i][i] || '—'}`).join(', ');
    this.differenceChart.draw(key, `Confusion-matrix difference, ${names.b} minus ${names.a}, over ${labels.length} emotions; recall difference in points: ${recall}.`, (theme) =>
      confusionFigure(theme, labels, labels, {
        z: diff.difference,
        zmin: -1,
        zmax: 1,
        zmid: 0,
        text: diff.text,
        hovertext: diff.hover,
        colorscale: divergingScale(theme),
        colorbar: { title: { text: 'B − A', side: 'right' }, tickformat: '+.0%', outlinewidth: 0, tickfont: { color: theme.foreground } },
      }),
    );
  }

  private drawCurves(runs: readonly RunSummary[], key: string): void {
    const labelled = runs.map((run) => ({ ...run, name: runLabel(run, runs) }));
    const uar = runCurves(labelled, 'validationUar');
    const loss = runCurves(labelled, 'trainLoss');
    const best = labelled[0];
    const dtick = epochTickStep(Math.max(1, ...runs.map((run) => run.history.length)));
    const bestText = `best ${best.name} with ${best.testUar !== undefined ? `test UAR ${formatPercent(best.testUar)}` : `validation UAR ${formatPercent(best.validationUar)}`}`;
    const curve = (c: { name: string; epochs: number[]; values: number[] }, hover: string) => ({
      type: 'scatter',
      mode: 'lines+markers',
      name: c.name,
      x: c.epochs,
      y: c.values,
      marker: { size: 4 },
      hovertemplate: `${c.name}: ${hover}<extra></extra>`,
    });
    this.uarChart.draw(key, `Validation UAR per epoch of ${uar.length} runs; ${bestText}.`, (theme) => ({
      data: uar.map((c) => curve(c, '%{y:.1%}')),
      layout: themedLayout(theme, {
        hovermode: 'x unified',
        margin: { l: 60, r: 16, t: 36, b: 48 },
        xaxis: themedAxis(theme, 'Epoch', { dtick, hoverformat: 'd' }),
        yaxis: themedAxis(theme, 'Validation UAR', { range: [0, 1.02], tickformat: '.0%' }),
      }),
    }));
    this.lossChart.draw(key, `Training loss per epoch of ${loss.length} runs.`, (theme) => ({
      data: loss.map((c) => curve(c, '%{y:.4f}')),
      layout: themedLayout(theme, {
        hovermode: 'x unified',
        margin: { l: 60, r: 16, t: 36, b: 48 },
        xaxis: themedAxis(theme, 'Epoch', { dtick, hoverformat: 'd' }),
        yaxis: themedAxis(theme, 'Training loss', { rangemode: 'tozero' }),
      }),
    }));
  }
}
