import { describeRegion, EXPLANATION_METHOD_NAMES, EXPLANATION_METHODS, featureShades, type ExplainRequest, type Explanation, type ExplanationMethod } from '../../../shared/explanation';
import { el, setText, type ViewContext } from '../dom';
import {
  explanationAxis,
  explanationMethodNote,
  explanationSummary,
  explanationTimes,
  heatRows,
  regionBoxes,
  requestForFile,
  requestOf,
  requestWithMethod,
  sameRequest,
  spectralBins,
} from '../explanationModel';
import { Chart, themedAxis, themedLayout } from '../plot';

/**
 * "Why this emotion?": a clip's features in grey with the explanation's heat over them in warm colours (clear where
 * the heat is low) and the strongest regions outlined and numbered. Used by the classify view and notebook outputs.
 */

/** Grey for the features, so the heat's colours stand out in every theme. */
const FEATURE_SCALE = [
  [0, 'rgb(16, 16, 16)'],
  [1, 'rgb(236, 236, 236)'],
];

/** Heat from pale yellow to crimson, more opaque as it rises (never fully, so the features stay readable). */
const HEAT_SCALE = [
  [0, 'rgba(255, 230, 80, 0.2)'],
  [0.5, 'rgba(255, 140, 0, 0.5)'],
  [1, 'rgba(220, 20, 60, 0.75)'],
];

/** Identifies what an explanation shows without comparing every value. */
function explanationKey(explanation: Explanation): string {
  let sample = 0;
  for (let i = 0; i < explanation.heat.length; i += 37) sample += explanation.heat[i];
  return JSON.stringify([explanation.file, explanation.method, explanation.label, explanation.bins, explanation.frames, explanation.time, explanation.regions, sample]);
}

/** The overlay figure. */
export class ExplanationFigure {
  readonly chart = new Chart(420);

  /** Draws `explanation` (skipped when it shows the same as last time). */
  show(explanation: Explanation): void {
    const features = explanation.features;
    const axis = explanationAxis(explanation);
    const times = explanationTimes(explanation);
    const spectral = spectralBins(explanation);
    const label = `${EXPLANATION_METHOD_NAMES[explanation.method]} heat over the features of ${explanation.file}. ${explanationSummary(explanation)}`;
    this.chart.draw(explanationKey(explanation), label, (theme) => {
      const hoverRows = axis.labels.map((text) => new Array<string>(explanation.frames).fill(text));
      const bins = axis.values.map((_, i) => i);
      const valueFormat = features.kind === 'mfcc' ? '%{z:.2f}' : '%{z:.1f} dB';
      const boxes = regionBoxes(explanation);
      // Prosody rows have units of their own: each is shaded on its own scale, its values shown on hover.
      const prosody =
        spectral < explanation.bins
          ? [
              {
                type: 'heatmap',
                name: 'Prosody',
                x: times,
                y: bins.slice(spectral),
                z: featureShades(explanation).slice(spectral),
                customdata: features.data.slice(spectral),
                text: hoverRows.slice(spectral),
                zmin: 0,
                zmax: 1,
                colorscale: FEATURE_SCALE,
                showscale: false,
                hovertemplate: '%{x:.2f} s<br>%{text}: %{customdata:.1f}<extra></extra>',
              },
            ]
          : [];
      const separator = spectral < explanation.bins ? [{ type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: spectral - 0.5, y1: spectral - 0.5, line: { color: theme.foreground, width: 1 } }] : [];
      return {
        data: [
          {
            type: 'heatmap',
            name: 'Features',
            x: times,
            y: bins.slice(0, spectral),
            z: features.data.slice(0, spectral),
            text: hoverRows.slice(0, spectral),
            colorscale: FEATURE_SCALE,
            showscale: false,
            hovertemplate: `%{x:.2f} s<br>%{text}<br>${valueFormat}<extra></extra>`,
          },
          ...prosody,
          {
            type: 'heatmap',
            name: 'Heat',
            x: times,
            y: bins,
            z: heatRows(explanation),
            text: hoverRows,
            zmin: 0,
            zmax: 1,
            colorscale: HEAT_SCALE,
            hoverongaps: false,
            hovertemplate: '%{x:.2f} s<br>%{text}<br>heat %{z:.2f}<extra></extra>',
            colorbar: { title: { text: 'Heat' }, outlinewidth: 0, tickfont: { color: theme.foreground }, len: 0.9 },
          },
        ],
        layout: themedLayout(theme, {
          hovermode: 'closest',
          showlegend: false,
          margin: { l: 70, r: 16, t: 10, b: 48 },
          xaxis: themedAxis(theme, 'Time in the file (s)', { range: [times[0] - explanation.time.hopSeconds / 2, times[times.length - 1] + explanation.time.hopSeconds / 2], showgrid: false }),
          yaxis: themedAxis(theme, axis.title, axis.tickvals.length ? { tickmode: 'array', tickvals: axis.tickvals, ticktext: axis.ticktext, showgrid: false } : { showgrid: false }),
          shapes: [...separator, ...boxes.map((box) => ({ type: 'rect', xref: 'x', yref: 'y', x0: box.x0, x1: box.x1, y0: box.y0, y1: box.y1, line: { color: theme.foreground, width: 1.5, dash: 'dot' } }))],
          annotations: boxes.map((box) => ({
            x: box.x0,
            y: box.y1,
            xref: 'x',
            yref: 'y',
            xanchor: 'left',
            yanchor: 'bottom',
            text: String(box.number),
            showarrow: false,
            font: { color: theme.foreground },
            hovertext: box.text,
          })),
        }),
      };
    });
  }

