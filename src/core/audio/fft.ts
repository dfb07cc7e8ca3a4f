import FFT from 'fft.js';

/** Smallest power of two ≥ `n` (and ≥ 2). */
export function nextPowerOfTwo(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

/**
 * Forward DFT of real input of any length n ≥ 2, returning bins 0…n/2 (n/2+1 of them, rounded down).
 * Powers of two use fft.js's radix-4 real transform; other lengths use Bluestein's chirp-z algorithm on top of it.
 * All arithmetic is float64; the instance reuses its buffers, so it allocates nothing per call.
 */
export class RealFft {
  /** Number of output bins: floor(n / 2) + 1. */
  readonly bins: number;
  private readonly fft: FFT;
  private readonly work: number[];
  private readonly input: Float64Array;
  // Bluestein state (only for lengths that are not powers of two).
  private readonly chirpRe?: Float64Array;
  private readonly chirpIm?: Float64Array;
  private readonly kernelSpectrum?: number[];
  private readonly convIn?: number[];
  private readonly convOut?: number[];
  private scratchRe?: Float64Array;
  private scratchIm?: Float64Array;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 2) throw new RangeError(`FFT size must be an integer ≥ 2 (got ${size})`);
    this.bins = Math.floor(size / 2) + 1;
    if (isPowerOfTwo(size)) {
      this.fft = new FFT(size);
      this.work = this.fft.createComplexArray();
      this.input = new Float64Array(size);
      return;
    }
    let m = 2;
    while (m < 2 * size - 1) m *= 2;
    this.fft = new FFT(m);
    this.work = this.fft.createComplexArray();
    this.input = new Float64Array(size);
    this.chirpRe = new Float64Array(size);
    this.chirpIm = new Float64Array(size);
    for (let n = 0; n < size; n++) {
      // exp(-iπ n²/N), with n² reduced modulo 2N to keep the angle exact.
      const angle = (Math.PI * ((n * n) % (2 * size))) / size;
      this.chirpRe[n] = Math.cos(angle);
      this.chirpIm[n] = -Math.sin(angle);
    }
    const kernel = this.fft.createComplexArray();
    for (let n = 0; n < size; n++) {
      kernel[2 * n] = this.chirpRe[n];
      kernel[2 * n + 1] = -this.chirpIm[n];
      if (n > 0) {
        kernel[2 * (m - n)] = this.chirpRe[n];
        kernel[2 * (m - n) + 1] = -this.chirpIm[n];
      }
    }
    this.kernelSpectrum = this.fft.createComplexArray();
    this.fft.transform(this.kernelSpectrum, kernel);
    this.convIn = this.fft.createComplexArray();
    this.convOut = this.fft.createComplexArray();
  }

  /**
   * Power spectrum |X[k]|² of `input` (length n, read only) into `out` (length ≥ bins). For powers of two this
   * squares fft.js's output in place of copying it out first (the STFT's hot path).
   */
  power(input: Float64Array, out: Float64Array): void {
    if (this.chirpRe || input.length !== this.size) {
      this.scratchRe ??= new Float64Array(this.bins);
      this.scratchIm ??= new Float64Array(this.bins);
      const re = this.scratchRe;
      const im = this.scratchIm;
      this.forward(input, re, im);
      for (let k = 0; k < this.bins; k++) out[k] = re[k] * re[k] + im[k] * im[k];
      return;
    }
    this.fft.realTransform(this.work, input);
    const w = this.work;
    for (let k = 0, j = 0; k < this.bins; k++, j += 2) out[k] = w[j] * w[j] + w[j + 1] * w[j + 1];
  }

  /** Transforms `input` (length n, read only) into `re`/`im` (length ≥ bins). */
  forward(input: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    const n = this.size;
    if (!this.chirpRe) {
      let data: ArrayLike<number> = input;
      if (!(input instanceof Float64Array) || input.length !== n) {
        for (let i = 0; i < n; i++) this.input[i] = input[i];
        data = this.input;
      }
      this.fft.realTransform(this.work, data);
      const out = this.work;
      for (let k = 0; k < this.bins; k++) {
        re[k] = out[2 * k];
        im[k] = out[2 * k + 1];
      }
      return;
    }
    const chirpRe = this.chirpRe;
    const chirpIm = this.chirpIm!;
    const a = this.convIn!;
    a.fill(0);
    for (let i = 0; i < n; i++) {
      a[2 * i] = input[i] * chirpRe[i];
      a[2 * i + 1] = input[i] * chirpIm[i];
    }
    const spectrum = this.work;
    this.fft.transform(spectrum, a);
    const kernel = this.kernelSpectrum!;
    for (let i = 0; i < spectrum.length; i += 2) {
      const xr = spectrum[i];
      const xi = spectrum[i + 1];
      spectrum[i] = xr * kernel[i] - xi * kernel[i + 1];
      spectrum[i + 1] = xr * kernel[i + 1] + xi * kernel[i];
    }
    const conv = this.convOut!;
    this.fft.inverseTransform(conv, spectrum);
    for (let k = 0; k < this.bins; k++) {
      const cr = conv[2 * k];
      const ci = conv[2 * k + 1];
      re[k] = cr * chirpRe[k] - ci * chirpIm[k];
      im[k] = cr * chirpIm[k] + ci * chirpRe[k];
    }
  }
}
