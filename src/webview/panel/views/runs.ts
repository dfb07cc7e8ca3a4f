import type { PanelState, RunSummary } from '../../../shared/panelProtocol';
import { dataTable, el, linkButton, openFile, setText, type Cell, type ViewContext, type ViewRenderer } from '../dom';
import { epochTickStep, formatDateTime, formatPercent, runCurves, sortRuns } from '../model';
import { Chart, themedAxis, themedLayout } from '../plot';

/** Compare Runs: every trained model in the workspace, best first, with their learning curves overlaid. */

type RunsState = Extract<PanelState, { view: 'runs' }>;

const NO_RUNS = 'No trained models in this workspace yet.';

/** The runs view. */
export class RunsView implements ViewRenderer<RunsState> {
  readonly element: HTMLElement;
  private readonly empty = el('p', { className: 'empty', text: NO_RUNS });
  private readonly content = el('div');
  private readonly meta = el('p', { className: 'meta' });
  private readonly table = el('div');
  private readonly uarChart = new Chart(320);
  private readonly lossChart = new Chart(320);
  private tableKey: string | undefined;

  constructor(private readonly context: ViewContext) {
    this.content.append(
      this.meta,
      this.table,
      el('h2', { text: 'Learning curves' }),
      el(
        'div',
        { className: 'charts' },
        el('figure', {}, el('figcaption', { text: 'Validation UAR' }), this.uarChart.element),
        el('figure', {}, el('figcaption', { text: 'Training loss' }), this.lossChart.element),
      ),
    );
    this.element = el('main', {}, el('h1', { text: 'Compare runs' }), this.empty, this.content);
  }

  /** Shows the runs, best first. */
  update(state: RunsState): void {
    const runs = sortRuns(state.runs);
    this.empty.hidden = runs.length > 0;
    this.content.hidden = runs.length === 0;
    if (runs.length === 0) return;
    setText(this.meta, `${runs.length} trained ${runs.length === 1 ? 'model' : 'models'}, best test UAR (else validation UAR) first`);
    const key = JSON.stringify(runs);
    if (key !== this.tableKey) {
      this.tableKey = key;
      this.table.replaceChildren(this.runsTable(runs));
    }
    this.drawCurves(runs, key);
  }

  /** Frees the charts. */
  dispose(): void {
    this.uarChart.dispose();
    this.lossChart.dispose();
  }

  private runsTable(runs: readonly RunSummary[]): HTMLTableElement {
    const headers: Cell[] = [
      { content: 'Model' },
      { content: 'Architecture' },
      { content: 'Epochs', numeric: true },
      { content: 'Best epoch', numeric: true },
      { content: 'Validation UAR', numeric: true },
      { content: 'Test UAR', numeric: true },
      { content: 'Test accuracy', numeric: true },
      { content: 'Augmentation' },
      { content: 'Split' },
      { content: 'Backend' },
      { content: 'Created' },
    ];
    const rows = runs.map((run): Cell[] => {
      const name = el('span', { className: 'title' }, linkButton(run.name, `Open ${run.modelDir}/emotion.json`, () => openFile(this.context, `${run.modelDir}/emotion.json`)));
      if (run.active) name.append(el('vscode-badge', { text: 'active', attrs: { title: 'The model the extension uses' } }));
      return [
        { content: name },
        { content: run.arch },
        { content: String(run.epochs), numeric: true },
        { content: String(run.bestEpoch), numeric: true },
        { content: formatPercent(run.validationUar), numeric: true },
        { content: formatPercent(run.testUar), numeric: true },
        { content: formatPercent(run.testAccuracy), numeric: true },
        { content: run.augment || 'none' },
        { content: run.split },
        { content: run.backend },
        { content: formatDateTime(run.createdAt) },
      ];
    });
    return dataTable('Trained models', headers, rows);
  }

  private drawCurves(runs: readonly RunSummary[], key: string): void {
    const uar = runCurves(runs, 'validationUar');
    const loss = runCurves(runs, 'trainLoss');
    const best = runs[0];
    const dtick = epochTickStep(Math.max(...runs.map((run) => run.history.length)));
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
