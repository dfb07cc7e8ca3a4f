import { UsageError } from '../errors';
import { resolveFeatureConfig, type FeatureConfig } from './config';
import { cyclePerturbation, findGlottalCycles } from './cycles';
import { createMatrix, type FeatureMatrix } from './matrix';
import { frameCount } from './stft';
import { readWav, type WavInfo } from './wav';
import { YinAnalyser, type YinFrame } from './yin';

/**
 * Prosodic features of speech, frame by frame and per clip: F0 (YIN), voicing, energy, harmonics-to-noise ratio,
 * jitter and shimmer. Frames are the STFT frames of the feature configuration (same hop, same centres), so contours
 * line up with spectrogram columns. See docs/PROSODY.md.
 */

/** Pitch-tracking parameters (defaults suit adult and child speech). */
export interface ProsodyOptions {
  /** Lowest F0 searched in Hz (default 60). */
  readonly fMinHz?: number;
  /** Highest F0 searched in Hz (default 500). */
  readonly fMaxHz?: number;
  /** YIN's absolute threshold on the normalised difference (default 0.1). */
  readonly threshold?: number;
  /** Largest aperiodicity (normalised difference at the period) of a voiced frame (default 0.35). */
  readonly voicingThreshold?: number;
  /** Frames quieter than this many dB below the loudest frame are silence, never voiced (default 40). */
  readonly silenceDb?: number;
}

/** Default pitch-tracking parameters. */
export const DEFAULT_PROSODY_OPTIONS: Required<ProsodyOptions> = Object.freeze({
  fMinHz: 60,
  fMaxHz: 500,
  threshold: 0.1,
  voicingThreshold: 0.35,
  silenceDb: 40,
});

/** Frames quieter than this RMS level (dB re full scale) are silence whatever the loudest frame is. */
export const ABSOLUTE_SILENCE_DB = -80;
/** Floor of the energy contour in dB (mean square 1e-10). */
export const ENERGY_FLOOR_DB = -100;
/** Range the harmonics-to-noise ratio is clamped to, in dB; silent frames get the minimum. */
export const HNR_MIN_DB = -20;
export const HNR_MAX_DB = 60;

/** Frames on each side whose median F0 a frame is checked against, and how far from it (semitones) is an error. */
const REPAIR_FRAMES = 4;
const REPAIR_SEMITONES = 5;
/**
 * A frame is analysed again, its span centred for the period found, when that period is more than this many samples
 * from the guess the span was centred for (the span's centre moves by half the difference); at most this many passes.
 */
const RECENTRE_SAMPLES = 2;
const RECENTRE_PASSES = 3;

/** Per-frame prosody, one value per STFT frame (typed arrays, frame t at index t). */
export interface ProsodyContours {
  readonly sampleRate: number;
  readonly hopLength: number;
  /** Sample at the centre of frame 0: 0 for centred frames, nFft / 2 otherwise; frame t is centred hop · t later. */
  readonly firstCentre: number;
  readonly frames: number;
  /** Fundamental frequency in Hz; 0 in unvoiced frames. */
  readonly f0Hz: Float32Array;
  /** 1 in voiced frames, 0 elsewhere. */
  readonly voiced: Uint8Array;
  /** RMS level over the STFT window in dB re full scale (a full-scale square wave is 0 dB, a sine −3 dB), ≥ −100. */
  readonly energyDb: Float32Array;
  /** Harmonics-to-noise ratio in dB, 10·log10(r / (1 − r)) with r the correlation one period apart, −20…60. */
  readonly hnrDb: Float32Array;
}

/** Per-clip prosody: statistics over voiced frames (F0, HNR), sounding frames (energy) and glottal cycles. */
export interface ProsodySummary {
  /** Length of the analysed signal in seconds. */
  readonly durationSeconds: number;
  /** Mean, minimum and maximum F0 over voiced frames in Hz; null without voiced frames. */
  readonly f0MeanHz: number | null;
  readonly f0MinHz: number | null;
  readonly f0MaxHz: number | null;
  /** Standard deviation of F0 over voiced frames in semitones. */
  readonly f0StdSemitones: number | null;
  /** Fraction of all frames that are voiced, 0…1. */
  readonly voicedFraction: number;
  /** Mean and standard deviation of the energy contour (dB re full scale) over frames that are not silent. */
  readonly energyMeanDb: number | null;
  readonly energyStdDb: number | null;
  /** Glottal cycles measured (periods within the F0 range). */
  readonly cycles: number;
  /** Local jitter in %: mean absolute difference of consecutive periods / mean period. */
  readonly jitterLocalPercent: number | null;
  /** Local shimmer in %: mean absolute difference of consecutive cycle peak amplitudes / mean amplitude. */
  readonly shimmerLocalPercent: number | null;
  /** Local shimmer in dB: mean |20·log10| of the ratio of consecutive cycle peak amplitudes. */
  readonly shimmerLocalDb: number | null;
  /** Mean harmonics-to-noise ratio over voiced frames in dB. */
  readonly hnrMeanDb: number | null;
}

