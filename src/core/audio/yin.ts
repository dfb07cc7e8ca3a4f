import FFT from 'fft.js';
import { nextPowerOfTwo } from './fft';

/** What the YIN analysis found in one frame. */
export interface YinFrame {
  /** Best pitch-period candidate in samples, with sub-sample precision (parabolic interpolation). */
  readonly periodSamples: number;
  /** Cumulative mean normalised difference at that period: 0 = perfectly periodic, about 1 = noise. */
  readonly aperiodicity: number;
  /** Normalised correlation (means removed) of the frame with itself one period later, −1…1. */
  readonly correlation: number;
}

/** Parameters of {@link YinAnalyser}, all in samples except the threshold. */
export interface YinParameters {
  /** Integration window W of the difference function. */
  readonly windowLength: number;
  /** Shortest and longest period searched (sampleRate / fMax and sampleRate / fMin). */
  readonly minLag: number;
  readonly maxLag: number;
  /** Absolute threshold of YIN step 4: the first dip of the normalised difference below it wins (YIN paper: 0.1). */
  readonly threshold: number;
}

/** How far above the deepest dip of d′ a dip may be and still be a candidate. */
const MARGIN = 0.1;
/** How far a candidate's correlation may fall short of the best candidate's and the candidate still be chosen. */
const SLACK = 0.1;

/**
 * The YIN pitch estimator (de Cheveigné & Kawahara 2002) on one frame at a time: the difference function
 * d(τ) = Σ_{j<W} (x_j − x_{j+τ})², computed as e₀ + e_τ − 2·c(τ) with the cross-correlation c from one FFT
 * product, the cumulative mean normalised difference d′, the absolute threshold, and parabolic interpolation of d
 * around the chosen lag. Frames hold W + maxLag + 1 samples. Buffers are reused, so one instance serves a whole signal.
 */
export class YinAnalyser {
  /** Samples each frame must hold: W + maxLag + 1. */
  readonly frameLength: number;
  private readonly fft: FFT;
  private readonly size: number;
  private readonly padded: Float64Array;
  private readonly spectrumA: number[];
  private readonly spectrumB: number[];
  private readonly product: number[];
  private readonly output: number[];
  private readonly prefixSquares: Float64Array;
  private readonly prefixSums: Float64Array;
  private readonly difference: Float64Array;
  private readonly normalised: Float64Array;

  constructor(private readonly parameters: YinParameters) {
    const { windowLength, minLag, maxLag, threshold } = parameters;
    if (!Number.isInteger(windowLength) || windowLength < 2) throw new RangeError(`YIN window must be an integer ≥ 2 (got ${windowLength})`);
    if (!Number.isInteger(minLag) || !Number.isInteger(maxLag) || minLag < 2 || maxLag < minLag) {
      throw new RangeError(`YIN lags must be integers with 2 ≤ min ≤ max (got ${minLag}…${maxLag})`);
    }
    if (!(threshold > 0 && threshold < 1)) throw new RangeError(`YIN threshold must be in (0, 1) (got ${threshold})`);
    this.frameLength = windowLength + maxLag + 1;
    this.size = nextPowerOfTwo(this.frameLength);
    this.fft = new FFT(this.size);
    this.padded = new Float64Array(this.size);
    this.spectrumA = this.fft.createComplexArray();
    this.spectrumB = this.fft.createComplexArray();
    this.product = this.fft.createComplexArray();
    this.output = this.fft.createComplexArray();
    this.prefixSquares = new Float64Array(this.frameLength + 1);
    this.prefixSums = new Float64Array(this.frameLength + 1);
    this.difference = new Float64Array(maxLag + 2);
    this.normalised = new Float64Array(maxLag + 2);
  }

