import type { DashboardRun, EpochView, PanelState } from '../../../shared/panelProtocol';
import { el, setText, type ViewContext, type ViewRenderer } from '../dom';
import { bestEpochOf, epochTickStep, formatCount, formatDateTime, formatDuration, formatPercent } from '../model';
import { Chart, themedAxis, themedLayout, type PlotObject, type Theme } from '../plot';
import { FoldsSection } from './folds';
import { MetricsSection } from './metrics';

/** The training dashboard: a live run's progress, loss and accuracy curves, its folds (k-fold), and its final metrics. */

type DashboardState = Extract<PanelState, { view: 'dashboard' }>;

const NO_RUN = 'No training run yet. Run “Voice Emotion: Train Model…” from the Command Palette.';

/** A dashed vertical line and a label at the best epoch. */
function bestMarker(theme: Theme, best: EpochView | undefined): PlotObject {
  if (!best) return {};
  return {
    shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: best.epoch, x1: best.epoch, y0: 0, y1: 1, line: { dash: 'dot', width: 1, color: theme.muted } }],
    annotations: [{ x: best.epoch, xref: 'x', xanchor: 'left', xshift: 4, y: 1, yref: 'paper', yanchor: 'top', showarrow: false, text: `best epoch ${best.epoch}`, font: { color: theme.muted } }],
  };
}

/** One line of an epoch chart. */
function series(name: string, history: readonly EpochView[], value: (record: EpochView) => number, color: string, hover: string): PlotObject {
  return {
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x: history.map((r) => r.epoch),
    y: history.map(value),
    line: { color, width: 2 },
    marker: { color, size: 5 },
    hovertemplate: `${name}: ${hover}<extra></extra>`,
  };
}

/** Shared layout of the two epoch charts. */
function epochLayout(theme: Theme, history: readonly EpochView[], best: EpochView | undefined, yaxis: PlotObject): PlotObject {
  return themedLayout(theme, {
    hovermode: 'x unified',
    xaxis: themedAxis(theme, 'Epoch', { dtick: epochTickStep(history.length), hoverformat: 'd' }),
    yaxis,
    margin: { l: 60, r: 16, t: 36, b: 48 },
    ...bestMarker(theme, best),
  });
}

/** The dashboard view. */
export class DashboardView implements ViewRenderer<DashboardState> {
  readonly element: HTMLElement;
  private readonly empty = el('p', { className: 'empty', text: NO_RUN });
  private readonly content = el('div');
  private readonly title = el('h1');
  private readonly badge = el('vscode-badge');
  private readonly meta = el('p', { className: 'meta' });
  private readonly message = el('p', { className: 'message', attrs: { 'aria-live': 'polite' } });
  private readonly progress = el('section', { className: 'progress-section', attrs: { 'aria-label': 'Training progress' } });
  private readonly epochText = el('span');
  private readonly bar = el('vscode-progress-bar');
  private readonly batchText = el('span');
  private readonly rateText = el('span');
  private readonly etaText = el('span');
  private readonly cancel = el('vscode-button', { text: 'Cancel training', attrs: { secondary: '' } });
  private readonly chartsHeading = el('h2', { text: 'Training curves' });
  private readonly chartsNote = el('p', { className: 'note', text: 'Loss and accuracy curves appear after the first epoch.' });
  private readonly charts = el('div', { className: 'charts' });
  private readonly lossChart = new Chart(300);
  private readonly accuracyChart = new Chart(300);
  private readonly metrics = new MetricsSection();
  private readonly folds: FoldsSection;
  private runKey: string | undefined;
  private cancelRequested = false;

  constructor(private readonly context: ViewContext) {
    this.folds = new FoldsSection(context);
    this.progress.append(
      el('div', { className: 'progress' }, this.epochText, this.bar, this.batchText),
      el('div', { className: 'progress-facts' }, this.rateText, this.etaText),
      this.cancel,
    );
    this.cancel.addEventListener('click', () => this.requestCancel());
    this.charts.append(
      el('figure', {}, el('figcaption', { text: 'Loss' }), this.lossChart.element),
      el('figure', {}, el('figcaption', { text: 'Accuracy and UAR' }), this.accuracyChart.element),
    );
    this.content.append(
      el('div', { className: 'title' }, this.title, this.badge),
      this.meta,
      this.message,
      this.progress,
      this.folds.element,
      this.chartsHeading,
      this.chartsNote,
      this.charts,
      this.metrics.element,
    );
    this.element = el('main', {}, this.empty, this.content);
  }

  /** Shows the run (or the no-run message). */
  update(state: DashboardState): void {
    const run = state.run;
    this.empty.hidden = run !== null;
    this.content.hidden = run === null;
    if (!run) return;
    const key = `${run.modelDir}\u0000${run.startedAt}`;
    if (key !== this.runKey) {
      this.runKey = key;
      this.cancelRequested = false;
    }
    this.renderHeader(run);
    this.renderProgress(run);
    this.folds.update(run.kfold);
    const current = run.kfold?.current;
    setText(this.chartsHeading, run.kfold ? (current ? `Training curves of fold ${current}` : 'Training curves') : 'Training curves');
    this.renderCharts(run);
    const heading = run.kfold && run.test ? `All folds: confusion summed over ${run.kfold.summary?.folds ?? run.kfold.folds} folds (${run.test.n} test files)` : run.test ? `Test set (${run.test.n} files)` : `Validation set (${run.validation?.n ?? 0} files)`;
    this.metrics.update(run.test ?? run.validation, heading);
  }

