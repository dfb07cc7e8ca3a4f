import { RealFft } from './fft';
import { createMatrix, type FeatureMatrix } from './matrix';

/** How the signal is padded when frames are centred (librosa's `pad_mode`). */
export type PadMode = 'constant' | 'reflect';

/** STFT parameters with librosa 0.10's names and defaults. */
export interface StftOptions {
  /** FFT length in samples (librosa default 2048). */
  readonly nFft: number;
  /** Hop between frames in samples (default nFft / 4). */
  readonly hopLength?: number;
  /** Window length in samples, ≤ nFft, centred in the frame (default nFft). */
  readonly winLength?: number;
  /** Centre frame t at sample t · hop by padding nFft / 2 on both sides (default true). */
  readonly center?: boolean;
  /** Padding used when centring: zeros ('constant', librosa 0.10 default) or mirror ('reflect'). */
  readonly padMode?: PadMode;
}

/** A complex STFT, time-major like {@link FeatureMatrix}: bin b of frame t is at index t · bins + b. */
export interface ComplexSpectrogram {
  readonly bins: number;
  readonly frames: number;
  readonly re: Float32Array;
  readonly im: Float32Array;
}

/** Periodic Hann window of `length` samples (scipy `get_window('hann', n, fftbins=True)`). */
export function hannWindow(length: number): Float64Array {
  const window = new Float64Array(length);
  for (let i = 0; i < length; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
  return window;
}

interface ResolvedStft {
  nFft: number;
  hop: number;
  window: Float64Array;
  center: boolean;
  padMode: PadMode;
}

function resolve(options: StftOptions): ResolvedStft {
  const nFft = options.nFft;
  const hop = options.hopLength ?? Math.floor(nFft / 4);
  const winLength = options.winLength ?? nFft;
  if (!Number.isInteger(nFft) || nFft < 2) throw new RangeError(`nFft must be an integer ≥ 2 (got ${nFft})`);
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError(`hopLength must be a positive integer (got ${hop})`);
  if (!Number.isInteger(winLength) || winLength < 1 || winLength > nFft) {
    throw new RangeError(`winLength must be an integer in 1…nFft (got ${winLength})`);
  }
  const window = new Float64Array(nFft);
  window.set(hannWindow(winLength), Math.floor((nFft - winLength) / 2));
  return { nFft, hop, window, center: options.center ?? true, padMode: options.padMode ?? 'constant' };
}

/** Number of frames the STFT of `length` samples has. */
export function frameCount(length: number, options: StftOptions): number {
  const { nFft, hop, center } = resolve(options);
  const padded = center ? length + 2 * Math.floor(nFft / 2) : length;
  if (padded < nFft) return 0;
  return 1 + Math.floor((padded - nFft) / hop);
}

/** Calls `visit(frame, t)` with each windowed float64 frame in order (the array is reused between calls). */
function forEachFrame(samples: Float32Array, options: StftOptions, visit: (frame: Float64Array, t: number) => void): number {
  const { nFft, hop, window, center, padMode } = resolve(options);
  const pad = center ? Math.floor(nFft / 2) : 0;
  const n = samples.length;
  if (center && padMode === 'reflect' && n <= pad) {
    throw new RangeError(`reflect padding needs more than ${pad} samples (got ${n})`);
  }
  const frames = frameCount(n, options);
  const frame = new Float64Array(nFft);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - pad;
    if (start >= 0 && start + nFft <= n) {
      for (let i = 0; i < nFft; i++) frame[i] = samples[start + i] * window[i];
    } else {
      for (let i = 0; i < nFft; i++) {
        let index = start + i;
        if (index < 0 || index >= n) {
          if (padMode === 'constant') {
            frame[i] = 0;
            continue;
          }
          index = index < 0 ? -index : 2 * (n - 1) - index;
        }
        frame[i] = samples[index] * window[i];
      }
    }
    visit(frame, t);
  }
  return frames;
}

/**
 * Calls `visit(re, im, frame)` with the float64 spectrum (bins 0…nFft/2) of each windowed frame, in order.
 * The arrays are reused between calls.
 */
export function forEachSpectrum(
  samples: Float32Array,
  options: StftOptions,
  visit: (re: Float64Array, im: Float64Array, frame: number) => void,
): number {
  const fft = new RealFft(options.nFft);
  const re = new Float64Array(fft.bins);
  const im = new Float64Array(fft.bins);
  return forEachFrame(samples, options, (frame, t) => {
    fft.forward(frame, re, im);
    visit(re, im, t);
  });
}

/** Calls `visit(power, frame)` with the float64 power spectrum |X|² (bins 0…nFft/2) of each frame; the array is reused. */
export function forEachPower(samples: Float32Array, options: StftOptions, visit: (power: Float64Array, frame: number) => void): number {
  const fft = new RealFft(options.nFft);
  const power = new Float64Array(fft.bins);
  return forEachFrame(samples, options, (frame, t) => {
    fft.power(frame, power);
    visit(power, t);
  });
}

/** Complex short-time Fourier transform (librosa `stft`): Hann window, centred frames, bins 0…nFft/2. */
export function stft(samples: Float32Array, options: StftOptions): ComplexSpectrogram {
  const bins = Math.floor(options.nFft / 2) + 1;
  const frames = frameCount(samples.length, options);
  const re = new Float32Array(bins * frames);
  const im = new Float32Array(bins * frames);
  forEachSpectrum(samples, options, (fr, fi, t) => {
    const base = t * bins;
    for (let k = 0; k < bins; k++) {
      re[base + k] = fr[k];
      im[base + k] = fi[k];
    }
  });
  return { bins, frames, re, im };
}

/** Magnitude spectrogram raised to `power` (librosa `np.abs(stft(y)) ** power`; 2 = power, 1 = magnitude). */
export function powerSpectrogram(samples: Float32Array, options: StftOptions & { readonly power?: number }): FeatureMatrix {
  const power = options.power ?? 2;
  const bins = Math.floor(options.nFft / 2) + 1;
  const matrix = createMatrix(bins, frameCount(samples.length, options));
  const data = matrix.data;
  forEachPower(samples, options, (squared, t) => {
    const base = t * bins;
    if (power === 2) data.set(squared, base);
    else if (power === 1) for (let k = 0; k < bins; k++) data[base + k] = Math.sqrt(squared[k]);
    else for (let k = 0; k < bins; k++) data[base + k] = squared[k] ** (power / 2);
  });
  return matrix;
}
