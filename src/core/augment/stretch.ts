import { frameCount, forEachSpectrum, hannWindow } from '../audio/stft';
import { InverseRealFft } from './inverseFft';

/** STFT settings of the phase vocoder. */
export interface TimeStretchOptions {
  /** FFT length in samples, a power of two (default 1024). */
  readonly nFft?: number;
  /** Hop between frames in samples (default nFft / 4). */
  readonly hopLength?: number;
}

/** Wraps an angle in radians to [−π, π]. */
function wrapPhase(angle: number): number {
  return angle - 2 * Math.PI * Math.round(angle / (2 * Math.PI));
}

/**
 * Changes the duration by 1 / `rate` while keeping the pitch (rate 2 = twice as fast, half as long), with a phase
 * vocoder like librosa's `time_stretch`: centred Hann STFT, magnitudes interpolated between frames, phase advance
 * accumulated per bin, then overlap-add normalised by the summed squared window. Output length: round(n / rate).
 */
export function timeStretch(samples: Float32Array, rate: number, options: TimeStretchOptions = {}): Float32Array {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`stretch rate must be a positive number (got ${rate})`);
  const nFft = options.nFft ?? 1024;
  const hop = options.hopLength ?? Math.floor(nFft / 4);
  const outLength = Math.round(samples.length / rate);
  if (rate === 1) return samples.slice();
  if (samples.length === 0 || outLength === 0) return new Float32Array(outLength);
  const inverse = new InverseRealFft(nFft);
  const stftOptions = { nFft, hopLength: hop };
  const bins = nFft / 2 + 1;
  const frames = frameCount(samples.length, stftOptions);
  // One extra all-zero frame so that interpolation at the last frame has a right neighbour.
  const magnitude = new Float64Array((frames + 1) * bins);
  const phase = new Float64Array((frames + 1) * bins);
  forEachSpectrum(samples, stftOptions, (re, im, t) => {
    for (let k = 0; k < bins; k++) {
      magnitude[t * bins + k] = Math.hypot(re[k], im[k]);
      phase[t * bins + k] = Math.atan2(im[k], re[k]);
    }
  });

  const outFrames = Math.ceil(frames / rate);
  const window = hannWindow(nFft);
  const padded = new Float64Array((outFrames - 1) * hop + nFft);
  const windowSum = new Float64Array(padded.length);
  const accumulated = phase.slice(0, bins);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const frame = new Float64Array(nFft);
  for (let f = 0; f < outFrames; f++) {
    const step = f * rate;
    // Clamped so that rounding in f · rate never reads past the extra zero frame.
    const left = Math.min(Math.floor(step), frames - 1);
    const fraction = Math.min(1, step - left);
    const a = left * bins;
    const b = a + bins;
    for (let k = 0; k < bins; k++) {
      const level = (1 - fraction) * magnitude[a + k] + fraction * magnitude[b + k];
      re[k] = level * Math.cos(accumulated[k]);
      im[k] = level * Math.sin(accumulated[k]);
      // Expected advance of bin k over one hop, plus the measured deviation from it.
      const expected = (2 * Math.PI * k * hop) / nFft;
      accumulated[k] += expected + wrapPhase(phase[b + k] - phase[a + k] - expected);
    }
    inverse.inverse(re, im, frame);
    const start = f * hop;
    for (let i = 0; i < nFft; i++) {
      padded[start + i] += frame[i] * window[i];
      windowSum[start + i] += window[i] * window[i];
    }
  }

  const out = new Float32Array(outLength);
  const offset = Math.floor(nFft / 2);
  const available = Math.min(outLength, padded.length - offset);
  for (let i = 0; i < available; i++) {
    const weight = windowSum[offset + i];
    out[i] = weight > 1e-10 ? padded[offset + i] / weight : 0;
  }
  return out;
}
