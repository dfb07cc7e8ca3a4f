import type { FeatureMatrix } from '../audio/matrix';
import type { Random } from '../random';

/** Options of {@link specAugment} (Park et al. 2019, without time warping). */
export interface SpecAugmentOptions {
  /** Number of time masks (whole frames masked across all bins). */
  readonly timeMasks: number;
  /** Largest time-mask width in frames; each width is drawn uniformly from 0…maxTimeWidth. */
  readonly maxTimeWidth: number;
  /** Number of frequency masks (whole bins masked across all frames). */
  readonly freqMasks: number;
  /** Largest frequency-mask width in bins; each width is drawn uniformly from 0…maxFreqWidth. */
  readonly maxFreqWidth: number;
  /** Value written into masked cells: the matrix's mean (default) or a fixed number. */
  readonly fill?: 'mean' | number;
}

/** One mask: `width` consecutive frames or bins from `start`. */
export interface MaskSpan {
  readonly start: number;
  readonly width: number;
}

/** The masks {@link specAugment} applies: time spans in frames, frequency spans in bins. */
export interface SpecAugmentMasks {
  readonly time: readonly MaskSpan[];
  readonly freq: readonly MaskSpan[];
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0 (got ${value})`);
}

function drawSpans(count: number, maxWidth: number, extent: number, random: Random): MaskSpan[] {
  const spans: MaskSpan[] = [];
  for (let i = 0; i < count; i++) {
    const width = Math.min(extent, Math.floor(random.next() * (maxWidth + 1)));
    const start = Math.floor(random.next() * (extent - width + 1));
    spans.push({ start, width });
  }
  return spans;
}

/** Draws the time masks (in frames) then the frequency masks (in bins) for a matrix of the given size. */
export function drawSpecAugmentMasks(bins: number, frames: number, options: SpecAugmentOptions, random: Random): SpecAugmentMasks {
  checkCount('timeMasks', options.timeMasks);
  checkCount('maxTimeWidth', options.maxTimeWidth);
  checkCount('freqMasks', options.freqMasks);
  checkCount('maxFreqWidth', options.maxFreqWidth);
  return {
    time: drawSpans(options.timeMasks, options.maxTimeWidth, frames, random),
    freq: drawSpans(options.freqMasks, options.maxFreqWidth, bins, random),
  };
}

/** Mean of all values of a matrix (0 when it is empty). */
export function matrixMean(matrix: FeatureMatrix): number {
  let sum = 0;
  for (let i = 0; i < matrix.data.length; i++) sum += matrix.data[i];
  return matrix.data.length ? sum / matrix.data.length : 0;
}

/**
 * SpecAugment time and frequency masking: sets `timeMasks` spans of up to `maxTimeWidth` frames and `freqMasks`
 * spans of up to `maxFreqWidth` bins to the fill value (the input's mean by default). Returns a new matrix.
 */
export function specAugment(matrix: FeatureMatrix, options: SpecAugmentOptions, random: Random): FeatureMatrix {
  const { bins, frames } = matrix;
  const masks = drawSpecAugmentMasks(bins, frames, options, random);
  const fill = options.fill === undefined || options.fill === 'mean' ? matrixMean(matrix) : options.fill;
  const data = matrix.data.slice();
  for (const { start, width } of masks.time) data.fill(fill, start * bins, (start + width) * bins);
  for (const { start, width } of masks.freq) {
    for (let t = 0; t < frames; t++) data.fill(fill, t * bins + start, t * bins + start + width);
  }
  return { bins, frames, data };
}