/** The feature settings the contours depend on. */
export type ProsodyFrameConfig = Pick<FeatureConfig, 'sampleRate' | 'nFft' | 'hopLength' | 'winLength' | 'center'>;

/** Fills defaults and checks the F0 range against the sample rate; throws {@link UsageError} naming the bad value. */
export function resolveProsodyOptions(options: ProsodyOptions, sampleRate: number): Required<ProsodyOptions> {
  const resolved = { ...DEFAULT_PROSODY_OPTIONS, ...options };
  const { fMinHz, fMaxHz, threshold, voicingThreshold, silenceDb } = resolved;
  if (!(fMinHz > 0 && fMaxHz > fMinHz && fMaxHz <= sampleRate / 2)) {
    throw new UsageError(`need 0 < F0 floor < F0 ceiling ≤ sample rate / 2 (got ${fMinHz}, ${fMaxHz} Hz at ${sampleRate} Hz)`);
  }
  if (!(threshold > 0 && threshold < 1)) throw new UsageError(`YIN threshold must be in (0, 1) (got ${threshold})`);
  if (!(voicingThreshold > 0 && voicingThreshold <= 1)) throw new UsageError(`voicing threshold must be in (0, 1] (got ${voicingThreshold})`);
  if (!(silenceDb > 0)) throw new UsageError(`silence threshold must be positive dB (got ${silenceDb})`);
  return resolved;
}

/** Converts a correlation r to a harmonics-to-noise ratio in dB, clamped to HNR_MIN_DB…HNR_MAX_DB. */
export function hnrFromCorrelation(r: number): number {
  if (!(r > 0)) return HNR_MIN_DB;
  if (r >= 1) return HNR_MAX_DB;
  return Math.max(HNR_MIN_DB, Math.min(HNR_MAX_DB, 10 * Math.log10(r / (1 - r))));
}

/**
 * Prosody contours of samples at config.sampleRate: YIN F0 with voicing from the aperiodicity and a silence gate,
 * RMS energy and HNR, one value per STFT frame of `config` (exactly as many frames as its spectrogram).
 */
