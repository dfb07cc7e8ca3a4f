import { powerToDb, type DbOptions } from './db';
import { RealFft } from './fft';
import { createMatrix, type FeatureMatrix } from './matrix';
import { melSpectrogram, type MelOptions } from './mel';
import type { StftOptions } from './stft';

/** Orthonormal DCT-II basis: row k (0…count−1) over `size` inputs, row-major (scipy `dct(type=2, norm='ortho')`). */
export function dctMatrix(count: number, size: number): Float64Array {
  const basis = new Float64Array(count * size);
  for (let k = 0; k < count; k++) {
    const scale = k === 0 ? Math.sqrt(1 / size) : Math.sqrt(2 / size);
    for (let n = 0; n < size; n++) basis[k * size + n] = scale * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * size));
  }
  return basis;
}

/** An orthonormal DCT-II of one frame: reads `size` values, writes the first `count` coefficients. */
type Dct = (frame: Float64Array, out: Float64Array) => void;

function isPowerOfTwo(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

/** DCT-II by multiplying with the basis matrix, four coefficients per pass over the frame. */
function matrixDct(count: number, size: number): Dct {
  const basis = dctMatrix(count, size);
  return (frame, out) => {
    let k = 0;
    for (; k + 3 < count; k += 4) {
      const r0 = k * size;
      const r1 = r0 + size;
      const r2 = r1 + size;
      const r3 = r2 + size;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let n = 0; n < size; n++) {
        const v = frame[n];
        s0 += basis[r0 + n] * v;
        s1 += basis[r1 + n] * v;
        s2 += basis[r2 + n] * v;
        s3 += basis[r3 + n] * v;
      }
      out[k] = s0;
      out[k + 1] = s1;
      out[k + 2] = s2;
      out[k + 3] = s3;
    }
    for (; k < count; k++) {
      let sum = 0;
      const row = k * size;
      for (let n = 0; n < size; n++) sum += basis[row + n] * frame[n];
      out[k] = sum;
    }
  };
}

/**
 * DCT-II of a power-of-two length through one real FFT of the same length (Makhoul 1980): even samples in order,
 * then odd samples reversed; coefficient k is Re(V[k]·e^(−iπk/2N)), scaled to the orthonormal basis.
 */
function fftDct(count: number, size: number): Dct {
  const fft = new RealFft(size);
  const reordered = new Float64Array(size);
  const re = new Float64Array(fft.bins);
  const im = new Float64Array(fft.bins);
  const cos = new Float64Array(count);
  const sin = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const scale = k === 0 ? Math.sqrt(1 / size) : Math.sqrt(2 / size);
    cos[k] = scale * Math.cos((Math.PI * k) / (2 * size));
    sin[k] = scale * Math.sin((Math.PI * k) / (2 * size));
  }
  const half = size / 2;
  return (frame, out) => {
    for (let n = 0; n < half; n++) {
      reordered[n] = frame[2 * n];
      reordered[size - 1 - n] = frame[2 * n + 1];
    }
    fft.forward(reordered, re, im);
    for (let k = 0; k < count; k++) {
      // Bins above size/2 mirror the lower ones: V[k] = conj(V[size − k]).
      const vr = k <= half ? re[k] : re[size - k];
      const vi = k <= half ? im[k] : -im[size - k];
      out[k] = vr * cos[k] + vi * sin[k];
    }
  };
}

/** Options of {@link mfccFromLogMel}, librosa `feature.mfcc` names and defaults. */
export interface MfccOptions {
  /** Number of coefficients kept (librosa default 20; project default 40). */
  readonly nMfcc?: number;
  /** Sinusoidal liftering factor; 0 disables (default 0). */
  readonly lifter?: number;
}

/** MFCCs from a log-power (dB) mel spectrogram: DCT-II (ortho) over mel bands, optional liftering. */
export function mfccFromLogMel(logMel: FeatureMatrix, options: MfccOptions = {}): FeatureMatrix {
  const nMfcc = options.nMfcc ?? 20;
  const lifter = options.lifter ?? 0;
  if (!Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > logMel.bins) {
    throw new RangeError(`nMfcc must be an integer in 1…${logMel.bins} (got ${nMfcc})`);
  }
  if (!(lifter >= 0)) throw new RangeError(`lifter must be ≥ 0 (got ${lifter})`);
  const nMels = logMel.bins;
  const lift = new Float64Array(nMfcc).fill(1);
  if (lifter > 0) for (let k = 0; k < nMfcc; k++) lift[k] = 1 + (lifter / 2) * Math.sin((Math.PI * (k + 1)) / lifter);
  const out = createMatrix(nMfcc, logMel.frames);
  const dct = isPowerOfTwo(nMels) ? fftDct(nMfcc, nMels) : matrixDct(nMfcc, nMels);
  const frame = new Float64Array(nMels);
  const coefficients = new Float64Array(nMfcc);
  for (let t = 0; t < logMel.frames; t++) {
    frame.set(logMel.data.subarray(t * nMels, (t + 1) * nMels));
    dct(frame, coefficients);
    const o = t * nMfcc;
    for (let k = 0; k < nMfcc; k++) out.data[o + k] = coefficients[k] * lift[k];
  }
  return out;
}

