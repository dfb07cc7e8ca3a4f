import type { ProsodySummary } from '../core/audio/prosody';

/**
 * Prosody as views show it (spectrogram panel, notebook outputs, the CLI's table): contours per spectrogram frame
 * and the per-clip summary, with the summary's measures named and formatted the same way everywhere.
 */

/** A file's prosody contours (one value per spectrogram frame) and its summary, as plain JSON. */
export interface ProsodyView {
  /** F0 per frame in Hz; null in unvoiced frames. */
  readonly f0Hz: readonly (number | null)[];
  /** RMS level per frame in dB re full scale. */
  readonly energyDb: readonly number[];
  /** Harmonics-to-noise ratio per frame in dB; null in unvoiced frames. */
  readonly hnrDb: readonly (number | null)[];
  readonly summary: ProsodySummary;
}

/** One measure of the summary: its key, its name as users read it, its unit and decimals. */
export interface ProsodyMeasure {
  readonly key: keyof ProsodySummary;
  readonly name: string;
  readonly unit: string;
  readonly digits: number;
}

/** The summary's measures in the order tables list them. */
export const PROSODY_MEASURES: readonly ProsodyMeasure[] = [
  { key: 'f0MeanHz', name: 'F0 mean', unit: 'Hz', digits: 1 },
  { key: 'f0StdSemitones', name: 'F0 standard deviation', unit: 'semitones', digits: 2 },
  { key: 'f0MinHz', name: 'F0 minimum', unit: 'Hz', digits: 1 },
  { key: 'f0MaxHz', name: 'F0 maximum', unit: 'Hz', digits: 1 },
  { key: 'voicedFraction', name: 'Voiced frames', unit: '%', digits: 1 },
  { key: 'energyMeanDb', name: 'Energy mean', unit: 'dB', digits: 1 },
  { key: 'energyStdDb', name: 'Energy standard deviation', unit: 'dB', digits: 1 },
  { key: 'jitterLocalPercent', name: 'Jitter (local)', unit: '%', digits: 2 },
  { key: 'shimmerLocalPercent', name: 'Shimmer (local)', unit: '%', digits: 2 },
  { key: 'shimmerLocalDb', name: 'Shimmer (local, dB)', unit: 'dB', digits: 2 },
  { key: 'hnrMeanDb', name: 'Harmonics-to-noise ratio', unit: 'dB', digits: 1 },
  { key: 'cycles', name: 'Glottal cycles', unit: '', digits: 0 },
];

/** A measure's value as text with its unit ("212.4 Hz", "1.23 %"); a dash when there was nothing to measure. */
export function formatProsodyValue(measure: ProsodyMeasure, summary: ProsodySummary): string {
  const raw = summary[measure.key];
  if (raw === null || !Number.isFinite(raw)) return '—';
  const value = measure.key === 'voicedFraction' ? raw * 100 : raw;
  return measure.unit ? `${value.toFixed(measure.digits)} ${measure.unit}` : value.toFixed(measure.digits);
}

/** The summary as [name, value] rows for a table. */
export function prosodyTableRows(summary: ProsodySummary): [string, string][] {
  return PROSODY_MEASURES.map((measure) => [measure.name, formatProsodyValue(measure, summary)]);
}
