/** Mean square of the samples (average power, full scale = 1), in float64; 0 for an empty array. */
export function meanSquare(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return samples.length ? sum / samples.length : 0;
}

/** Largest absolute sample value (full scale = 1). */
export function peakAmplitude(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  return peak;
}

/** A copy cut or zero-padded at the end to exactly `length` samples. */
export function withLength(samples: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(samples.length > length ? samples.subarray(0, length) : samples);
  return out;
}

/** Multiplies every sample by 10^(gainDb / 20) (gain in dB; no clipping). */
export function applyGain(samples: Float32Array, gainDb: number): Float32Array {
  if (!Number.isFinite(gainDb)) throw new RangeError(`gain must be a finite number of dB (got ${gainDb})`);
  const factor = 10 ** (gainDb / 20);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] * factor;
  return out;
}

/**
 * Moves the signal by `shiftSamples` samples (positive = later, negative = earlier), filling the gap with zeros;
 * samples pushed past either end are lost, so the length is kept.
 */
export function timeShift(samples: Float32Array, shiftSamples: number): Float32Array {
  if (!Number.isInteger(shiftSamples)) throw new RangeError(`shift must be a whole number of samples (got ${shiftSamples})`);
  const n = samples.length;
  const out = new Float32Array(n);
  if (Math.abs(shiftSamples) >= n) return out;
  if (shiftSamples >= 0) out.set(samples.subarray(0, n - shiftSamples), shiftSamples);
  else out.set(samples.subarray(-shiftSamples));
  return out;
}
