import { hzToMel, melFrequencies } from '../../core/audio/mel';
import type { ClassifyRowView, EpochView, MetricsView, RunSummary, SpectrogramView, WaveformView } from '../../shared/panelProtocol';

/**
 * What the panel views show, shaped from the panel protocol's plain data without touching the DOM or Plotly:
 * formatting, confusion-matrix cells, frequency axes, waveform envelopes, run ordering and timelines.
 */

const DASH = '—';
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A fraction (0.753) as a percentage with one decimal ("75.3%"); a dash when unknown. */
export function formatPercent(fraction: number | undefined): string {
  return fraction === undefined || !Number.isFinite(fraction) ? DASH : `${(fraction * 100).toFixed(1)}%`;
}

/** A score in [0, 1] such as F1 with three decimals ("0.712"); a dash when unknown. */
export function formatScore(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(3);
}

/** A whole number with thousands separators ("1,234"); a dash when unknown. */
export function formatCount(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? DASH : NUMBER.format(Math.round(value));
}

/** A duration in words: "3.2 s" under 10 s, "42 s", "1 min 20 s", "2 h 5 min"; a dash when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return DASH;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) {
    const minutes = Math.floor(whole / 60);
    const rest = whole % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(whole / 3600);
  const minutes = Math.round((whole % 3600) / 60);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** A frequency in Hz for labels: "23 Hz", "1,250 Hz". */
export function formatHz(hz: number): string {
  return `${NUMBER.format(Math.round(hz))} Hz`;
}

/** An ISO time stamp as local "YYYY-MM-DD HH:MM"; the text itself when it is not a date. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** A CSS colour made safe for Plotly: 8-digit and 4-digit hex become rgba(); anything else is returned trimmed. */
export function plotColor(css: string): string {
  const value = css.trim();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(value);
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value);
  const parts = long ? long.slice(1) : short ? short.slice(1).map((c) => c + c) : undefined;
  if (!parts) return value;
  const [r, g, b, a] = parts.map((hex) => parseInt(hex, 16));
  return `rgba(${r}, ${g}, ${b}, ${Number((a / 255).toFixed(3))})`;
}

/** The epoch record marked best: the declared best epoch when it is in the history, else the first with the highest validation UAR. */
export function bestEpochOf(history: readonly EpochView[], declared?: number): EpochView | undefined {
  if (declared !== undefined) {
    const found = history.find((record) => record.epoch === declared);
    if (found) return found;
  }
  let best: EpochView | undefined;
  for (const record of history) if (!best || record.validationUar > best.validationUar) best = record;
  return best;
}

/** Cells of a confusion-matrix heatmap: rows are true labels, columns predicted labels. */
export interface ConfusionCells {
  /** Column (predicted) and row (true) labels. */
  readonly predicted: readonly string[];
  readonly truth: readonly string[];
  /** Row-normalised fractions, the colour of each cell. */
  readonly fractions: readonly (readonly number[])[];
  /** Clip counts, the text of each cell. */
  readonly counts: readonly (readonly string[])[];
  /** Hover text of each cell. */
  readonly hover: readonly (readonly string[])[];
}

/** Shapes a confusion matrix for a heatmap: fractions as colour, counts as text, a sentence per cell on hover. */
export function confusionCells(metrics: MetricsView): ConfusionCells {
  const labels = metrics.labels;
  const counts = labels.map((_, t) => labels.map((__, p) => String(metrics.confusion[t]?.[p] ?? 0)));
  const fractions = labels.map((_, t) => labels.map((__, p) => metrics.confusionNormalized[t]?.[p] ?? 0));
  const hover = labels.map((truth, t) =>
    labels.map((predicted, p) => {
      const count = metrics.confusion[t]?.[p] ?? 0;
      return `True: ${truth}<br>Predicted: ${predicted}<br>${count} ${count === 1 ? 'clip' : 'clips'} (${formatPercent(fractions[t][p])} of ${truth})`;
    }),
  );
  return { predicted: labels, truth: labels, fractions, counts, hover };
}

/** One per-class table row, formatted. */
export interface ClassRow {
  readonly label: string;
  readonly precision: string;
  readonly recall: string;
  readonly f1: string;
  readonly support: string;
}

/** Per-class precision, recall and F1 as percentages and support as a count. */
export function classRows(metrics: MetricsView): ClassRow[] {
  return metrics.perClass.map((c) => ({
    label: c.label,
    precision: formatPercent(c.precision),
    recall: formatPercent(c.recall),
    f1: formatPercent(c.f1),
    support: formatCount(c.support),
  }));
}

/** The headline numbers of a metrics block, named and formatted. */
export function metricsSummary(metrics: MetricsView): { readonly name: string; readonly value: string }[] {
  return [
    { name: 'Accuracy', value: formatPercent(metrics.accuracy) },
    { name: 'UAR', value: formatPercent(metrics.uar) },
    { name: 'Macro-F1', value: formatPercent(metrics.macroF1) },
    { name: 'Files', value: formatCount(metrics.n) },
  ];
}

