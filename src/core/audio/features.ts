import { resolveFeatureConfig, type FeatureConfig, type FeatureKind } from './config';
import { powerToDb } from './db';
import { fixLength, fixLengthOffset, preEmphasis, trimSilence } from './effects';
import type { FeatureMatrix } from './matrix';
import { melFilterbank, melSpectrogram, type MelFilterbank } from './mel';
import { mfccFromLogMel } from './mfcc';
import { appendProsodyRows, prosodyContours } from './prosody';
import { powerSpectrogram, type StftOptions } from './stft';
import { readWav, type WavInfo } from './wav';

/** A clip after trimming and length fixing, with where it came from in the decoded signal. */
export interface PreparedClip {
  /** Samples at the config's rate, exactly clipSeconds long unless clipSeconds is null. */
  readonly samples: Float32Array;
  /** Kept range [start, end) of the input in samples after trimming (whole input when trimming is off). */
  readonly trimmedStart: number;
  readonly trimmedEnd: number;
  /** Input sample where the prepared clip starts (negative when zero padding comes before the signal). */
  readonly firstSample: number;
}

/**
 * Trims leading/trailing silence (if enabled) and centre-crops or zero-pads to clipSeconds.
 * A signal that is silent throughout is kept untrimmed rather than emptied.
 */
export function prepareClip(samples: Float32Array, config: FeatureConfig): PreparedClip {
  let kept = samples;
  let start = 0;
  let end = samples.length;
  if (config.trim) {
    const trimmed = trimSilence(samples, { topDb: config.trimTopDb });
    if (trimmed.end > trimmed.start) {
      kept = trimmed.samples;
      start = trimmed.start;
      end = trimmed.end;
    }
  }
  let firstSample = start;
  if (config.clipSeconds !== null) {
    const length = Math.round(config.clipSeconds * config.sampleRate);
    firstSample += fixLengthOffset(kept.length, length);
    kept = fixLength(kept, length);
  }
  return { samples: kept, trimmedStart: start, trimmedEnd: end, firstSample };
}

const filterbankCache = new Map<string, MelFilterbank>();

/** The mel filterbank for a config, built once and reused. */
export function filterbankFor(config: FeatureConfig): MelFilterbank {
  const key = [config.sampleRate, config.nFft, config.nMels, config.fMin, config.fMax, config.melScale, config.melNorm].join('|');
  let bank = filterbankCache.get(key);
  if (!bank) {
    bank = melFilterbank({
      sampleRate: config.sampleRate,
      nFft: config.nFft,
      nMels: config.nMels,
      fMin: config.fMin,
      fMax: config.fMax,
      scale: config.melScale,
      norm: config.melNorm,
    });
    filterbankCache.set(key, bank);
  }
  return bank;
}

function stftOptions(config: FeatureConfig): StftOptions & { power: number } {
  return { nFft: config.nFft, hopLength: config.hopLength, winLength: config.winLength, center: config.center, power: config.power };
}

/**
 * Computes one feature representation of samples already at config.sampleRate (no trimming or cropping here):
 * 'spectrogram' = dB of |STFT|^power (nFft/2+1 bins); 'logmel' = dB of the mel spectrogram (nMels bands);
 * 'mfcc' = DCT-II of the log-mel (nMfcc coefficients). dB uses ref dbRef, amin and topDb. With config.prosody, the
 * four prosody rows (F0, voicing, energy, HNR of the samples before pre-emphasis) follow the bins.
 */
export function computeFeatures(samples: Float32Array, kind: FeatureKind, config: FeatureConfig): FeatureMatrix {
  const features = spectralFeatures(samples, kind, config);
  return config.prosody ? appendProsodyRows(features, prosodyContours(samples, config)) : features;
}

/** The spectral part of {@link computeFeatures}. */
function spectralFeatures(samples: Float32Array, kind: FeatureKind, config: FeatureConfig): FeatureMatrix {
  const input = config.preEmphasis > 0 ? preEmphasis(samples, config.preEmphasis) : samples;
  const db = { ref: config.dbRef, amin: config.amin, topDb: config.topDb };
  if (kind === 'spectrogram') return powerToDb(powerSpectrogram(input, stftOptions(config)), db);
  const logMel = powerToDb(melSpectrogram(input, { ...stftOptions(config), sampleRate: config.sampleRate }, filterbankFor(config)), db);
  if (kind === 'logmel') return logMel;
  return mfccFromLogMel(logMel, { nMfcc: config.nMfcc, lifter: config.lifter });
}

/** Options of {@link fileFeatures}. */
export interface FileFeatureOptions {
  /** Whole file: no trimming or cropping (overrides trim and clipSeconds). */
  readonly full?: boolean;
}

/** Features of one WAV file plus what was read. */
export interface FileFeatures {
  readonly kind: FeatureKind;
  readonly config: FeatureConfig;
  readonly matrix: FeatureMatrix;
  readonly info: WavInfo;
  /** Samples (at config.sampleRate) the features were computed from. */
  readonly analysedSamples: number;
}

/** Decodes a WAV file at config.sampleRate, prepares the clip (unless `full`) and computes features. */
export function fileFeatures(
  file: string | Uint8Array,
  kind: FeatureKind,
  overrides: Partial<FeatureConfig> = {},
  options: FileFeatureOptions = {},
): FileFeatures {
  const config = resolveFeatureConfig(overrides);
  const audio = readWav(file, { targetRate: config.sampleRate });
  const samples = options.full ? audio.samples : prepareClip(audio.samples, config).samples;
  return { kind, config, matrix: computeFeatures(samples, kind, config), info: audio.info, analysedSamples: samples.length };
}