export function prosodyContours(samples: Float32Array, config: ProsodyFrameConfig, options: ProsodyOptions = {}): ProsodyContours {
  const { fMinHz, fMaxHz, threshold, voicingThreshold, silenceDb } = resolveProsodyOptions(options, config.sampleRate);
  const rate = config.sampleRate;
  const hop = config.hopLength;
  const frames = frameCount(samples.length, { nFft: config.nFft, hopLength: hop, winLength: config.winLength, center: config.center });
  const firstCentre = config.center ? 0 : Math.floor(config.nFft / 2);
  const n = samples.length;

  // Energy: mean square over the window length around each frame centre (zeros outside the signal), summed frame by
  // frame so that memory does not grow with the signal.
  const energyDb = new Float32Array(frames);
  let loudest = ENERGY_FLOOR_DB;
  for (let t = 0; t < frames; t++) {
    const from = firstCentre + t * hop - Math.floor(config.winLength / 2);
    let sum = 0;
    for (let i = Math.max(0, from), end = Math.min(n, from + config.winLength); i < end; i++) sum += samples[i] * samples[i];
    energyDb[t] = Math.max(ENERGY_FLOOR_DB, 10 * Math.log10(Math.max(1e-10, sum / config.winLength)));
    loudest = Math.max(loudest, energyDb[t]);
  }
  const gate = Math.max(ABSOLUTE_SILENCE_DB, loudest - silenceDb);

  const minLag = Math.max(2, Math.floor(rate / fMaxHz));
  const maxLag = Math.max(minLag, Math.ceil(rate / fMinHz));
  const windowLength = Math.round(1.5 * maxLag);
  const yin = new YinAnalyser({ windowLength, minLag, maxLag, threshold });
  const length = yin.frameLength;
  const frame = new Float64Array(length);
  /**
   * The analysis frame of STFT frame t for a period of `period` samples. YIN at lag τ compares samples [0, W) with
   * [τ, W + τ), so its estimate belongs to the middle of [0, W + τ): the frame starts (W − 1 + τ) / 2 before the STFT
   * frame centre. Frames at the ends move inside the signal instead (zeros would bias d(τ)).
   */
  const frameAt = (t: number, period: number): Float64Array => {
    const centred = firstCentre + t * hop - Math.round((windowLength - 1 + period) / 2);
    const from = n >= length ? Math.max(0, Math.min(n - length, centred)) : centred;
    for (let i = 0; i < length; i++) frame[i] = from + i >= 0 && from + i < n ? samples[from + i] : 0;
    return frame;
  };
  /** YIN on STFT frame t, starting from a period guess and analysing again while the period found is far from it. */
  const analyseAt = (t: number, guess: number, nearPeriod?: number): YinFrame => {
    let period = guess;
    let result = yin.analyse(frameAt(t, period), nearPeriod);
    for (let pass = 1; pass < RECENTRE_PASSES && Math.abs(result.periodSamples - period) > RECENTRE_SAMPLES; pass++) {
      period = result.periodSamples;
      result = yin.analyse(frameAt(t, period), nearPeriod);
    }
    return result;
  };
  const f0Hz = new Float32Array(frames);
  const voiced = new Uint8Array(frames);
  const hnrDb = new Float32Array(frames).fill(HNR_MIN_DB);
  const record = (t: number, result: YinFrame) => {
    hnrDb[t] = hnrFromCorrelation(result.correlation);
    const f0 = rate / result.periodSamples;
    const isVoiced = result.aperiodicity <= voicingThreshold && f0 >= fMinHz * 0.97 && f0 <= fMaxHz * 1.03;
    f0Hz[t] = isVoiced ? f0 : 0;
    voiced[t] = isVoiced ? 1 : 0;
  };
  // Each frame's guess is the period of the frame analysed before it (at first the middle of the lag range, on a log scale).
  let guess = Math.sqrt(minLag * maxLag);
  for (let t = 0; t < frames; t++) {
    if (energyDb[t] < gate) continue;
    const result = analyseAt(t, guess);
    record(t, result);
    guess = result.periodSamples;
  }

  // Octave-error repair: a voiced frame more than REPAIR_SEMITONES from the median F0 of the voiced frames around it
  // is analysed again with the search held near that median (medians from the first pass only).
  const repairs: [number, number][] = [];
  for (let t = 0; t < frames; t++) {
    if (!voiced[t]) continue;
    const around: number[] = [];
    for (let u = Math.max(0, t - REPAIR_FRAMES); u <= Math.min(frames - 1, t + REPAIR_FRAMES); u++) if (voiced[u]) around.push(f0Hz[u]);
    if (around.length < 3) continue;
    around.sort((x, y) => x - y);
    const median = around[Math.floor(around.length / 2)];
    if (Math.abs(12 * Math.log2(f0Hz[t] / median)) > REPAIR_SEMITONES) repairs.push([t, median]);
  }
  for (const [t, median] of repairs) record(t, analyseAt(t, rate / median, rate / median));
  return { sampleRate: rate, hopLength: hop, firstCentre, frames, f0Hz, voiced, energyDb, hnrDb };
}

/** Mean and population standard deviation of the values `select` keeps; nulls when it keeps none. */
function meanAndStd(count: number, value: (t: number) => number, select: (t: number) => boolean): { mean: number | null; std: number | null; n: number } {
  let sum = 0;
  let sumSquares = 0;
  let kept = 0;
  for (let t = 0; t < count; t++) {
    if (!select(t)) continue;
    const v = value(t);
    sum += v;
    sumSquares += v * v;
    kept++;
  }
  if (kept === 0) return { mean: null, std: null, n: 0 };
  const mean = sum / kept;
  return { mean, std: Math.sqrt(Math.max(0, sumSquares / kept - mean * mean)), n: kept };
}

/**
 * Per-clip prosody of samples at config.sampleRate: F0 statistics and mean HNR over voiced frames, energy statistics
 * over frames within options.silenceDb of the loudest, jitter and shimmer from glottal cycles (docs/PROSODY.md).
 */
