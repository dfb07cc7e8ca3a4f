import FFT from 'fft.js';
import { nextPowerOfTwo } from './inverseFft';

/** Complex spectrum (interleaved re, im) of `values` zero-padded to the transform's length. */
function spectrumOf(fft: FFT, size: number, values: Float32Array): number[] {
  const input = new Float64Array(size);
  input.set(values);
  const spectrum = fft.createComplexArray();
  fft.realTransform(spectrum, input);
  fft.completeSpectrum(spectrum);
  return spectrum;
}

/**
 * Linear convolution of `signal` with `kernel` (both in samples), computed with one FFT of the full length and
 * returning its first `length` samples (default: the signal's length, so the kernel's tail past the end is dropped).
 */
export function convolve(signal: Float32Array, kernel: Float32Array, length = signal.length): Float32Array {
  const out = new Float32Array(length);
  if (signal.length === 0 || kernel.length === 0 || length === 0) return out;
  const size = nextPowerOfTwo(signal.length + kernel.length - 1);
  const fft = new FFT(size);
  const a = spectrumOf(fft, size, signal);
  const b = spectrumOf(fft, size, kernel);
  for (let i = 0; i < a.length; i += 2) {
    const re = a[i] * b[i] - a[i + 1] * b[i + 1];
    const im = a[i] * b[i + 1] + a[i + 1] * b[i];
    a[i] = re;
    a[i + 1] = im;
  }
  const product = fft.createComplexArray();
  fft.inverseTransform(product, a);
  const available = Math.min(length, signal.length + kernel.length - 1);
  for (let i = 0; i < available; i++) out[i] = product[2 * i];
  return out;
}
