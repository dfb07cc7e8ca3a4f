import type { FeatureMatrix } from './matrix';

/** Options of {@link powerToDb} with librosa `power_to_db` names and defaults. */
export interface DbOptions {
  /** Reference power for 0 dB: a number (default 1.0) or 'max' for the matrix maximum. */
  readonly ref?: number | 'max';
  /** Floor applied to powers (and the reference) before the logarithm (default 1e-10). */
  readonly amin?: number;
  /** Clip values below (max − topDb) dB; null disables (default 80). */
  readonly topDb?: number | null;
}

/** Converts a power matrix to decibels: 10·log10(max(amin, S)) − 10·log10(max(amin, ref)), then floors at max − topDb. */
export function powerToDb(power: FeatureMatrix, options: DbOptions = {}): FeatureMatrix {
  const amin = options.amin ?? 1e-10;
  const topDb = options.topDb === undefined ? 80 : options.topDb;
  if (!(amin > 0)) throw new RangeError(`amin must be positive (got ${amin})`);
  if (topDb !== null && !(topDb >= 0)) throw new RangeError(`topDb must be non-negative (got ${topDb})`);
  const input = power.data;
  let refValue: number;
  if (options.ref === 'max') {
    refValue = 0;
    for (let i = 0; i < input.length; i++) if (input[i] > refValue) refValue = input[i];
  } else {
    refValue = Math.abs(options.ref ?? 1);
  }
  // 10·log10(x) as a natural log times a constant: V8's Math.log is about twice as fast as Math.log10.
  const decibelsPerNeper = 10 / Math.LN10;
  const offset = decibelsPerNeper * Math.log(Math.max(amin, refValue));
  const out = new Float32Array(input.length);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < input.length; i++) {
    const value = input[i];
    const db = decibelsPerNeper * Math.log(value > amin ? value : amin) - offset;
    out[i] = db;
    if (db > max) max = db;
  }
  if (topDb !== null) {
    const floor = max - topDb;
    for (let i = 0; i < out.length; i++) if (out[i] < floor) out[i] = floor;
  }
  return { bins: power.bins, frames: power.frames, data: out };
}
