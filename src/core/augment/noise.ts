import type { Random } from '../random';
import { meanSquare } from './waveform';

/** The noise {@link addNoise} mixes in: generated white or pink noise, or a recording (any length, mono). */
export type NoiseSource = 'white' | 'pink' | Float32Array;

/** Options of {@link addNoise}. */
export interface AddNoiseOptions {
  /** Target signal-to-noise ratio in dB: signal power over added-noise power, both over the whole clip. */
  readonly snrDb: number;
  /** Which noise to add. */
  readonly noise: NoiseSource;
}

/** Gaussian white noise of `length` samples with unit variance (flat power spectrum). */
export function whiteNoise(length: number, random: Random): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.normal();
  return out;
}

/** Pole and gain of each first-order section in Paul Kellet's refined pink filter (±0.05 dB of 1/f above 2e-4 · fs). */
const PINK_SECTIONS: readonly (readonly [number, number])[] = [
  [0.99886, 0.0555179],
  [0.99332, 0.0750759],
  [0.969, 0.153852],
  [0.8665, 0.3104856],
  [0.55, 0.5329522],
  [-0.7616, -0.016898],
];

/**
 * Pink noise of `length` samples: white noise through Paul Kellet's refined filter, so its power spectral density
 * falls as 1/f (−3 dB per octave). The filter starts in its steady state, so there is no fade-in. Unnormalised level.
 */
export function pinkNoise(length: number, random: Random): Float32Array {
  const out = new Float32Array(length);
  // Each section's state drawn from its stationary distribution: standard deviation gain / sqrt(1 − pole²).
  const state = PINK_SECTIONS.map(([pole, gain]) => (random.normal() * gain) / Math.sqrt(1 - pole * pole));
  let previous = random.normal() * 0.115926;
  for (let i = 0; i < length; i++) {
    const white = random.normal();
    let sum = previous + white * 0.5362;
    for (let s = 0; s < PINK_SECTIONS.length; s++) {
      state[s] = PINK_SECTIONS[s][0] * state[s] + white * PINK_SECTIONS[s][1];
      sum += state[s];
    }
    previous = white * 0.115926;
    out[i] = sum;
  }
  return out;
}

/**
 * `length` samples of a recording: cut at a random offset when it is longer, looped from a random offset when it is
 * shorter.
 */
export function noiseSegment(noise: Float32Array, length: number, random: Random): Float32Array {
  if (noise.length === 0) throw new RangeError('the noise recording is empty');
  const out = new Float32Array(length);
  const offset = Math.floor(random.next() * (noise.length >= length ? noise.length - length + 1 : noise.length));
  if (noise.length >= length) {
    out.set(noise.subarray(offset, offset + length));
    return out;
  }
  for (let i = 0; i < length; i++) out[i] = noise[(offset + i) % noise.length];
  return out;
}

/**
 * Adds noise scaled so that the signal-to-noise ratio over the whole clip is exactly `snrDb` dB. A recording is cut
 * or looped to the clip's length (see {@link noiseSegment}). Silent input comes back as an unchanged copy;
 * a silent noise recording is a RangeError, since no gain makes it reach the target.
 */
export function addNoise(samples: Float32Array, options: AddNoiseOptions, random: Random): Float32Array {
  const { snrDb, noise: source } = options;
  if (!Number.isFinite(snrDb)) throw new RangeError(`SNR must be a finite number of dB (got ${snrDb})`);
  const signalPower = meanSquare(samples);
  if (signalPower === 0) return samples.slice();
  const noise =
    source === 'white'
      ? whiteNoise(samples.length, random)
      : source === 'pink'
        ? pinkNoise(samples.length, random)
        : noiseSegment(source, samples.length, random);
  const noisePower = meanSquare(noise);
  if (noisePower === 0) throw new RangeError('the noise is silent, so no gain reaches the requested SNR');
  const scale = Math.sqrt(signalPower / (noisePower * 10 ** (snrDb / 10)));
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] + scale * noise[i];
  return out;
}
