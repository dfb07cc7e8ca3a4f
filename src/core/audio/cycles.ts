import { parabolicOffset, parabolicPeak } from './yin';

/**
 * Glottal cycles of voiced speech, and the cycle-to-cycle perturbation measures computed from them (jitter, shimmer).
 *
 * Period marks: in each run of voiced frames, the first mark is the largest absolute sample within one period of the
 * run's start. Each next mark is found by cross-correlation: the waveform within ±½ period of the current mark is
 * compared with the waveform 0.8…1.25 local periods later (local period from the F0 contour, interpolated between
 * frames); the lag of the highest normalised correlation, refined by parabolic interpolation, is the period. A
 * correlation below 0.5 ends the chain (the next chain starts after it), so consecutive-period pairs never span an
 * irregular stretch. Measuring each period as a whole-cycle lag rather than as the distance between two peaks makes
 * the periods insensitive to the waveform's shape and to sample-grid rounding.
 */

/** One unbroken run of glottal cycles. */
export interface CycleChain {
  /** Cycle marks in samples (fractional), in order; consecutive marks are one period apart. */
  readonly marks: readonly number[];
  /** Peak absolute amplitude of each cycle (within ±½ period of its mark), linear full scale. */
  readonly amplitudes: readonly number[];
}

/** What the cycle search needs from the F0 contour. */
export interface CycleContour {
  readonly sampleRate: number;
  readonly hopLength: number;
  /** Sample at the centre of frame 0. */
  readonly firstCentre: number;
  readonly frames: number;
  /** F0 per frame in Hz, 0 when unvoiced. */
  readonly f0Hz: ArrayLike<number>;
}

/** Jitter and shimmer of a set of cycle chains; null where there are too few cycles (fewer than two pairs). */
export interface Perturbation {
  /** Periods measured (those within the F0 range). */
  readonly cycles: number;
  /** Mean absolute difference of consecutive periods / mean period, in %. */
  readonly jitterLocalPercent: number | null;
  /** Mean absolute difference of consecutive cycle amplitudes / mean amplitude, in %. */
  readonly shimmerLocalPercent: number | null;
  /** Mean absolute ratio of consecutive cycle amplitudes in dB: mean |20·log10(A[i+1] / A[i])|. */
  readonly shimmerLocalDb: number | null;
}

/** Lowest normalised correlation between consecutive cycles for the chain to go on. */
const MIN_CYCLE_CORRELATION = 0.5;
/** Search range of the next mark, in local periods. */
const SEARCH_LOW = 0.8;
const SEARCH_HIGH = 1.25;
/** Largest ratio of consecutive periods (and of consecutive amplitudes) counted as a pair (Praat's defaults). */
const MAX_PERIOD_FACTOR = 1.3;
const MAX_AMPLITUDE_FACTOR = 1.6;

/** Finds glottal cycle chains in the voiced runs of `contour` (frames with f0Hz > 0). */
export function findGlottalCycles(samples: Float32Array, contour: CycleContour): CycleChain[] {
  const n = samples.length;
  const { hopLength: hop, firstCentre, frames, f0Hz } = contour;
  const chains: CycleChain[] = [];
  for (let a = 0; a < frames; a++) {
    if (!(f0Hz[a] > 0)) continue;
    let b = a;
    while (b + 1 < frames && f0Hz[b + 1] > 0) b++;
    const start = Math.max(0, Math.floor(firstCentre + a * hop - hop / 2));
    const end = Math.min(n, Math.ceil(firstCentre + b * hop + hop / 2));
    const periodAt = (sample: number): number => {
      const position = Math.max(a, Math.min(b, (sample - firstCentre) / hop));
      const low = Math.floor(position);
      const high = Math.min(b, low + 1);
      const f0 = f0Hz[low] + (f0Hz[high] - f0Hz[low]) * (position - low);
      return contour.sampleRate / f0;
    };
    if (end > start) chains.push(...chainsIn(samples, start, end, periodAt));
    a = b;
  }
  return chains;
}

