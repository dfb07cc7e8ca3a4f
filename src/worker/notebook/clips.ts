import * as path from 'node:path';
import { computeFeatures, readWav, resolveFeatureConfig, toBinsMajor, waveformEnvelope, type FeatureConfig, type FeatureKind } from '../../core/audio';
import { prosodyContours, prosodySummary, type ProsodyContours, type ProsodySummary } from '../../core/audio/prosody';
import { encodeWav } from '../../core/audio/wavWrite';
import type { AudioJson } from '../../shared/mime';
import type { SpectrogramView, WaveformView } from '../../shared/panelProtocol';
import type { ProsodyView } from '../../shared/prosodyView';

/** Rate of clips sent to the notebook to listen to, in Hz. */
export const LISTEN_RATE = 16000;

/** A waveform reduced to at most `points` min/max pairs, as views draw it. */
export function waveformView(samples: Float32Array, sampleRate: number, points: number): WaveformView {
  const envelope = waveformEnvelope(samples, points);
  return {
    sampleRate,
    samplesPerPoint: envelope.samplesPerPoint,
    min: Array.from(envelope.min),
    max: Array.from(envelope.max),
    durationSeconds: samples.length / sampleRate,
  };
}

/** Rounds to `digits` decimals (contours travel as JSON; their precision is far below this). */
function rounded(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Contours and summary as views draw them: F0 and HNR null where unvoiced, values rounded to 0.01. */
export function prosodyView(contours: ProsodyContours, summary: ProsodySummary): ProsodyView {
  return {
    f0Hz: Array.from(contours.f0Hz, (f0, t) => (contours.voiced[t] ? rounded(f0, 2) : null)),
    energyDb: Array.from(contours.energyDb, (db) => rounded(db, 2)),
    hnrDb: Array.from(contours.hnrDb, (db, t) => (contours.voiced[t] ? rounded(db, 2) : null)),
    summary,
  };
}

/**
 * Waveform, full-length features and prosody of samples already at the feature rate of `overrides`. The heatmap never
 * carries the prosody rows (their units differ from the spectrum's); the prosody comes as contours instead.
 */
export function spectrogramOfSamples(
  file: string,
  samples: Float32Array,
  kind: FeatureKind,
  overrides: Partial<FeatureConfig>,
  points: number,
  name = path.basename(file),
): SpectrogramView {
  const config = resolveFeatureConfig({ ...overrides, trim: false, clipSeconds: null, prosody: false });
  const matrix = computeFeatures(samples, kind, config);
  const contours = prosodyContours(samples, config);
  return {
    file,
    name,
    waveform: waveformView(samples, config.sampleRate, points),
    matrix: { kind, sampleRate: config.sampleRate, hopLength: config.hopLength, shape: [matrix.bins, matrix.frames], data: toBinsMajor(matrix) },
    ...(kind === 'mfcc' ? {} : { fMin: kind === 'logmel' ? config.fMin : 0, fMax: kind === 'logmel' ? config.fMax : config.sampleRate / 2 }),
    ...(kind === 'logmel' ? { melScale: config.melScale } : {}),
    nMels: config.nMels,
    prosody: prosodyView(contours, prosodySummary(samples, config, {}, contours)),
  };
}

/** A file's waveform envelope and full-length features, with the axis facts the spectrogram view needs. */
export function spectrogramView(file: string, kind: FeatureKind, overrides: Partial<FeatureConfig>, points: number): SpectrogramView {
  const config = resolveFeatureConfig({ ...overrides, trim: false, clipSeconds: null });
  const audio = readWav(file, { targetRate: config.sampleRate });
  return spectrogramOfSamples(file, audio.samples, kind, overrides, points);
}

/** A playable clip: samples at `sampleRate` as 16-bit WAV (base64) with their waveform. */
export function audioOfSamples(name: string, samples: Float32Array, sampleRate: number, points = 2000): AudioJson {
  return {
    name,
    sampleRate,
    wavBase64: Buffer.from(encodeWav(samples, sampleRate)).toString('base64'),
    waveform: waveformView(samples, sampleRate, points),
  };
}

/** A WAV file resampled to {@link LISTEN_RATE}, ready to play in the notebook. */
export function audioOfFile(file: string, points = 2000): AudioJson {
  const audio = readWav(file, { targetRate: LISTEN_RATE });
  return audioOfSamples(path.basename(file), audio.samples, LISTEN_RATE, points);
}

/** A clip's audio and log-mel spectrogram (the notebook renderer's feature-explorer clicks). */
export function clipViews(file: string): { audio: AudioJson; spectrogram: SpectrogramView } {
  return { audio: audioOfFile(file), spectrogram: spectrogramView(file, 'logmel', {}, 4000) };
}
