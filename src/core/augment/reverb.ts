import type { Random } from '../random';
import { convolve } from './convolve';
import { peakAmplitude } from './waveform';

/** Options of {@link reverb}. */
export interface ReverbOptions {
  /** Reverberation time in seconds: how long the room's energy takes to fall by 60 dB. */
  readonly rt60Seconds: number;
  /** Share of reverberant signal in the mix, 0 (dry only) to 1 (wet only). */
  readonly wetDry: number;
}

/** Range of the silent gap before the reverberant tail starts, in seconds. */
const PRE_DELAY_SECONDS: readonly [number, number] = [0.005, 0.02];

/**
 * A room-like impulse response at `sampleRate` Hz: a random pre-delay of 5–20 ms, then Gaussian noise whose energy
 * decays exponentially by 60 dB over `rt60Seconds` (where it ends). Scaled to unit energy (sum of squares 1).
 */
export function generateImpulseResponse(sampleRate: number, rt60Seconds: number, random: Random): Float32Array {
  if (!(rt60Seconds > 0) || !Number.isFinite(rt60Seconds)) throw new RangeError(`RT60 must be a positive number of seconds (got ${rt60Seconds})`);
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be positive (got ${sampleRate})`);
  const preDelay = Math.round(random.uniform(PRE_DELAY_SECONDS[0], PRE_DELAY_SECONDS[1]) * sampleRate);
  const tail = Math.max(1, Math.ceil(rt60Seconds * sampleRate));
  const ir = new Float32Array(preDelay + tail);
  // Amplitude falls by 10^-3 (energy by 60 dB) over rt60.
  const decayPerSample = (3 * Math.LN10) / (rt60Seconds * sampleRate);
  let energy = 0;
  for (let i = 0; i < tail; i++) {
    const value = random.normal() * Math.exp(-decayPerSample * i);
    ir[preDelay + i] = value;
    energy += value * value;
  }
  const scale = 1 / Math.sqrt(energy);
  for (let i = preDelay; i < ir.length; i++) ir[i] *= scale;
  return ir;
}

/**
 * Adds room reverberation: convolves with a {@link generateImpulseResponse} (FFT convolution), mixes
 * (1 − wetDry) · dry + wetDry · wet, and rescales the mix to the input's peak level. Keeps the length in samples
 * (the tail past the end is cut). Silent input comes back as a copy.
 */
export function reverb(samples: Float32Array, sampleRate: number, options: ReverbOptions, random: Random): Float32Array {
  const { rt60Seconds, wetDry } = options;
  if (!(wetDry >= 0 && wetDry <= 1)) throw new RangeError(`wet/dry mix must be between 0 and 1 (got ${wetDry})`);
  const ir = generateImpulseResponse(sampleRate, rt60Seconds, random);
  const inputPeak = peakAmplitude(samples);
  if (inputPeak === 0) return samples.slice();
  const wet = convolve(samples, ir);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < out.length; i++) out[i] = (1 - wetDry) * samples[i] + wetDry * wet[i];
  const outputPeak = peakAmplitude(out);
  if (outputPeak === 0) return out;
  const scale = inputPeak / outputPeak;
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}
