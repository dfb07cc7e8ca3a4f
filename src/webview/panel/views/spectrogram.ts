import type { PanelState, SpectrogramKind, SpectrogramView } from '../../../shared/panelProtocol';
import { prosodyTableRows } from '../../../shared/prosodyView';
import { dataTable, el, setText, type ViewContext, type ViewRenderer } from '../dom';
import { formatDuration } from '../model';
import { KIND_NAMES, SpectrogramFigure } from './spectrogramFigure';

/**
 * The spectrogram view: a file's waveform and features, switchable between log-mel, MFCC and linear spectrogram, with
 * its prosody contours on the figure and the per-clip prosody summary in a table below it.
 */

type SpectrogramState = Extract<PanelState, { view: 'spectrogram' }>;

const KINDS: readonly SpectrogramKind[] = ['logmel', 'mfcc', 'spectrogram'];

/** The spectrogram view. */
export class SpectrogramPanel implements ViewRenderer<SpectrogramState> {
  readonly element: HTMLElement;
  private readonly title = el('h1');
  private readonly meta = el('p', { className: 'meta' });
  private readonly status = el('p', { className: 'note', attrs: { 'aria-live': 'polite' } });
  private readonly group = el('vscode-radio-group', { attrs: { 'aria-label': 'Feature representation' } });
  private readonly radios = new Map<SpectrogramKind, HTMLElementTagNameMap['vscode-radio']>();
  private readonly figure = new SpectrogramFigure();
  private readonly prosody = el('section', { className: 'prosody' });
  private request = 0;
  private shown: SpectrogramKind | undefined;

  constructor(private readonly context: ViewContext) {
    for (const kind of KINDS) {
      const radio = el('vscode-radio', { attrs: { name: 'feature-kind', value: kind, label: KIND_NAMES[kind] } }, KIND_NAMES[kind]);
      radio.addEventListener('change', () => {
        if (radio.checked) this.switchTo(kind);
      });
      this.radios.set(kind, radio);
      this.group.append(radio);
    }
    this.element = el(
      'main',
      {},
      this.title,
      this.meta,
      el('div', { className: 'kind-switch' }, this.group),
      this.status,
      el('figure', {}, this.figure.chart.element),
      this.prosody,
    );
  }

  /** Shows the state's file and representation. */
  update(state: SpectrogramState): void {
    this.request++;
    setText(this.status, '');
    this.show(state.spectrogram);
  }

  /** Frees the chart. */
  dispose(): void {
    this.request++;
    this.figure.dispose();
  }

  private show(view: SpectrogramView): void {
    this.shown = view.matrix.kind;
    setText(this.title, view.name);
    const rate = `${view.matrix.sampleRate.toLocaleString('en-US')} Hz`;
    setText(this.meta, `${formatDuration(view.waveform.durationSeconds)} at ${rate} · ${KIND_NAMES[view.matrix.kind]}, ${view.matrix.shape[0]} × ${view.matrix.shape[1]}`);
    for (const [kind, radio] of this.radios) if (radio.checked !== (kind === view.matrix.kind)) radio.checked = kind === view.matrix.kind;
    this.figure.show(view);
    this.showProsody(view);
  }

  /** The prosody summary table (the summary is the same for every representation of the file). */
  private showProsody(view: SpectrogramView): void {
    const summary = view.prosody?.summary;
    if (!summary) {
      this.prosody.replaceChildren();
      return;
    }
    const rows = prosodyTableRows(summary).map(([name, value]) => [{ content: name }, { content: value, numeric: true }]);
    this.prosody.replaceChildren(dataTable(`Prosody of ${view.name}`, [{ content: 'Measure' }, { content: 'Value', numeric: true }], rows));
  }

  private switchTo(kind: SpectrogramKind): void {
    const request = ++this.request;
    if (kind === this.shown) {
      setText(this.status, '');
      return;
    }
    setText(this.status, `Computing ${KIND_NAMES[kind]}…`);
    this.context.host
      .request('spectrogram', { kind })
      .then((view) => {
        if (request !== this.request) return;
        setText(this.status, '');
        this.show(view);
      })
      .catch((error: unknown) => {
        if (request !== this.request) return;
        setText(this.status, '');
        for (const [other, radio] of this.radios) radio.checked = other === this.shown;
        this.context.report(error);
      });
  }
}