/** Chains of cycles within samples [start, end). */
function chainsIn(samples: Float32Array, start: number, end: number, periodAt: (sample: number) => number): CycleChain[] {
  const chains: CycleChain[] = [];
  // The first template reaches half a period back from its mark.
  let seedFrom = Math.max(start, Math.ceil(0.6 * periodAt(start)));
  for (;;) {
    const seedPeriod = periodAt(seedFrom);
    const seedEnd = Math.min(end, Math.ceil(seedFrom + seedPeriod));
    if (seedEnd - seedFrom < 2 || seedFrom + (1 + SEARCH_HIGH) * seedPeriod >= end) break;
    let seed = seedFrom;
    for (let i = seedFrom; i < seedEnd; i++) if (Math.abs(samples[i]) > Math.abs(samples[seed])) seed = i;
    let mark = seed;
    const marks = [mark];
    const amplitudes = [cycleAmplitude(samples, mark, seedPeriod)];
    let broken = false;
    for (;;) {
      const period = periodAt(mark);
      const half = Math.floor(period / 2);
      const centre = Math.round(mark);
      const low = Math.max(2, Math.ceil(SEARCH_LOW * period));
      const high = Math.floor(SEARCH_HIGH * period);
      if (centre - half < 0 || centre + high + 1 + half >= end) break;
      const correlationAt = (lag: number) => cycleCorrelation(samples, centre - half, 2 * half + 1, lag);
      let best = low;
      let bestValue = correlationAt(low);
      for (let lag = low + 1; lag <= high; lag++) {
        const value = correlationAt(lag);
        if (value > bestValue) {
          best = lag;
          bestValue = value;
        }
      }
      if (bestValue < MIN_CYCLE_CORRELATION) {
        broken = true;
        seedFrom = centre + low;
        break;
      }
      mark += best + parabolicOffset(correlationAt(best - 1), bestValue, correlationAt(best + 1));
      marks.push(mark);
      amplitudes.push(cycleAmplitude(samples, mark, period));
    }
    if (marks.length >= 2) chains.push({ marks, amplitudes });
    if (!broken) break;
  }
  return chains;
}

/** Normalised correlation of x[from, from + length) with x[from + lag, from + lag + length). */
function cycleCorrelation(samples: Float32Array, from: number, length: number, lag: number): number {
  let cross = 0;
  let energyA = 0;
  let energyB = 0;
  for (let j = 0; j < length; j++) {
    const a = samples[from + j];
    const b = samples[from + lag + j];
    cross += a * b;
    energyA += a * a;
    energyB += b * b;
  }
  const energy = energyA * energyB;
  return energy > 1e-30 ? cross / Math.sqrt(energy) : 0;
}

/** Peak absolute amplitude within ±½ period of `mark`, refined by parabolic interpolation. */
function cycleAmplitude(samples: Float32Array, mark: number, period: number): number {
  const from = Math.max(0, Math.round(mark - period / 2));
  const to = Math.min(samples.length, Math.round(mark + period / 2));
  let peak = from;
  for (let i = from + 1; i < to; i++) if (Math.abs(samples[i]) > Math.abs(samples[peak])) peak = i;
  if (peak <= 0 || peak >= samples.length - 1) return Math.abs(samples[peak] ?? 0);
  return parabolicPeak(Math.abs(samples[peak - 1]), Math.abs(samples[peak]), Math.abs(samples[peak + 1]));
}

/**
 * Local jitter and shimmer of cycle chains. Periods outside [0.8 · sampleRate / fMaxHz, 1.25 · sampleRate / fMinHz]
 * are left out; a pair counts only within one chain and when its two periods differ by at most a factor 1.3 (its two
 * amplitudes by at most 1.6), as Praat's voice report does.
 */
export function cyclePerturbation(chains: readonly CycleChain[], sampleRate: number, fMinHz: number, fMaxHz: number): Perturbation {
  const shortest = (SEARCH_LOW * sampleRate) / fMaxHz;
  const longest = (SEARCH_HIGH * sampleRate) / fMinHz;
  let periodSum = 0;
  let periodCount = 0;
  let periodDiffSum = 0;
  let periodPairs = 0;
  let amplitudeSum = 0;
  let amplitudeCount = 0;
  let amplitudeDiffSum = 0;
  let amplitudeDbSum = 0;
  let amplitudePairs = 0;
  for (const { marks, amplitudes } of chains) {
    let previous = 0;
    for (let i = 1; i < marks.length; i++) {
      const period = marks[i] - marks[i - 1];
      if (period < shortest || period > longest) {
        previous = 0;
        continue;
      }
      periodSum += period;
      periodCount++;
      if (previous > 0 && Math.max(period, previous) / Math.min(period, previous) <= MAX_PERIOD_FACTOR) {
        periodDiffSum += Math.abs(period - previous);
        periodPairs++;
      }
      previous = period;
    }
    for (let i = 0; i < amplitudes.length; i++) {
      if (!(amplitudes[i] > 0)) continue;
      amplitudeSum += amplitudes[i];
      amplitudeCount++;
      if (i > 0 && amplitudes[i - 1] > 0) {
        const ratio = amplitudes[i] / amplitudes[i - 1];
        if (Math.max(ratio, 1 / ratio) <= MAX_AMPLITUDE_FACTOR) {
          amplitudeDiffSum += Math.abs(amplitudes[i] - amplitudes[i - 1]);
          amplitudeDbSum += Math.abs(20 * Math.log10(ratio));
          amplitudePairs++;
        }
      }
    }
  }
  const jitter = periodPairs >= 2 ? (100 * (periodDiffSum / periodPairs)) / (periodSum / periodCount) : null;
  const shimmer = amplitudePairs >= 2 ? (100 * (amplitudeDiffSum / amplitudePairs)) / (amplitudeSum / amplitudeCount) : null;
  return {
    cycles: periodCount,
    jitterLocalPercent: jitter,
    shimmerLocalPercent: shimmer,
    shimmerLocalDb: amplitudePairs >= 2 ? amplitudeDbSum / amplitudePairs : null,
  };
}