/** The vertical axis of a feature heatmap: what each bin is, and which bins get tick labels. */
export interface FeatureAxis {
  readonly title: string;
  /** Each bin's frequency in Hz (log-mel centre, linear bin) or coefficient index (MFCC); NaN for prosody rows. */
  readonly values: readonly number[];
  /** Each bin's hover label ("1,250 Hz", "coefficient 3", a prosody row's name). */
  readonly labels: readonly string[];
  /** Bin positions (fractional) of the tick labels, and the labels. */
  readonly tickvals: readonly number[];
  readonly ticktext: readonly string[];
  /** Unit of the heatmap's values. */
  readonly unit: 'dB' | '';
}

const MEL_TICKS_HZ = [50, 100, 200, 500, 1000, 2000, 4000, 8000, 16000];

/** What a feature heatmap's vertical axis is drawn from: the matrix and its frequency range and mel scale (default Slaney). */
export interface FeatureAxisSource extends Pick<SpectrogramView, 'matrix' | 'fMin' | 'fMax' | 'melScale'> {
  /** Names of rows after the spectral bins (a model input's prosody rows), bottom up: labelled by name, not frequency. */
  readonly prosodyRows?: readonly string[];
}

/** Maps a frequency in Hz to its fractional bin index on a heatmap's vertical axis; undefined for MFCC (no frequency axis). */
export function frequencyPosition(view: FeatureAxisSource): ((hz: number) => number) | undefined {
  const { kind, sampleRate } = view.matrix;
  const bins = view.matrix.shape[0] - (view.prosodyRows?.length ?? 0);
  if (kind === 'mfcc') return undefined;
  if (kind === 'logmel') {
    const scale = view.melScale ?? 'slaney';
    const low = hzToMel(view.fMin ?? 0, scale);
    const melsPerBand = (hzToMel(view.fMax ?? sampleRate / 2, scale) - low) / (bins + 1);
    return (hz) => (hzToMel(hz, scale) - low) / melsPerBand - 1;
  }
  const nyquist = sampleRate / 2;
  return (hz) => (hz * (bins - 1)) / nyquist;
}

/**
 * Frequencies of the bins of a feature matrix (Hz on its own mel scale, or coefficient indices for MFCC) with hover
 * labels and ticks; prosody rows after the spectral bins are labelled by name, with one "prosody" tick.
 */
export function featureAxis(view: FeatureAxisSource): FeatureAxis {
  const spectral = spectralAxis(view);
  const rows = view.prosodyRows ?? [];
  if (!rows.length) return spectral;
  const first = spectral.values.length;
  const middle = first + (rows.length - 1) / 2;
  // The spectral ticks that would crowd the prosody tick are left out.
  const minGap = (first + rows.length) / 14;
  const kept = spectral.tickvals.map((at, i) => ({ at, text: spectral.ticktext[i] })).filter((tick) => middle - tick.at >= minGap);
  return {
    ...spectral,
    values: [...spectral.values, ...rows.map(() => Number.NaN)],
    labels: [...spectral.labels, ...rows],
    tickvals: [...kept.map((tick) => tick.at), middle],
    ticktext: [...kept.map((tick) => tick.text), 'prosody'],
  };
}

/** {@link featureAxis} of the spectral bins alone. */
function spectralAxis(view: FeatureAxisSource): FeatureAxis {
  const { kind, sampleRate } = view.matrix;
  const bins = view.matrix.shape[0] - (view.prosodyRows?.length ?? 0);
  if (kind === 'mfcc') {
    const values = Array.from({ length: bins }, (_, i) => i);
    const step = Math.max(1, Math.ceil(bins / 10));
    const tickvals = values.filter((i) => i % step === 0);
    return { title: 'MFCC coefficient', values, labels: values.map((i) => `coefficient ${i}`), tickvals, ticktext: tickvals.map(String), unit: '' };
  }
  let values: number[];
  let candidates: number[];
  const position = frequencyPosition(view)!;
  if (kind === 'logmel') {
    values = Array.from(melFrequencies(bins + 2, view.fMin ?? 0, view.fMax ?? sampleRate / 2, view.melScale ?? 'slaney').subarray(1, bins + 1));
    candidates = MEL_TICKS_HZ;
  } else {
    const nyquist = sampleRate / 2;
    values = Array.from({ length: bins }, (_, k) => (bins > 1 ? (k * nyquist) / (bins - 1) : 0));
    const step = nyquist > 8000 ? 2000 : 1000;
    candidates = Array.from({ length: Math.floor(nyquist / step) + 1 }, (_, i) => i * step);
  }
  // Highest frequencies first, skipping ticks that would crowd the one above them.
  const minGap = bins / 14;
  const ticks: { at: number; text: string }[] = [];
  for (const hz of [...candidates].reverse()) {
    const at = position(hz);
    if (at < -1e-9 || at > bins - 1 + 1e-9) continue;
    if (ticks.length && ticks[ticks.length - 1].at - at < minGap) continue;
    ticks.push({ at, text: hz >= 1000 ? `${hz / 1000}k` : String(hz) });
  }
  ticks.reverse();
  return {
    title: kind === 'logmel' ? 'Frequency (Hz, mel scale)' : 'Frequency (Hz)',
    values,
    labels: values.map(formatHz),
    tickvals: ticks.map((t) => t.at),
    ticktext: ticks.map((t) => t.text),
    unit: 'dB',
  };
}

