import FFT from 'fft.js';

export { nextPowerOfTwo } from '../audio/fft';

/**
 * Inverse DFT back to real samples from bins 0…n/2 of a conjugate-symmetric spectrum, for a power-of-two length n.
 * Scaled by 1/n, so it undoes `RealFft.forward`. Reuses its buffers between calls.
 */
export class InverseRealFft {
  private readonly fft: FFT;
  private readonly spectrum: number[];
  private readonly output: number[];

  constructor(readonly size: number) {
    if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`inverse FFT size must be a power of two ≥ 2 (got ${size})`);
    this.fft = new FFT(size);
    this.spectrum = this.fft.createComplexArray();
    this.output = this.fft.createComplexArray();
  }

  /** Writes the n real samples whose spectrum has bins `re`/`im` (length ≥ n/2 + 1) into `out`. */
  inverse(re: ArrayLike<number>, im: ArrayLike<number>, out: Float64Array): void {
    const n = this.size;
    const half = n / 2;
    const spectrum = this.spectrum;
    spectrum[0] = re[0];
    spectrum[1] = 0;
    spectrum[2 * half] = re[half];
    spectrum[2 * half + 1] = 0;
    for (let k = 1; k < half; k++) {
      spectrum[2 * k] = re[k];
      spectrum[2 * k + 1] = im[k];
      spectrum[2 * (n - k)] = re[k];
      spectrum[2 * (n - k) + 1] = -im[k];
    }
    this.fft.inverseTransform(this.output, spectrum);
    for (let i = 0; i < n; i++) out[i] = this.output[2 * i];
  }
}
