import type { PanelState } from '../../../shared/panelProtocol';
import { el, setText, type ViewRenderer } from '../dom';
import { MetricsSection } from './metrics';

/** The evaluation view: a model's metrics on a dataset selection, and the files it skipped. */

type EvaluationState = Extract<PanelState, { view: 'evaluation' }>;

/** The evaluation view. */
export class EvaluationView implements ViewRenderer<EvaluationState> {
  readonly element: HTMLElement;
  private readonly title = el('h1');
  private readonly meta = el('p', { className: 'meta' });
  private readonly metrics = new MetricsSection();
  private readonly skipped = el('vscode-collapsible', { className: 'skipped' });
  private skippedKey: string | undefined;

  constructor() {
    this.element = el('main', {}, this.title, this.meta, this.metrics.element, this.skipped);
  }

  /** Shows the metrics and the skipped files. */
  update(state: EvaluationState): void {
    setText(this.title, `Evaluation of ${state.model}`);
    setText(this.meta, `Dataset ${state.dataset} · ${state.selection}`);
    this.metrics.update(state.metrics, `Results on ${state.metrics.n} files`);
    this.skipped.hidden = state.skipped.length === 0;
    const key = JSON.stringify(state.skipped);
    if (key === this.skippedKey) return;
    this.skippedKey = key;
    const count = state.skipped.length;
    this.skipped.heading = `Skipped files (${count})`;
    this.skipped.description = count === 1 ? '1 file could not be evaluated' : `${count} files could not be evaluated`;
    this.skipped.replaceChildren(
      el('ul', {}, ...state.skipped.map((item) => el('li', {}, el('span', { text: item.file }), el('span', { className: 'reason', text: ` — ${item.reason}` })))),
    );
  }

  /** Frees the chart. */
  dispose(): void {
    this.metrics.dispose();
  }
}