/**
 * MFCCs of a signal (librosa `feature.mfcc`): mel power spectrogram → powerToDb (ref 1, amin 1e-10, top_db 80 by
 * default) → DCT-II (ortho) → optional lifter.
 */
export function mfcc(
  samples: Float32Array,
  options: StftOptions & Omit<MelOptions, 'nFft'> & MfccOptions & DbOptions & { readonly power?: number },
): FeatureMatrix {
  return mfccFromLogMel(powerToDb(melSpectrogram(samples, options), options), options);
}

/** Solves the small dense system A x = b in place (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    for (let r = col + 1; r < n; r++) {
      const f = a[r][col] / a[col][col];
      for (let c = col; c < n; c++) a[r][c] -= f * a[col][c];
      b[r] -= f * b[col];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < n; c++) s -= a[r][c] * x[c];
    x[r] = s / a[r][r];
  }
  return x;
}

/**
 * Weights w[j] (j over `positions`) such that Σ_j w[j]·y(positions[j]) is the `order`-th derivative at `at` of the
 * least-squares polynomial of degree `degree` through the points — the Savitzky–Golay construction.
 */
function savgolWeights(positions: number[], degree: number, order: number, at: number): number[] {
  const size = degree + 1;
  const normal: number[][] = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (const x of positions) for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) normal[i][j] += x ** (i + j);
  // Derivative of Σ_i a_i x^i at `at`: Σ_{i≥order} a_i · i!/(i−order)! · at^(i−order).
  const target = new Array<number>(size).fill(0);
  for (let i = order; i < size; i++) {
    let falling = 1;
    for (let f = 0; f < order; f++) falling *= i - f;
    target[i] = falling * at ** (i - order);
  }
  // w = V (VᵀV)⁻¹ target, with V[j][i] = positions[j]^i.
  const z = solve(normal, target);
  return positions.map((x) => z.reduce((sum, zi, i) => sum + zi * x ** i, 0));
}

/** Options of {@link delta}, librosa `feature.delta` names and defaults. */
export interface DeltaOptions {
  /** Odd window length in frames, ≥ 3 (default 9). */
  readonly width?: number;
  /** Derivative order (default 1). */
  readonly order?: number;
}

/**
 * Delta features along time (librosa `feature.delta`, mode 'interp'): a Savitzky–Golay derivative of polynomial
 * degree `order` over `width` frames; the first and last width/2 frames use the fit over the first/last window.
 */
export function delta(features: FeatureMatrix, options: DeltaOptions = {}): FeatureMatrix {
  const width = options.width ?? 9;
  const order = options.order ?? 1;
  if (!Number.isInteger(width) || width < 3 || width % 2 !== 1) throw new RangeError(`width must be an odd integer ≥ 3 (got ${width})`);
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`order must be a positive integer (got ${order})`);
  if (width > features.frames) {
    throw new RangeError(`delta width ${width} exceeds the number of frames (${features.frames})`);
  }
  const half = (width - 1) / 2;
  const window = Array.from({ length: width }, (_, j) => j - half);
  const centre = savgolWeights(window, order, order, 0);
  const edge = Array.from({ length: width }, (_, j) => j);
  const headWeights = Array.from({ length: half }, (_, t) => savgolWeights(edge, order, order, t));
  const tailWeights = Array.from({ length: half }, (_, i) => savgolWeights(edge, order, order, width - half + i));
  const { bins, frames, data } = features;
  const out = createMatrix(bins, frames);
  const apply = (weights: number[], firstFrame: number, outFrame: number) => {
    for (let b = 0; b < bins; b++) {
      let sum = 0;
      for (let j = 0; j < width; j++) sum += weights[j] * data[(firstFrame + j) * bins + b];
      out.data[outFrame * bins + b] = sum;
    }
  };
  for (let t = 0; t < frames; t++) {
    if (t < half) apply(headWeights[t], 0, t);
    else if (t >= frames - half) apply(tailWeights[t - (frames - half)], frames - width, t);
    else apply(centre, t - half, t);
  }
  return out;
}
