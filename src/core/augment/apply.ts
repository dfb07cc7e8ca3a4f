import type { FeatureMatrix } from '../audio/matrix';
import { UsageError } from '../errors';
import type { Random } from '../random';
import { addNoise, type NoiseSource } from './noise';
import { pitchShift } from './pitch';
import type { AugmentPlan, ValueRange } from './plan';
import { reverb } from './reverb';
import { specAugment } from './specAugment';
import { timeStretch } from './stretch';
import { applyGain, timeShift } from './waveform';

/** A value drawn uniformly from the range. */
function draw(range: ValueRange, random: Random): number {
  return random.uniform(range.low, range.high);
}

/** True with probability `p` (always draws one number, so the sequence does not depend on which steps ran). */
function happens(p: number, random: Random): boolean {
  return random.next() < p;
}

function pickNoise(type: 'white' | 'pink' | 'files', random: Random, noiseBank?: readonly Float32Array[]): NoiseSource {
  if (type !== 'files') return type;
  if (!noiseBank?.length) throw new UsageError('the noise step uses type=files, but no noise recordings were loaded');
  return noiseBank[Math.floor(random.next() * noiseBank.length)];
}

/**
 * Applies the plan's waveform steps to mono samples at `sampleRate` Hz, each with its probability, in this fixed
 * order: stretch (changes the length by 1 / rate), pitch, reverb, shift, noise, gain. Noise of type 'files' picks a
 * recording from `noiseBank`. Same plan, input and seed → same output; the input is never modified.
 */
export function augmentWaveform(
  samples: Float32Array,
  sampleRate: number,
  plan: AugmentPlan,
  random: Random,
  noiseBank?: readonly Float32Array[],
): Float32Array {
  let out = samples;
  const { stretch, pitch, reverb: room, shift, noise, gain } = plan;
  if (stretch && happens(stretch.p, random)) out = timeStretch(out, draw(stretch.rate, random));
  if (pitch && happens(pitch.p, random)) out = pitchShift(out, sampleRate, draw(pitch.semitones, random));
  if (room && happens(room.p, random)) {
    const options = { rt60Seconds: draw(room.rt60Seconds, random), wetDry: draw(room.wet, random) };
    out = reverb(out, sampleRate, options, random);
  }
  if (shift && happens(shift.p, random)) {
    out = timeShift(out, Math.round(random.uniform(-shift.maxSeconds, shift.maxSeconds) * sampleRate));
  }
  if (noise && happens(noise.p, random)) {
    const snrDb = draw(noise.snrDb, random);
    out = addNoise(out, { snrDb, noise: pickNoise(noise.type, random, noiseBank) }, random);
  }
  if (gain && happens(gain.p, random)) out = applyGain(out, draw(gain.db, random));
  return out === samples ? samples.slice() : out;
}

/** Applies the plan's feature step (SpecAugment masking) with its probability; returns a new matrix either way. */
export function augmentFeatures(matrix: FeatureMatrix, plan: AugmentPlan, random: Random): FeatureMatrix {
  const step = plan.specaugment;
  if (step && happens(step.p, random)) return specAugment(matrix, step, random);
  return { bins: matrix.bins, frames: matrix.frames, data: matrix.data.slice() };
}