  /**
   * Analyses `frame` (at least {@link frameLength} samples; only those are read). With `nearPeriod` (samples), only
   * lags within a factor 1.2 of it are searched and the deepest dip there wins: the second pass of octave-error repair.
   */
  analyse(frame: ArrayLike<number>, nearPeriod?: number): YinFrame {
    const { windowLength: w, minLag, maxLag, threshold } = this.parameters;
    const length = this.frameLength;
    const squares = this.prefixSquares;
    const sums = this.prefixSums;
    for (let i = 0; i < length; i++) {
      squares[i + 1] = squares[i] + frame[i] * frame[i];
      sums[i + 1] = sums[i] + frame[i];
    }
    const energy = squares[w];
    if (!(energy > 1e-20)) return { periodSamples: maxLag, aperiodicity: 1, correlation: 0 };
    const correlation = this.crossCorrelation(frame);

    // d(τ) and the cumulative mean normalised difference d′(τ) = d(τ)·τ / Σ_{j=1..τ} d(j).
    const d = this.difference;
    const dn = this.normalised;
    d[0] = 0;
    dn[0] = 1;
    let running = 0;
    for (let lag = 1; lag <= maxLag + 1; lag++) {
      d[lag] = Math.max(0, energy + (squares[lag + w] - squares[lag]) - 2 * correlation[2 * lag]);
      running += d[lag];
      dn[lag] = running > 0 ? (d[lag] * lag) / running : 1;
    }

    // Absolute threshold: dips of d′ below it are the candidates, and the first one wins (YIN step 4). The limit is
    // raised to MARGIN above the deepest dip, since the cumulative mean favours long lags (in noise a multiple of the
    // period can dip lower than the period itself). A candidate whose correlation falls more than SLACK short of the
    // best candidate's is passed over: that is a fraction of the period (a strong harmonic), not the period.
    const low = nearPeriod === undefined ? minLag : Math.max(minLag, Math.min(maxLag, Math.floor(nearPeriod / 1.2)));
    const high = nearPeriod === undefined ? maxLag : Math.max(low, Math.min(maxLag, Math.ceil(nearPeriod * 1.2)));
    let deepest = low;
    for (let lag = low + 1; lag <= high; lag++) if (dn[lag] < dn[deepest]) deepest = lag;
    const r = (lag: number) => this.normalisedCorrelation(correlation[2 * lag], lag);
    const peakAt = (lag: number) => parabolicPeak(r(lag - 1), r(lag), r(lag + 1));
    let best = deepest;
    if (nearPeriod === undefined) {
      const limit = Math.max(threshold, dn[deepest] + MARGIN);
      const candidates: number[] = [];
      for (let lag = minLag; lag <= maxLag; lag++) {
        if (lag === deepest || (dn[lag] < limit && dn[lag] <= dn[lag - 1] && dn[lag] < dn[lag + 1])) candidates.push(lag);
      }
      const peaks = candidates.map(peakAt);
      const highest = Math.max(...peaks);
      best = candidates[peaks.findIndex((peak) => peak >= highest - SLACK)];
    }
    const shift = parabolicOffset(d[best - 1], d[best], d[best + 1]);
    return { periodSamples: best + shift, aperiodicity: dn[best], correlation: Math.max(-1, Math.min(1, peakAt(best))) };
  }

  /** c(τ) = Σ_{j<W} x_j·x_{j+τ} for every τ, as the real parts (even indices) of the returned complex array. */
  private crossCorrelation(frame: ArrayLike<number>): number[] {
    const { windowLength: w } = this.parameters;
    const padded = this.padded;
    padded.fill(0);
    for (let i = 0; i < w; i++) padded[i] = frame[i];
    this.fft.realTransform(this.spectrumA, padded);
    for (let i = w; i < this.frameLength; i++) padded[i] = frame[i];
    this.fft.realTransform(this.spectrumB, padded);
    // conj(A)·B on bins 0…N/2, mirrored into the upper half (the product of two real signals' spectra is Hermitian).
    const a = this.spectrumA;
    const b = this.spectrumB;
    const p = this.product;
    const n = this.size;
    for (let k = 0; k <= n / 2; k++) {
      const re = a[2 * k] * b[2 * k] + a[2 * k + 1] * b[2 * k + 1];
      const im = a[2 * k] * b[2 * k + 1] - a[2 * k + 1] * b[2 * k];
      p[2 * k] = re;
      p[2 * k + 1] = im;
      if (k > 0 && k < n / 2) {
        p[2 * (n - k)] = re;
        p[2 * (n - k) + 1] = -im;
      }
    }
    this.fft.inverseTransform(this.output, p);
    return this.output;
  }

  /** Pearson correlation of x[0, W) with x[τ, τ + W), from the cross-correlation and the prefix sums. */
  private normalisedCorrelation(cross: number, lag: number): number {
    const w = this.parameters.windowLength;
    const squares = this.prefixSquares;
    const sums = this.prefixSums;
    const meanA = sums[w] / w;
    const meanB = (sums[lag + w] - sums[lag]) / w;
    const varianceA = squares[w] - w * meanA * meanA;
    const varianceB = squares[lag + w] - squares[lag] - w * meanB * meanB;
    const product = varianceA * varianceB;
    return product > 1e-30 ? (cross - w * meanA * meanB) / Math.sqrt(product) : 0;
  }
}

/** Offset (−1…1 samples) of the vertex of the parabola through three equally spaced values, from the middle one. */
export function parabolicOffset(left: number, middle: number, right: number): number {
  const curvature = left - 2 * middle + right;
  if (curvature === 0 || !Number.isFinite(curvature)) return 0;
  return Math.max(-1, Math.min(1, (left - right) / (2 * curvature)));
}

/** The highest value of the parabola through three equally spaced values (the middle one when it is not a peak). */
export function parabolicPeak(left: number, middle: number, right: number): number {
  const curvature = left - 2 * middle + right;
  if (!(curvature < 0) || middle < left || middle < right) return Math.max(left, middle, right);
  const offset = (left - right) / (2 * curvature);
  return middle - 0.25 * (left - right) * offset;
}