  /** Frees the charts. */
  dispose(): void {
    this.lossChart.dispose();
    this.accuracyChart.dispose();
    this.metrics.dispose();
  }

  private renderHeader(run: DashboardRun): void {
    setText(this.title, run.name);
    setText(this.badge, run.status);
    const badgeClass = `status status-${run.status}`;
    if (this.badge.className !== badgeClass) this.badge.className = badgeClass;
    const parts = [`Architecture ${run.arch}`, `backend ${run.backend ?? '—'}`, `${run.labels.length} emotions`, `started ${formatDateTime(run.startedAt)}`];
    if (run.kfold) parts.splice(1, 0, `k-fold by speaker, ${run.kfold.folds} folds`);
    if (run.seconds !== undefined && run.status !== 'running') parts.push(`took ${formatDuration(run.seconds)}`);
    setText(this.meta, parts.join(' · '));
    setText(this.message, run.message);
  }

  private renderProgress(run: DashboardRun): void {
    const running = run.status === 'running';
    this.progress.hidden = !running;
    if (!running) return;
    const fold = run.kfold?.current ? `Fold ${run.kfold.current} of ${run.kfold.folds}, ` : '';
    setText(this.epochText, run.epoch !== undefined ? `${fold}Epoch ${run.epoch} of ${run.epochs}` : `${fold}${run.epochs} epochs`);
    if (run.batch !== undefined && run.batches) {
      this.bar.indeterminate = false;
      this.bar.max = run.batches;
      this.bar.value = Math.min(run.batch, run.batches);
      setText(this.batchText, `Batch ${run.batch} of ${run.batches}`);
      this.bar.ariaLabel = `Batch ${run.batch} of ${run.batches}`;
    } else {
      this.bar.indeterminate = true;
      setText(this.batchText, '');
      this.bar.ariaLabel = run.message;
    }
    setText(this.rateText, run.samplesPerSecond !== undefined ? `${formatCount(run.samplesPerSecond)} samples/s` : '');
    setText(this.etaText, run.etaSeconds !== undefined ? `About ${formatDuration(run.etaSeconds)} left` : '');
    this.cancel.disabled = this.cancelRequested;
  }

  private requestCancel(): void {
    if (this.cancelRequested) return;
    this.cancelRequested = true;
    this.cancel.disabled = true;
    this.context.host
      .request('cancelJob', {})
      .then((result) => {
        if (!result.cancelled) this.context.report('Nothing was cancelled: the job had already ended.');
      })
      .catch((error: unknown) => this.context.report(error));
  }

  private renderCharts(run: DashboardRun): void {
    const history = run.history;
    this.chartsNote.hidden = history.length > 0;
    this.charts.hidden = history.length === 0;
    if (history.length === 0) return;
    const best = bestEpochOf(history, run.bestEpoch);
    const last = history[history.length - 1];
    const key = JSON.stringify([history, best?.epoch]);
    const bestText = best ? `; best epoch ${best.epoch} with validation UAR ${formatPercent(best.validationUar)}` : '';
    this.lossChart.draw(
      key,
      `Loss per epoch over ${history.length} epochs: latest train loss ${last.trainLoss.toFixed(3)}, validation loss ${last.validationLoss.toFixed(3)}${bestText}.`,
      (theme) => ({
        data: [
          series('Train loss', history, (r) => r.trainLoss, theme.palette[0], '%{y:.4f}'),
          series('Validation loss', history, (r) => r.validationLoss, theme.palette[1], '%{y:.4f}'),
        ],
        layout: epochLayout(theme, history, best, themedAxis(theme, 'Loss', { rangemode: 'tozero' })),
      }),
    );
    this.accuracyChart.draw(
      key,
      `Accuracy and UAR per epoch over ${history.length} epochs: latest train accuracy ${formatPercent(last.trainAccuracy)}, validation accuracy ${formatPercent(last.validationAccuracy)}, validation UAR ${formatPercent(last.validationUar)}${bestText}.`,
      (theme) => ({
        data: [
          series('Train accuracy', history, (r) => r.trainAccuracy, theme.palette[0], '%{y:.1%}'),
          series('Validation accuracy', history, (r) => r.validationAccuracy, theme.palette[1], '%{y:.1%}'),
          series('Validation UAR', history, (r) => r.validationUar, theme.palette[2], '%{y:.1%}'),
          ...(best
            ? [{ type: 'scatter', mode: 'markers', name: 'Best epoch', x: [best.epoch], y: [best.validationUar], marker: { symbol: 'star', size: 14, color: theme.palette[3] }, hovertemplate: 'Best epoch: %{y:.1%}<extra></extra>' }]
            : []),
        ],
        layout: epochLayout(theme, history, best, themedAxis(theme, 'Share', { range: [0, 1.02], tickformat: '.0%' })),
      }),
    );
  }
}
