import type { SpectrogramKind, SpectrogramView } from '../../../shared/panelProtocol';
import { featureAxis, formatDuration, frameTimes, waveformEnvelope } from '../model';
import { Chart, themedAxis, themedLayout } from '../plot';

/**
 * A file's waveform above one of its feature heatmaps, drawn as one Plotly figure with two subplots sharing the time
 * axis, so zooming or panning one moves both. Used by the spectrogram view and the classify view.
 */

/** Plain names of the feature kinds. */
export const KIND_NAMES: Readonly<Record<SpectrogramKind, string>> = {
  logmel: 'Log-mel',
  mfcc: 'MFCC',
  spectrogram: 'Linear',
};

const KIND_DESCRIPTIONS: Readonly<Record<SpectrogramKind, string>> = {
  logmel: 'log-mel spectrogram',
  mfcc: 'MFCC',
  spectrogram: 'linear spectrogram',
};

/** Lowest and highest value of a bins-major matrix. */
function range(rows: readonly (readonly number[])[]): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    for (const value of row) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  return { min, max };
}

/** Identifies what a view shows without comparing every value: its metadata and a sample of values. */
function viewKey(view: SpectrogramView): string {
  let sample = 0;
  view.matrix.data.forEach((row, b) => {
    for (let t = b % 7; t < row.length; t += 97) sample += row[t];
  });
  const { data: _data, ...matrix } = view.matrix;
  const { min: _min, max: _max, ...waveform } = view.waveform;
  return JSON.stringify([view.file, matrix, waveform, view.fMin, view.fMax, view.nMels, sample]);
}

/** The waveform-and-heatmap figure. */
export class SpectrogramFigure {
  readonly chart = new Chart(560);

  /** Draws `view` (skipped when it shows the same as last time). */
  show(view: SpectrogramView): void {
    const { matrix, waveform } = view;
    const [bins, frames] = matrix.shape;
    const axis = featureAxis(view);
    const { min, max } = range(matrix.data);
    const unit = axis.unit ? ` ${axis.unit}` : '';
    const binsText = matrix.kind === 'mfcc' ? `${bins} coefficients` : `${bins} frequency bins up to ${Math.round(axis.values[axis.values.length - 1] ?? 0)} Hz`;
    const label =
      `Waveform and ${KIND_DESCRIPTIONS[matrix.kind]} of ${view.name}: ${formatDuration(waveform.durationSeconds)}, ${binsText} by ${frames} frames, ` +
      `values from ${min.toFixed(1)} to ${max.toFixed(1)}${unit}.`;
    this.chart.draw(viewKey(view), label, (theme) => {
      const envelope = waveformEnvelope(waveform);
      const times = frameTimes(matrix, waveform.durationSeconds);
      const hoverRows = axis.labels.map((text) => new Array<string>(frames).fill(text));
      const valueFormat = matrix.kind === 'mfcc' ? '%{z:.2f}' : '%{z:.1f} dB';
      const color = theme.palette[0];
      const peak = 1.05 * [...envelope.max, ...envelope.min].reduce((top, value) => Math.max(top, Math.abs(value)), 1e-3);
      return {
        data: [
          {
            type: 'scatter',
            mode: 'lines',
            name: 'Waveform maximum',
            x: envelope.time,
            y: envelope.max,
            xaxis: 'x',
            yaxis: 'y',
            line: { color, width: 1 },
            hovertemplate: '%{x:.3f} s<br>maximum %{y:.3f}<extra></extra>',
            showlegend: false,
          },
          {
            type: 'scatter',
            mode: 'lines',
            name: 'Waveform minimum',
            x: envelope.time,
            y: envelope.min,
            xaxis: 'x',
            yaxis: 'y',
            fill: 'tonexty',
            line: { color, width: 1 },
            hovertemplate: '%{x:.3f} s<br>minimum %{y:.3f}<extra></extra>',
            showlegend: false,
          },
          {
            type: 'heatmap',
            name: KIND_NAMES[matrix.kind],
            x: times,
            y: axis.values.map((_, i) => i),
            z: matrix.data,
            text: hoverRows,
            xaxis: 'x',
            yaxis: 'y2',
            colorscale: 'Viridis',
            hovertemplate: `%{x:.3f} s<br>%{text}<br>${valueFormat}<extra></extra>`,
            colorbar: { title: { text: axis.unit || 'value' }, y: 0, yanchor: 'bottom', len: 0.68, outlinewidth: 0, tickfont: { color: theme.foreground } },
          },
        ],
        layout: themedLayout(theme, {
          hovermode: 'closest',
          showlegend: false,
          margin: { l: 70, r: 16, t: 10, b: 48 },
          xaxis: themedAxis(theme, 'Time (s)', { anchor: 'y2', range: [0, waveform.durationSeconds], showgrid: false }),
          yaxis: themedAxis(theme, 'Amplitude', { domain: [0.74, 1], range: [-peak, peak], showgrid: false, fixedrange: true }),
          yaxis2: themedAxis(
            theme,
            axis.title,
            axis.tickvals.length ? { domain: [0, 0.68], tickmode: 'array', tickvals: axis.tickvals, ticktext: axis.ticktext, showgrid: false } : { domain: [0, 0.68], showgrid: false },
          ),
        }),
      };
    });
  }

  /** Frees the chart. */
  dispose(): void {
    this.chart.dispose();
  }
}
