import { createMatrix, type FeatureMatrix } from './matrix';
import { forEachPower, frameCount, powerSpectrogram, type StftOptions } from './stft';

/** Which Hz↔mel formula to use: Slaney's (librosa default, linear below 1 kHz, log above) or HTK's. */
export type MelScale = 'slaney' | 'htk';

const SLANEY_F_SP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

/** Converts a frequency in Hz to mels. */
export function hzToMel(hz: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  if (hz < SLANEY_MIN_LOG_HZ) return hz / SLANEY_F_SP;
  return SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP;
}

/** Converts mels to a frequency in Hz. */
export function melToHz(mel: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  if (mel < SLANEY_MIN_LOG_MEL) return SLANEY_F_SP * mel;
  return SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL));
}

/** `count` frequencies in Hz equally spaced on the mel scale from fMin to fMax inclusive (librosa `mel_frequencies`). */
export function melFrequencies(count: number, fMin: number, fMax: number, scale: MelScale = 'slaney'): Float64Array {
  const lo = hzToMel(fMin, scale);
  const hi = hzToMel(fMax, scale);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = melToHz(count === 1 ? lo : lo + ((hi - lo) * i) / (count - 1), scale);
  return out;
}

/** Mel filterbank options with librosa `filters.mel` names and defaults. */
export interface MelOptions {
  /** Sample rate in Hz. */
  readonly sampleRate: number;
  /** FFT length the filterbank applies to. */
  readonly nFft: number;
  /** Number of mel bands (librosa default 128). */
  readonly nMels?: number;
  /** Lowest band edge in Hz (default 0). */
  readonly fMin?: number;
  /** Highest band edge in Hz (default sampleRate / 2). */
  readonly fMax?: number;
  /** Hz↔mel formula (default 'slaney'). */
  readonly scale?: MelScale;
  /** 'slaney' divides each triangle by its width in Hz so bands have equal area (default); null leaves peaks at 1. */
  readonly norm?: 'slaney' | null;
}

/**
 * A mel filterbank stored sparsely: band m has non-zero weights only for FFT bins
 * `start[m] … start[m] + length[m] - 1`, found at `weights[offset[m] …]`.
 */
export interface MelFilterbank {
  readonly nMels: number;
  /** Number of FFT bins (nFft / 2 + 1). */
  readonly nBins: number;
  readonly start: Int32Array;
  readonly length: Int32Array;
  readonly offset: Int32Array;
  /** Weights rounded to float32, as librosa returns them. */
  readonly weights: Float32Array;
  /** Band edges and centres in Hz (nMels + 2 values). */
  readonly edgesHz: Float64Array;
}

/** Builds a triangular mel filterbank (librosa `filters.mel`): Slaney scale and area normalisation by default. */
export function melFilterbank(options: MelOptions): MelFilterbank {
  const { sampleRate, nFft } = options;
  const nMels = options.nMels ?? 128;
  const fMin = options.fMin ?? 0;
  const fMax = options.fMax ?? sampleRate / 2;
  const scale = options.scale ?? 'slaney';
  const norm = options.norm === undefined ? 'slaney' : options.norm;
  if (!(nMels >= 1 && Number.isInteger(nMels))) throw new RangeError(`nMels must be a positive integer (got ${nMels})`);
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new RangeError(`need 0 ≤ fMin < fMax ≤ sampleRate/2 (got fMin ${fMin} Hz, fMax ${fMax} Hz, rate ${sampleRate} Hz)`);
  }
  const nBins = Math.floor(nFft / 2) + 1;
  const fftFreqs = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) fftFreqs[k] = (k * sampleRate) / nFft;
  const edges = melFrequencies(nMels + 2, fMin, fMax, scale);
  const start = new Int32Array(nMels);
  const length = new Int32Array(nMels);
  const offset = new Int32Array(nMels);
  const packed: number[] = [];
  for (let m = 0; m < nMels; m++) {
    const lowerWidth = edges[m + 1] - edges[m];
    const upperWidth = edges[m + 2] - edges[m + 1];
    const enorm = norm === 'slaney' ? 2 / (edges[m + 2] - edges[m]) : 1;
    let first = -1;
    let last = -1;
    const row: number[] = [];
    for (let k = 0; k < nBins; k++) {
      const lower = (fftFreqs[k] - edges[m]) / lowerWidth;
      const upper = (edges[m + 2] - fftFreqs[k]) / upperWidth;
      const weight = Math.max(0, Math.min(lower, upper)) * enorm;
      if (weight > 0) {
        if (first < 0) first = k;
        last = k;
      }
      row.push(weight);
    }
    offset[m] = packed.length;
    if (first >= 0) {
      start[m] = first;
      length[m] = last - first + 1;
      for (let k = first; k <= last; k++) packed.push(row[k]);
    }
  }
  return { nMels, nBins, start, length, offset, weights: Float32Array.from(packed), edgesHz: edges };
}

