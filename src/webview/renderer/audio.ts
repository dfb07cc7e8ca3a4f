import type { AudioJson, WaveformView } from '../../shared/mime';
import { el } from '../panel/dom';
import { formatDuration, waveformEnvelope } from '../panel/model';
import { Chart, themedAxis, themedLayout } from '../panel/plot';

/** A playable clip: an audio element whose source is the clip's WAV data, and its waveform below it. */

/** Sets an audio element's source to the clip's WAV data (only when it changed, so playback is not interrupted). */
export function setAudioSource(audio: HTMLAudioElement, clip: AudioJson): void {
  const source = `data:audio/wav;base64,${clip.wavBase64}`;
  if (audio.getAttribute('src') !== source) audio.src = source;
  audio.setAttribute('aria-label', `Play ${clip.name}`);
}

/** An audio element with controls, styled for an output. */
export function audioElement(): HTMLAudioElement {
  const audio = el('audio', { className: 'audio' });
  audio.controls = true;
  audio.preload = 'metadata';
  return audio;
}

/** Draws a waveform envelope (minimum and maximum per point, filled between) into `chart`. */
export function drawWaveform(chart: Chart, waveform: WaveformView, name: string): void {
  const envelope = waveformEnvelope(waveform);
  const peak = 1.05 * [...envelope.max, ...envelope.min].reduce((top, value) => Math.max(top, Math.abs(value)), 1e-3);
  const label = `Waveform of ${name}: ${formatDuration(waveform.durationSeconds)} at ${waveform.sampleRate} Hz, peak amplitude ${(peak / 1.05).toFixed(3)}.`;
  chart.draw(JSON.stringify([name, waveform]), label, (theme) => {
    const line = { color: theme.palette[0], width: 1 };
    return {
      data: [
        { type: 'scatter', mode: 'lines', name: 'Maximum', x: envelope.time, y: envelope.max, line, hovertemplate: '%{x:.3f} s<br>maximum %{y:.3f}<extra></extra>' },
        { type: 'scatter', mode: 'lines', name: 'Minimum', x: envelope.time, y: envelope.min, fill: 'tonexty', line, hovertemplate: '%{x:.3f} s<br>minimum %{y:.3f}<extra></extra>' },
      ],
      layout: themedLayout(theme, {
        showlegend: false,
        hovermode: 'closest',
        margin: { l: 60, r: 16, t: 8, b: 44 },
        xaxis: themedAxis(theme, 'Time (s)', { range: [0, waveform.durationSeconds], showgrid: false }),
        yaxis: themedAxis(theme, 'Amplitude', { range: [-peak, peak], fixedrange: true, showgrid: false }),
      }),
    };
  });
}

/** The audio output: a caption with the clip's name and duration, the player, and the waveform. */
export class AudioOutput {
  readonly element: HTMLElement;
  private readonly caption = el('figcaption');
  private readonly audio = audioElement();
  private readonly chart = new Chart(180);

  constructor() {
    this.element = el('figure', { className: 'output' }, this.caption, this.audio, this.chart.element);
  }

  /** Shows `clip`. */
  update(clip: AudioJson): void {
    const text = `${clip.name} · ${formatDuration(clip.waveform.durationSeconds)} · ${clip.sampleRate} Hz`;
    if (this.caption.textContent !== text) this.caption.textContent = text;
    setAudioSource(this.audio, clip);
    drawWaveform(this.chart, clip.waveform, clip.name);
  }

  /** Stops playback and frees the chart. */
  dispose(): void {
    this.audio.pause();
    this.chart.dispose();
  }
}