  /** Frees the chart. */
  dispose(): void {
    this.chart.dispose();
  }
}

/**
 * The explanation section: title, how the heat was made, a Grad-CAM / Occlusion switch (when the host can explain),
 * the figure and the regions in words. The switch and the rows' "Why?" links keep the file, method and emotion of the
 * last request, also when it failed (so a model Grad-CAM refuses can still be explained by occlusion).
 */
export class ExplanationSection {
  readonly element: HTMLElement;
  private readonly title = el('h2');
  private readonly meta = el('p', { className: 'meta' });
  private readonly summary = el('p');
  private readonly status = el('p', { className: 'note', attrs: { 'aria-live': 'polite' } });
  private readonly group = el('vscode-radio-group', { attrs: { 'aria-label': 'Explanation method' } });
  private readonly switcher = el('div', { className: 'kind-switch' }, this.group);
  private readonly radios = new Map<ExplanationMethod, HTMLElementTagNameMap['vscode-radio']>();
  private readonly figure = new ExplanationFigure();
  private readonly figureBox = el('figure', {}, this.figure.chart.element);
  private readonly regions = el('ol', { className: 'regions' });
  /** The explanation shown and the request it answers. */
  private shown: { readonly explanation: Explanation; readonly request: ExplainRequest } | undefined;
  /** The request in effect: the one asked last, or after a failure the shown one's (or the failed one's when nothing is shown). */
  private current: ExplainRequest | undefined;
  private request = 0;

  /** `context` undefined: a fixed explanation (notebook outputs), without the method switch. */
  constructor(private readonly context: ViewContext | undefined) {
    for (const method of EXPLANATION_METHODS) {
      const name = EXPLANATION_METHOD_NAMES[method];
      const radio = el('vscode-radio', { attrs: { name: 'explanation-method', value: method, label: name } }, name);
      radio.addEventListener('change', () => {
        if (radio.checked && this.current && this.current.method !== method) this.ask(requestWithMethod(this.current, method));
      });
      this.radios.set(method, radio);
      this.group.append(radio);
    }
    this.switcher.hidden = !context;
    this.element = el('section', { className: 'explanation' }, this.title, this.meta, this.switcher, this.status, this.summary, this.figureBox, this.regions);
  }

  /** Shows an explanation; `request` is what was asked (default: its file, method and emotion). */
  show(explanation: Explanation, request: ExplainRequest = requestOf(explanation)): void {
    this.request++;
    setText(this.status, '');
    this.display(explanation, request);
  }

  /** Shows why there is no explanation; with the failed `request`, the method switch offers the other method for it. */
  showError(message: string, request?: ExplainRequest): void {
    this.request++;
    this.shown = undefined;
    this.current = request;
    setText(this.title, 'Why this emotion?');
    setText(this.meta, '');
    setText(this.summary, '');
    setText(this.status, `No explanation: ${message}`);
    this.switcher.hidden = !this.context || !request;
    this.checkCurrentMethod();
    this.figureBox.hidden = true;
    this.regions.replaceChildren();
  }

  /** Asks the host to explain `file` (a row's "Why?") with the method in use and shows the answer. */
  explain(file: string): void {
    this.ask(requestForFile(this.current, file));
  }

  /** Frees the chart. */
  dispose(): void {
    this.request++;
    this.figure.dispose();
  }

  private ask(request: ExplainRequest): void {
    if (!this.context) return;
    const context = this.context;
    const ticket = ++this.request;
    this.current = request;
    this.checkCurrentMethod();
    if (this.shown && sameRequest(this.shown.request, request)) {
      setText(this.status, '');
      return;
    }
    setText(this.status, `Computing ${EXPLANATION_METHOD_NAMES[request.method]}…`);
    context.host
      .request('explain', request)
      .then((explanation) => {
        if (ticket !== this.request) return;
        setText(this.status, '');
        this.display(explanation, request);
      })
      .catch((error: unknown) => {
        if (ticket !== this.request) return;
        if (!this.shown) {
          this.showError(error instanceof Error ? error.message : String(error), request);
          return;
        }
        setText(this.status, '');
        this.current = this.shown.request;
        this.checkCurrentMethod();
        context.report(error);
      });
  }

  private display(explanation: Explanation, request: ExplainRequest): void {
    this.shown = { explanation, request };
    this.current = request;
    const name = explanation.file.split(/[\\/]/).pop() ?? explanation.file;
    setText(this.title, `Why ${explanation.label}? ${name}`);
    setText(this.meta, explanationMethodNote(explanation));
    setText(this.summary, explanationSummary(explanation));
    this.switcher.hidden = !this.context;
    this.figureBox.hidden = false;
    this.checkCurrentMethod();
    this.figure.show(explanation);
    this.regions.replaceChildren(...explanation.regions.map((region) => el('li', { text: describeRegion(region) })));
  }

  private checkCurrentMethod(): void {
    for (const [method, radio] of this.radios) if (radio.checked !== (method === this.current?.method)) radio.checked = method === this.current?.method;
  }
}
