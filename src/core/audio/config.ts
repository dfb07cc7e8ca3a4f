import { UsageError } from '../errors';
import type { MelScale } from './mel';

/** The feature representations the product computes. */
export type FeatureKind = 'spectrogram' | 'logmel' | 'mfcc';
export const FEATURE_KINDS: readonly FeatureKind[] = ['spectrogram', 'logmel', 'mfcc'];

/**
 * Every parameter of the audio → feature pipeline. librosa 0.10's own defaults are noted where the project's differ.
 */
export interface FeatureConfig {
  /** Analysis sample rate in Hz; audio is resampled to it (librosa load default 22050). */
  readonly sampleRate: number;
  /** FFT length in samples (librosa 2048). */
  readonly nFft: number;
  /** Hop between frames in samples (librosa nFft/4 = 512). */
  readonly hopLength: number;
  /** Window length in samples, ≤ nFft (librosa: nFft). */
  readonly winLength: number;
  /** Centre frames with zero padding of nFft/2 (librosa: true, pad_mode 'constant'). */
  readonly center: boolean;
  /** Exponent of the magnitude spectrogram: 2 = power, 1 = magnitude (librosa 2). */
  readonly power: number;
  /** Number of mel bands (librosa 128). */
  readonly nMels: number;
  /** Lowest mel band edge in Hz (librosa 0). */
  readonly fMin: number;
  /** Highest mel band edge in Hz (librosa sampleRate/2). */
  readonly fMax: number;
  /** Mel scale formula (librosa 'slaney'). */
  readonly melScale: MelScale;
  /** Mel filter normalisation (librosa 'slaney' = equal area). */
  readonly melNorm: 'slaney' | null;
  /** Reference power for 0 dB (librosa power_to_db ref 1.0). */
  readonly dbRef: number;
  /** Power floor before the logarithm (librosa 1e-10). */
  readonly amin: number;
  /** Dynamic range kept below the maximum in dB; null keeps all (librosa 80). */
  readonly topDb: number | null;
  /** Number of MFCCs (librosa 20). */
  readonly nMfcc: number;
  /** MFCC liftering factor, 0 = none (librosa 0). */
  readonly lifter: number;
  /** Pre-emphasis coefficient applied before the STFT; 0 = none (librosa does not pre-emphasise by default). */
  readonly preEmphasis: number;
  /** Trim leading/trailing silence before fixing the length (librosa effects.trim). */
  readonly trim: boolean;
  /** Silence threshold below the loudest frame in dB (librosa trim top_db 60). */
  readonly trimTopDb: number;
  /** Clip length in seconds after trimming (centre-crop or zero-pad); null keeps the whole signal. */
  readonly clipSeconds: number | null;
  /**
   * Append four prosody rows (F0, voicing, energy, HNR; see prosody.ts) below the features, one value per frame.
   * Absent means false: a resolved configuration only carries the key when true, so existing cache keys stay valid.
   */
  readonly prosody?: boolean;
}

/** The project's defaults for speech-emotion work: 16 kHz, 1024/256 STFT, 128 mels up to 8 kHz, 40 MFCCs, 3-s clips. */
export const DEFAULT_FEATURE_CONFIG: FeatureConfig = Object.freeze({
  sampleRate: 16000,
  nFft: 1024,
  hopLength: 256,
  winLength: 1024,
  center: true,
  power: 2,
  nMels: 128,
  fMin: 0,
  fMax: 8000,
  melScale: 'slaney',
  melNorm: 'slaney',
  dbRef: 1.0,
  amin: 1e-10,
  topDb: 80,
  nMfcc: 40,
  lifter: 0,
  preEmphasis: 0,
  trim: true,
  trimTopDb: 60,
  clipSeconds: 3.0,
});

function check(condition: boolean, message: string): void {
  if (!condition) throw new UsageError(message);
}

/** Fills defaults and checks every value; throws {@link UsageError} naming the first bad parameter. */
export function resolveFeatureConfig(overrides: Partial<FeatureConfig> = {}): FeatureConfig {
  const base = { ...DEFAULT_FEATURE_CONFIG, ...overrides };
  // Keep related defaults consistent when only the primary value was overridden.
  const config: FeatureConfig = {
    ...base,
    winLength: overrides.winLength ?? (overrides.nFft !== undefined ? base.nFft : base.winLength),
    fMax: overrides.fMax ?? Math.min(DEFAULT_FEATURE_CONFIG.fMax, base.sampleRate / 2),
    nMfcc: overrides.nMfcc ?? Math.min(DEFAULT_FEATURE_CONFIG.nMfcc, base.nMels),
  };
  const isInt = Number.isInteger;
  check(isInt(config.sampleRate) && config.sampleRate >= 1000 && config.sampleRate <= 768000, `sample rate must be an integer from 1000 to 768000 Hz (got ${config.sampleRate})`);
  check(isInt(config.nFft) && config.nFft >= 16 && config.nFft <= 65536, `n-fft must be an integer from 16 to 65536 (got ${config.nFft})`);
  check(isInt(config.hopLength) && config.hopLength >= 1, `hop must be a positive integer (got ${config.hopLength})`);
  check(isInt(config.winLength) && config.winLength >= 1 && config.winLength <= config.nFft, `window length must be an integer from 1 to n-fft (got ${config.winLength})`);
  check(config.power > 0, `power must be positive (got ${config.power})`);
  check(isInt(config.nMels) && config.nMels >= 1 && config.nMels <= 512, `n-mels must be an integer from 1 to 512 (got ${config.nMels})`);
  check(config.fMin >= 0 && config.fMax > config.fMin && config.fMax <= config.sampleRate / 2, `need 0 ≤ fmin < fmax ≤ sample rate / 2 (got fmin ${config.fMin}, fmax ${config.fMax}, rate ${config.sampleRate})`);
  check(config.dbRef > 0, `dB reference must be positive (got ${config.dbRef})`);
  check(config.amin > 0, `amin must be positive (got ${config.amin})`);
  check(config.topDb === null || config.topDb >= 0, `top-db must be non-negative (got ${config.topDb})`);
  check(isInt(config.nMfcc) && config.nMfcc >= 1 && config.nMfcc <= config.nMels, `n-mfcc must be an integer from 1 to n-mels (${config.nMels}) (got ${config.nMfcc})`);
  check(config.lifter >= 0, `lifter must be ≥ 0 (got ${config.lifter})`);
  check(config.preEmphasis >= 0 && config.preEmphasis < 1, `pre-emphasis must be in [0, 1) (got ${config.preEmphasis})`);
  check(config.trimTopDb > 0, `trim threshold must be positive dB (got ${config.trimTopDb})`);
  check(config.clipSeconds === null || (config.clipSeconds > 0 && config.clipSeconds <= 3600), `clip duration must be from 0 to 3600 s (got ${config.clipSeconds})`);
  check(config.prosody === undefined || typeof config.prosody === 'boolean', `prosody must be true or false (got ${String(config.prosody)})`);
  const { prosody, ...rest } = config;
  return Object.freeze(prosody ? { ...rest, prosody: true } : rest);
}
