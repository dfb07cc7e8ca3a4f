/** A signal reduced for drawing: the minimum and maximum of each run of `samplesPerPoint` samples. */
export interface WaveformEnvelope {
  readonly samplesPerPoint: number;
  readonly min: Float32Array;
  readonly max: Float32Array;
}

/** Reduces `samples` to at most `points` min/max pairs (one pair per sample when the signal is shorter). */
export function waveformEnvelope(samples: Float32Array, points: number): WaveformEnvelope {
  if (!Number.isInteger(points) || points < 1) throw new RangeError(`points must be a positive integer (got ${points})`);
  const samplesPerPoint = Math.max(1, Math.ceil(samples.length / points));
  const count = Math.ceil(samples.length / samplesPerPoint);
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  for (let p = 0; p < count; p++) {
    let low = Infinity;
    let high = -Infinity;
    const end = Math.min(samples.length, (p + 1) * samplesPerPoint);
    for (let i = p * samplesPerPoint; i < end; i++) {
      const value = samples[i];
      if (value < low) low = value;
      if (value > high) high = value;
    }
    min[p] = low;
    max[p] = high;
  }
  return { samplesPerPoint, min, max };
}
