import { resample } from '../audio/resample';
import { timeStretch, type TimeStretchOptions } from './stretch';
import { withLength } from './waveform';

/**
 * Moves every frequency by 2^(semitones / 12) and keeps the duration (librosa `pitch_shift`): a phase-vocoder
 * stretch by that factor, then band-limited resampling from round(sampleRate · factor) Hz back to `sampleRate` Hz.
 * Output has exactly the input's length in samples.
 */
export function pitchShift(
  samples: Float32Array,
  sampleRate: number,
  semitones: number,
  options: TimeStretchOptions = {},
): Float32Array {
  if (!Number.isFinite(semitones)) throw new RangeError(`pitch shift must be a finite number of semitones (got ${semitones})`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`sample rate must be a positive whole number of Hz (got ${sampleRate})`);
  if (semitones === 0 || samples.length === 0) return samples.slice();
  const factor = 2 ** (semitones / 12);
  const sourceRate = Math.round(sampleRate * factor);
  const stretched = timeStretch(samples, sampleRate / sourceRate, options);
  return withLength(resample(stretched, sourceRate, sampleRate), samples.length);
}
