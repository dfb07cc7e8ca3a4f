import type { ExplorerJson } from '../../shared/mime';
import { el, setText } from '../panel/dom';
import { Chart, themedAxis, themedLayout } from '../panel/plot';
import { SpectrogramFigure } from '../panel/views/spectrogramFigure';
import { audioElement, setAudioSource } from './audio';
import type { ClipClient } from './clips';
import { explorerGroups } from './model';

/** The feature explorer: clips as points coloured by emotion; picking one asks the kernel for its audio and spectrogram. */

const NO_MESSAGING = 'Run the notebook to hear clips.';

/** The part of a Plotly-drawn div that the explorer uses: Plotly adds `on` to it on the first draw. */
interface PlotlyDiv extends HTMLDivElement {
  on?(event: 'plotly_click', listener: (event: { points?: { customdata?: unknown }[] }) => void): void;
}

/** The explorer output. */
export class ExplorerOutput {
  readonly element: HTMLElement;
  private readonly caption = el('figcaption');
  private readonly chart = new Chart(440);
  private readonly picker = el('select', { attrs: { 'aria-label': 'Clip to hear' } });
  private readonly status = el('p', { className: 'note', attrs: { 'aria-live': 'polite' } });
  private readonly alert = el('div', { className: 'alert', attrs: { role: 'alert' } });
  private readonly clipTitle = el('h3');
  private readonly audio = audioElement();
  private readonly figure = new SpectrogramFigure();
  private readonly clip = el('section', { className: 'clip' }, this.clipTitle, this.audio, this.figure.chart.element);
  private listening = false;
  private latest = 0;

  constructor(private readonly clips: ClipClient | undefined) {
    this.clip.hidden = true;
    this.figure.chart.element.setAttribute('aria-label', 'Waveform and spectrogram of the chosen clip');
    const pickerRow = el('div', { className: 'clip-picker' }, el('label', { text: 'Hear a clip:' }), this.picker);
    this.picker.addEventListener('change', () => {
      if (this.picker.value) this.play(this.picker.value);
    });
    pickerRow.hidden = !clips;
    this.status.textContent = clips ? 'Click a point to hear its clip and see its spectrogram.' : NO_MESSAGING;
    this.element = el('figure', { className: 'output' }, this.caption, this.chart.element, pickerRow, this.status, this.alert, this.clip);
  }

  /** Draws the points (and refreshes the clip list). */
  update(json: ExplorerJson): void {
    const groups = explorerGroups(json);
    setText(this.caption, `${json.method}: ${json.points.length} clips`);
    const counts = groups.map((g) => `${g.label} ${g.files.length}`).join(', ');
    const key = JSON.stringify(json);
    this.chart.draw(key, `Scatter plot of ${json.points.length} clips by ${json.method} (${json.axes[0]} against ${json.axes[1]}), coloured by emotion: ${counts}.`, (theme) => ({
      data: groups.map((group, i) => ({
        type: 'scatter',
        mode: 'markers',
        name: group.label,
        x: group.x,
        y: group.y,
        customdata: group.files,
        hovertext: group.hover,
        hoverinfo: 'text',
        marker: { color: theme.palette[i % theme.palette.length], size: 7, opacity: 0.85 },
      })),
      layout: themedLayout(theme, {
        hovermode: 'closest',
        showlegend: true,
        legend: { title: { text: 'Emotion' }, bgcolor: 'rgba(0, 0, 0, 0)' },
        margin: { l: 60, r: 16, t: 16, b: 52 },
        xaxis: themedAxis(theme, json.axes[0], { zeroline: false }),
        yaxis: themedAxis(theme, json.axes[1], { zeroline: false }),
      }),
    }));
    this.listen();
    if (this.picker.dataset.key !== key) {
      this.picker.dataset.key = key;
      const options = [...json.points].sort((a, b) => a.name.localeCompare(b.name)).map((p) => el('option', { text: `${p.name} (${p.label})`, attrs: { value: p.file } }));
      this.picker.replaceChildren(el('option', { text: 'Choose…', attrs: { value: '' } }), ...options);
    }
  }

  /** Stops playback and frees the charts. */
  dispose(): void {
    this.latest = -1;
    this.audio.pause();
    this.chart.dispose();
    this.figure.dispose();
  }

  /** Listens to clicks on points once Plotly has set the chart up. */
  private listen(): void {
    const div = this.chart.element as PlotlyDiv;
    if (this.listening || typeof div.on !== 'function') return;
    this.listening = true;
    div.on('plotly_click', (event) => {
      const file = event.points?.[0]?.customdata;
      if (typeof file === 'string') this.play(file);
    });
  }

  /** Asks the kernel for `file` and shows its player and spectrogram (only the latest request's answer is shown). */
  private play(file: string): void {
    if (!this.clips) {
      setText(this.status, NO_MESSAGING);
      return;
    }
    const ticket = ++this.latest;
    setText(this.alert, '');
    setText(this.status, `Loading ${file.split(/[\\/]/).pop() ?? file}…`);
    this.clips.request(file).then(
      ({ audio, spectrogram }) => {
        if (ticket !== this.latest) return;
        setText(this.status, '');
        this.clip.hidden = false;
        setText(this.clipTitle, audio.name);
        setAudioSource(this.audio, audio);
        this.figure.show(spectrogram);
      },
      (error: unknown) => {
        if (ticket !== this.latest) return;
        setText(this.status, '');
        setText(this.alert, `Could not load the clip: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }
}