/** Times in seconds of a matrix's frames (t · hop / sample rate); without a hop, frames spread over `durationSeconds`. */
export function frameTimes(matrix: Pick<SpectrogramView['matrix'], 'hopLength' | 'sampleRate' | 'shape'>, durationSeconds: number): number[] {
  const frames = matrix.shape[1];
  const secondsPerFrame = matrix.hopLength ? matrix.hopLength / matrix.sampleRate : frames > 0 ? durationSeconds / frames : 0;
  return Array.from({ length: frames }, (_, t) => t * secondsPerFrame);
}

/** A waveform envelope as two lines over time: each point at the start time of the samples it covers. */
export function waveformEnvelope(waveform: WaveformView): { time: number[]; min: number[]; max: number[] } {
  const count = Math.min(waveform.min.length, waveform.max.length);
  const secondsPerPoint = waveform.samplesPerPoint / waveform.sampleRate;
  return {
    time: Array.from({ length: count }, (_, i) => i * secondsPerPoint),
    min: waveform.min.slice(0, count),
    max: waveform.max.slice(0, count),
  };
}

/** Spacing of epoch ticks: whole epochs, about ten at most. */
export function epochTickStep(epochs: number): number {
  return Math.max(1, Math.ceil(epochs / 10));
}

/** Runs best first: by test UAR, else validation UAR, descending; runs with neither last; ties by name. */
export function sortRuns(runs: readonly RunSummary[]): RunSummary[] {
  const score = (run: RunSummary) => run.testUar ?? run.validationUar ?? Number.NEGATIVE_INFINITY;
  return [...runs].sort((a, b) => score(b) - score(a) || a.name.localeCompare(b.name));
}

/** One curve per run of an epoch metric (legend = run name). */
export function runCurves(runs: readonly RunSummary[], metric: 'validationUar' | 'trainLoss'): { name: string; epochs: number[]; values: number[] }[] {
  return runs
    .filter((run) => run.history.length > 0)
    .map((run) => ({ name: run.name, epochs: run.history.map((r) => r.epoch), values: run.history.map((r) => r[metric]) }));
}

/** Labels and probabilities, most probable first (ties by label). */
export function rankedProbabilities(probabilities: Readonly<Record<string, number>>): { label: string; probability: number }[] {
  return Object.entries(probabilities)
    .map(([label, probability]) => ({ label, probability }))
    .sort((a, b) => b.probability - a.probability || a.label.localeCompare(b.label));
}

/** The row whose details are shown: the first that was classified, if any. */
export function featuredRow(rows: readonly ClassifyRowView[]): ClassifyRowView | undefined {
  return rows.find((row) => !row.error && row.label !== undefined && row.probabilities !== undefined);
}

/** Segments of an emotion timeline sharing a label (or all unvoiced ones), as bar starts and lengths with hover text. */
export interface TimelineGroup {
  /** The label, or "unvoiced". */
  readonly name: string;
  readonly voiced: boolean;
  readonly starts: number[];
  readonly lengths: number[];
  readonly hover: string[];
}

/** Groups timeline segments by label (unvoiced ones together, last), in order of first appearance; hover names the top three probabilities. */
export function timelineGroups(timeline: NonNullable<ClassifyRowView['timeline']>): TimelineGroup[] {
  const groups = new Map<string, TimelineGroup>();
  for (const segment of timeline) {
    const name = segment.voiced ? segment.label : 'unvoiced';
    let group = groups.get(name);
    if (!group) {
      group = { name, voiced: segment.voiced, starts: [], lengths: [], hover: [] };
      groups.set(name, group);
    }
    const top = rankedProbabilities(segment.probabilities)
      .slice(0, 3)
      .map((p) => `${p.label} ${formatPercent(p.probability)}`);
    group.starts.push(segment.start);
    group.lengths.push(segment.end - segment.start);
    group.hover.push(`${segment.start.toFixed(2)}–${segment.end.toFixed(2)} s: ${segment.voiced ? segment.label : 'unvoiced'}<br>${top.join('<br>')}`);
  }
  return [...groups.values()].sort((a, b) => Number(b.voiced) - Number(a.voiced));
}
