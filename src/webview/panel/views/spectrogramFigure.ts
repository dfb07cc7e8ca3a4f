import { valueRange } from '../../../shared/colormap';
import type { SpectrogramKind, SpectrogramView } from '../../../shared/panelProtocol';
import { featureAxis, formatDuration, frameTimes, frequencyPosition, waveformEnvelope } from '../model';
import { Chart, themedAxis, themedLayout, type PlotObject, type Theme } from '../plot';

/**
 * A file's waveform above one of its feature heatmaps, drawn as one Plotly figure with subplots sharing the time
 * axis, so zooming or panning one moves all. With prosody, the F0 contour lies on the heatmap at its frequency (for
 * MFCC, which has no frequency axis, in the bottom subplot on an axis in Hz) and a bottom subplot shows the energy
 * and HNR contours. Used by the spectrogram view, the classify view and notebook outputs.
 */

/** Heights of the figure in pixels, without and with the prosody subplot. */
const HEIGHT = 560;
const HEIGHT_WITH_PROSODY = 680;

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

/** Identifies what a view shows without comparing every value: its metadata and a sample of values. */
function viewKey(view: SpectrogramView): string {
  let sample = 0;
  view.matrix.data.forEach((row, b) => {
    for (let t = b % 7; t < row.length; t += 97) sample += row[t];
  });
  const { data: _data, ...matrix } = view.matrix;
  const { min: _min, max: _max, ...waveform } = view.waveform;
  return JSON.stringify([view.file, matrix, waveform, view.fMin, view.fMax, view.nMels, sample, view.prosody?.summary ?? null]);
}

/** The F0 line and the energy and HNR lines of the prosody subplot, with the axes they need. */
function prosodyTraces(view: SpectrogramView, times: readonly number[], theme: Theme): { data: PlotObject[]; axes: PlotObject } {
  const prosody = view.prosody!;
  const position = frequencyPosition(view);
  const line = (name: string, y: readonly (number | null)[], yaxis: string, color: string, extra: PlotObject = {}): PlotObject => ({
    type: 'scatter',
    mode: 'lines',
    name,
    x: times,
    y,
    xaxis: 'x',
    yaxis,
    line: { color, width: 2 },
    showlegend: true,
    ...extra,
  });
  const f0 = position
    ? line('F0', prosody.f0Hz.map((hz) => (hz === null ? null : position(hz))), 'y2', theme.palette[3], {
        customdata: prosody.f0Hz,
        hovertemplate: '%{x:.3f} s<br>F0 %{customdata:.1f} Hz<extra></extra>',
      })
    : line('F0', prosody.f0Hz, 'y4', theme.palette[3], { hovertemplate: '%{x:.3f} s<br>F0 %{y:.1f} Hz<extra></extra>' });
  const data = [
    f0,
    line('Energy', prosody.energyDb, 'y3', theme.palette[1], { hovertemplate: '%{x:.3f} s<br>energy %{y:.1f} dB<extra></extra>' }),
    line('HNR', prosody.hnrDb, 'y3', theme.palette[2], { line: { color: theme.palette[2], width: 1.5, dash: 'dot' }, hovertemplate: '%{x:.3f} s<br>HNR %{y:.1f} dB<extra></extra>' }),
  ];
  const axes: PlotObject = {
    yaxis3: themedAxis(theme, 'dB', { domain: [0, 0.2], showgrid: false }),
    ...(position ? {} : { yaxis4: themedAxis(theme, 'F0 (Hz)', { overlaying: 'y3', side: 'right', rangemode: 'tozero', showgrid: false }) }),
  };
  return { data, axes };
}

/** The waveform-and-heatmap figure. */
export class SpectrogramFigure {
  readonly chart = new Chart(HEIGHT);

  /** Draws `view` (skipped when it shows the same as last time). */
  show(view: SpectrogramView): void {
    const { matrix, waveform } = view;
    const [bins, frames] = matrix.shape;
    const axis = featureAxis(view);
    const { min, max } = valueRange(matrix.data);
    const unit = axis.unit ? ` ${axis.unit}` : '';
    const binsText = matrix.kind === 'mfcc' ? `${bins} coefficients` : `${bins} frequency bins up to ${Math.round(axis.values[axis.values.length - 1] ?? 0)} Hz`;
    const summary = view.prosody?.summary;
    const prosodyText = !summary
      ? ''
      : summary.f0MeanHz === null
        ? ' No voiced frames.'
        : ` F0 mean ${summary.f0MeanHz.toFixed(0)} Hz, ${(summary.voicedFraction * 100).toFixed(0)}% of frames voiced.`;
    const label =
      `Waveform and ${KIND_DESCRIPTIONS[matrix.kind]} of ${view.name}: ${formatDuration(waveform.durationSeconds)}, ${binsText} by ${frames} frames, ` +
      `values from ${min.toFixed(1)} to ${max.toFixed(1)}${unit}.${prosodyText}`;
    this.chart.setHeight(view.prosody ? HEIGHT_WITH_PROSODY : HEIGHT);
    this.chart.draw(viewKey(view), label, (theme) => {
      const envelope = waveformEnvelope(waveform);
      const times = frameTimes(matrix, waveform.durationSeconds);
      const hoverRows = axis.labels.map((text) => new Array<string>(frames).fill(text));
      const valueFormat = matrix.kind === 'mfcc' ? '%{z:.2f}' : '%{z:.1f} dB';
      const color = theme.palette[0];
      const peak = 1.05 * [...envelope.max, ...envelope.min].reduce((top, value) => Math.max(top, Math.abs(value)), 1e-3);
      const prosody = view.prosody ? prosodyTraces(view, times, theme) : undefined;
      // Vertical extents of the waveform, the heatmap and (with prosody) the bottom subplot.
      const waveformDomain = prosody ? [0.8, 1] : [0.74, 1];
      const heatmapDomain = prosody ? [0.27, 0.75] : [0, 0.68];
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
            colorbar: {
              title: { text: axis.unit || 'value' },
              y: heatmapDomain[0],
              yanchor: 'bottom',
              len: heatmapDomain[1] - heatmapDomain[0],
              outlinewidth: 0,
              tickfont: { color: theme.foreground },
            },
          },
          ...(prosody?.data ?? []),
        ],
        layout: themedLayout(theme, {
          hovermode: 'closest',
          showlegend: Boolean(prosody),
          legend: { orientation: 'h', x: 0, y: 0.21, yanchor: 'bottom', bgcolor: 'rgba(0, 0, 0, 0)' },
          margin: { l: 70, r: prosody && matrix.kind === 'mfcc' ? 56 : 16, t: 10, b: 48 },
          xaxis: themedAxis(theme, 'Time (s)', { anchor: prosody ? 'y3' : 'y2', range: [0, waveform.durationSeconds], showgrid: false }),
          yaxis: themedAxis(theme, 'Amplitude', { domain: waveformDomain, range: [-peak, peak], showgrid: false, fixedrange: true }),
          yaxis2: themedAxis(
            theme,
            axis.title,
            axis.tickvals.length
              ? { domain: heatmapDomain, tickmode: 'array', tickvals: axis.tickvals, ticktext: axis.ticktext, showgrid: false }
              : { domain: heatmapDomain, showgrid: false },
          ),
          ...(prosody?.axes ?? {}),
        }),
      };
    });
  }

  /** Frees the chart. */
  dispose(): void {
    this.chart.dispose();
  }
}