/** Expands a sparse filterbank to a dense nMels × nBins row-major array (for inspection and tests). */
export function denseFilterbank(bank: MelFilterbank): Float32Array {
  const dense = new Float32Array(bank.nMels * bank.nBins);
  for (let m = 0; m < bank.nMels; m++) {
    for (let j = 0; j < bank.length[m]; j++) dense[m * bank.nBins + bank.start[m] + j] = bank.weights[bank.offset[m] + j];
  }
  return dense;
}

/** Number of bands with no non-zero weight (too many mels for the FFT resolution). */
export function emptyBands(bank: MelFilterbank): number {
  let count = 0;
  for (let m = 0; m < bank.nMels; m++) if (bank.length[m] === 0) count++;
  return count;
}

/** Applies a filterbank to a (power) spectrogram: mel[t][m] = Σ_k w[m][k] · S[t][k], accumulated in float64. */
export function applyFilterbank(spectrogram: FeatureMatrix, bank: MelFilterbank): FeatureMatrix {
  if (spectrogram.bins !== bank.nBins) {
    throw new RangeError(`spectrogram has ${spectrogram.bins} bins but the filterbank expects ${bank.nBins}`);
  }
  const out = createMatrix(bank.nMels, spectrogram.frames);
  const { start, length, offset, weights } = bank;
  const input = spectrogram.data;
  for (let t = 0; t < spectrogram.frames; t++) {
    const inBase = t * bank.nBins;
    const outBase = t * bank.nMels;
    for (let m = 0; m < bank.nMels; m++) {
      let sum = 0;
      const w = offset[m];
      const s = inBase + start[m];
      for (let j = 0; j < length[m]; j++) sum += weights[w + j] * input[s + j];
      out.data[outBase + m] = sum;
    }
  }
  return out;
}

/**
 * Mel spectrogram (librosa `feature.melspectrogram`): |STFT|^power through a mel filterbank. Each frame's float64
 * power spectrum goes straight through the filterbank; the linear spectrogram is never stored.
 */
export function melSpectrogram(
  samples: Float32Array,
  options: StftOptions & Omit<MelOptions, 'nFft'> & { readonly power?: number },
  bank: MelFilterbank = melFilterbank(options),
): FeatureMatrix {
  const power = options.power ?? 2;
  if (bank.nBins !== Math.floor(options.nFft / 2) + 1) {
    throw new RangeError(`the filterbank expects ${bank.nBins} bins but nFft ${options.nFft} gives ${Math.floor(options.nFft / 2) + 1}`);
  }
  if (power !== 2) return applyFilterbank(powerSpectrogram(samples, options), bank);
  const out = createMatrix(bank.nMels, frameCount(samples.length, options));
  const { start, length, offset, weights, nMels } = bank;
  const data = out.data;
  forEachPower(samples, options, (spectrum, t) => {
    const outBase = t * nMels;
    for (let m = 0; m < nMels; m++) {
      let sum = 0;
      const w = offset[m] - start[m];
      for (let k = start[m], end = start[m] + length[m]; k < end; k++) sum += weights[w + k] * spectrum[k];
      data[outBase + m] = sum;
    }
  });
  return out;
}