export function prosodySummary(
  samples: Float32Array,
  config: ProsodyFrameConfig,
  options: ProsodyOptions = {},
  contours: ProsodyContours = prosodyContours(samples, config, options),
): ProsodySummary {
  const resolved = resolveProsodyOptions(options, config.sampleRate);
  const { frames, f0Hz, voiced, energyDb, hnrDb } = contours;
  const isVoiced = (t: number) => voiced[t] === 1;
  let loudest = ENERGY_FLOOR_DB;
  for (const value of energyDb) loudest = Math.max(loudest, value);
  const gate = Math.max(ABSOLUTE_SILENCE_DB, loudest - resolved.silenceDb);
  const f0 = meanAndStd(frames, (t) => f0Hz[t], isVoiced);
  const semitones = meanAndStd(frames, (t) => f0Semitones(f0Hz[t]), isVoiced);
  const energy = meanAndStd(frames, (t) => energyDb[t], (t) => energyDb[t] >= gate);
  const hnr = meanAndStd(frames, (t) => hnrDb[t], isVoiced);
  let f0Min: number | null = null;
  let f0Max: number | null = null;
  for (let t = 0; t < frames; t++) {
    if (!isVoiced(t)) continue;
    f0Min = f0Min === null ? f0Hz[t] : Math.min(f0Min, f0Hz[t]);
    f0Max = f0Max === null ? f0Hz[t] : Math.max(f0Max, f0Hz[t]);
  }
  const perturbation = cyclePerturbation(findGlottalCycles(samples, contours), config.sampleRate, resolved.fMinHz, resolved.fMaxHz);
  return {
    durationSeconds: samples.length / config.sampleRate,
    f0MeanHz: f0.mean,
    f0MinHz: f0Min,
    f0MaxHz: f0Max,
    f0StdSemitones: semitones.std,
    voicedFraction: frames > 0 ? f0.n / frames : 0,
    energyMeanDb: energy.mean,
    energyStdDb: energy.std,
    cycles: perturbation.cycles,
    jitterLocalPercent: perturbation.jitterLocalPercent,
    shimmerLocalPercent: perturbation.shimmerLocalPercent,
    shimmerLocalDb: perturbation.shimmerLocalDb,
    hnrMeanDb: hnr.mean,
  };
}

/** Prosody of one WAV file, analysed whole (no trimming or cropping). */
export interface FileProsody {
  readonly file: string;
  readonly info: WavInfo;
  readonly config: FeatureConfig;
  readonly contours: ProsodyContours;
  readonly summary: ProsodySummary;
}

/** Decodes a WAV file at the feature sample rate and computes its prosody contours and summary over its whole length. */
export function fileProsody(file: string, overrides: Partial<FeatureConfig> = {}, options: ProsodyOptions = {}): FileProsody {
  const config = resolveFeatureConfig(overrides);
  resolveProsodyOptions(options, config.sampleRate);
  const audio = readWav(file, { targetRate: config.sampleRate });
  const contours = prosodyContours(audio.samples, config, options);
  return { file, info: audio.info, config, contours, summary: prosodySummary(audio.samples, config, options, contours) };
}

/** What each row that {@link appendProsodyRows} adds holds, in order. */
export const PROSODY_ROWS: readonly string[] = Object.freeze([
  'F0 (semitones re 27.5 Hz; 0 when unvoiced)',
  'voicing (1 voiced, 0 not)',
  'energy (dB re full scale)',
  'harmonics-to-noise ratio (dB)',
]);

/** F0 of a voiced frame in semitones re 27.5 Hz (A0, as eGeMAPS); 0 for unvoiced frames. */
export function f0Semitones(f0Hz: number): number {
  return f0Hz > 0 ? 12 * Math.log2(f0Hz / 27.5) : 0;
}

/** A copy of `matrix` with the prosody rows of PROSODY_ROWS appended below its bins (frame counts must match). */
export function appendProsodyRows(matrix: FeatureMatrix, contours: ProsodyContours): FeatureMatrix {
  if (contours.frames !== matrix.frames) throw new RangeError(`prosody has ${contours.frames} frames, features ${matrix.frames}`);
  const bins = matrix.bins + PROSODY_ROWS.length;
  const out = createMatrix(bins, matrix.frames);
  for (let t = 0; t < matrix.frames; t++) {
    const base = t * bins;
    out.data.set(matrix.data.subarray(t * matrix.bins, (t + 1) * matrix.bins), base);
    out.data[base + matrix.bins] = f0Semitones(contours.f0Hz[t]);
    out.data[base + matrix.bins + 1] = contours.voiced[t];
    out.data[base + matrix.bins + 2] = contours.energyDb[t];
    out.data[base + matrix.bins + 3] = contours.hnrDb[t];
  }
  return out;
}
