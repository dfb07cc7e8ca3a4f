import type { Random } from '../random';

/** A mixed example: the blended input and its blended (soft) label. */
export interface MixedExample {
  readonly samples: Float32Array;
  readonly label: Float32Array;
}

/** Smallest distance of a mixup weight from 0 and 1, so that both examples always contribute. */
const LAMBDA_MARGIN = 1e-6;

/** λ · a + (1 − λ) · b, element by element. */
function blend(a: Float32Array, b: Float32Array, lambda: number, what: string): Float32Array {
  if (a.length !== b.length) throw new RangeError(`mixup needs ${what} of equal length (got ${a.length} and ${b.length})`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = lambda * a[i] + (1 - lambda) * b[i];
  return out;
}

/**
 * Mixup (Zhang et al. 2018): λ · a + (1 − λ) · b for the inputs (waveforms or features of equal length) and the same
 * for their labels (one-hot or soft class probabilities). λ is a weight in [0, 1].
 */
export function mixup(a: Float32Array, b: Float32Array, labelA: Float32Array, labelB: Float32Array, lambda: number): MixedExample {
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`mixup weight must be between 0 and 1 (got ${lambda})`);
  return { samples: blend(a, b, lambda, 'inputs'), label: blend(labelA, labelB, lambda, 'labels') };
}

/** Natural log of a Gamma(shape, 1) sample: Marsaglia–Tsang for shape ≥ 1, boosted by U^(1/shape) below 1. */
export function sampleLogGamma(shape: number, random: Random): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`Gamma shape must be a positive number (got ${shape})`);
  if (shape < 1) return sampleLogGamma(shape + 1, random) + Math.log(1 - random.next()) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const base = 1 + c * x;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = 1 - random.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
}

/**
 * A mixup weight λ ~ Beta(alpha, alpha), as X / (X + Y) of two Gamma(alpha) samples (computed in logs so that small
 * alphas do not underflow), kept within [1e-6, 1 − 1e-6].
 */
export function sampleMixupLambda(alpha: number, random: Random): number {
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new RangeError(`mixup alpha must be a positive number (got ${alpha})`);
  const logX = sampleLogGamma(alpha, random);
  const logY = sampleLogGamma(alpha, random);
  const lambda = 1 / (1 + Math.exp(logY - logX));
  return Math.min(1 - LAMBDA_MARGIN, Math.max(LAMBDA_MARGIN, lambda));
}
