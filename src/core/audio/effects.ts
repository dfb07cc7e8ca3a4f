/**
 * Pre-emphasis y[n] = x[n] − coef · x[n−1] (librosa `effects.preemphasis`). Like librosa it runs scipy's `lfilter`
 * with filter state `state` (default 2·x[0] − x[1]), so y[0] = x[0] + state; to continue a stream pass the previous
 * block's final state, −coef · (its last sample).
 */
export function preEmphasis(samples: Float32Array, coef = 0.97, state?: number): Float32Array {
  const out = new Float32Array(samples.length);
  if (samples.length === 0) return out;
  out[0] = samples[0] + (state ?? (samples.length > 1 ? 2 * samples[0] - samples[1] : samples[0]));
  for (let i = 1; i < samples.length; i++) out[i] = samples[i] - coef * samples[i - 1];
  return out;
}

/** Options of {@link trimSilence}, librosa `effects.trim` names and defaults. */
export interface TrimOptions {
  /** Frames quieter than this many dB below the reference are silence (default 60). */
  readonly topDb?: number;
  /** Reference for 0 dB: 'max' (loudest frame, default) or a fixed RMS amplitude. */
  readonly ref?: number | 'max';
  /** Analysis frame length in samples (default 2048). */
  readonly frameLength?: number;
  /** Hop between analysis frames in samples (default 512). */
  readonly hopLength?: number;
}

/** Result of {@link trimSilence}: the kept samples (a view, not a copy) and their range [start, end) in samples. */
export interface TrimResult {
  readonly samples: Float32Array;
  readonly start: number;
  readonly end: number;
}

/** Frame-wise mean square (librosa `feature.rms(...)**2`, centred with zero padding). */
export function frameMeanSquare(samples: Float32Array, frameLength: number, hopLength: number): Float64Array {
  const pad = Math.floor(frameLength / 2);
  const n = samples.length;
  const frames = 1 + Math.floor((n + 2 * pad - frameLength) / hopLength);
  const out = new Float64Array(Math.max(0, frames));
  // Prefix sums of squares make each frame O(1).
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + samples[i] * samples[i];
  for (let t = 0; t < out.length; t++) {
    const start = Math.max(0, t * hopLength - pad);
    const end = Math.min(n, t * hopLength - pad + frameLength);
    out[t] = end > start ? (prefix[end] - prefix[start]) / frameLength : 0;
  }
  return out;
}

/**
 * Trims leading and trailing silence (librosa `effects.trim`): frames whose RMS is more than `topDb` below the
 * reference are silent; keeps from the first non-silent frame's start to one hop past the last. All-silent → empty.
 */
export function trimSilence(samples: Float32Array, options: TrimOptions = {}): TrimResult {
  const topDb = options.topDb ?? 60;
  const frameLength = options.frameLength ?? 2048;
  const hopLength = options.hopLength ?? 512;
  const meanSquare = frameMeanSquare(samples, frameLength, hopLength);
  const amin = 1e-10;
  let refPower: number;
  if (options.ref === undefined || options.ref === 'max') {
    refPower = 0;
    for (const value of meanSquare) if (value > refPower) refPower = value;
  } else {
    refPower = options.ref * options.ref;
  }
  const refDb = 10 * Math.log10(Math.max(amin, refPower));
  let first = -1;
  let last = -1;
  for (let t = 0; t < meanSquare.length; t++) {
    if (10 * Math.log10(Math.max(amin, meanSquare[t])) - refDb > -topDb) {
      if (first < 0) first = t;
      last = t;
    }
  }
  if (first < 0) return { samples: samples.subarray(0, 0), start: 0, end: 0 };
  const start = first * hopLength;
  const end = Math.min(samples.length, (last + 1) * hopLength);
  return { samples: samples.subarray(start, end), start, end };
}

/**
 * Where {@link fixLength}'s output starts in a signal of `available` samples cut or padded to `length`: the first kept
 * sample when centre-cropping, minus the zero padding placed before the signal when padding.
 */
export function fixLengthOffset(available: number, length: number): number {
  return available >= length ? Math.floor((available - length) / 2) : -Math.floor((length - available) / 2);
}

/** Centre-crops or symmetrically zero-pads a signal to exactly `length` samples. */
export function fixLength(samples: Float32Array, length: number): Float32Array {
  if (samples.length === length) return samples;
  const offset = fixLengthOffset(samples.length, length);
  if (offset >= 0) return samples.subarray(offset, offset + length);
  const out = new Float32Array(length);
  out.set(samples, -offset);
  return out;
}
