import type { FeatureConfig, FeatureKind } from '../audio/config';
import { computeFeatures, prepareClip } from '../audio/features';
import type { FeatureMatrix } from '../audio/matrix';
import { argmax } from '../metrics';

/** One window of a long file's emotion timeline. */
export interface TimelineSegment {
  /** Start and end in seconds. */
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly probabilities: Readonly<Record<string, number>>;
  /** False for windows too quiet to judge (left out of the overall result). */
  readonly voiced: boolean;
}

/** The emotion of a signal, with per-label probabilities and, for long signals, a timeline. */
export interface SamplesClassification {
  readonly label: string;
  readonly probabilities: Readonly<Record<string, number>>;
  readonly durationSeconds: number;
  readonly timeline?: readonly TimelineSegment[];
}

/** What classifying needs to know about a model: its labels and the features it was trained on. */
export interface ClassifierSpec {
  readonly labels: readonly string[];
  readonly feature: { readonly kind: FeatureKind; readonly config: FeatureConfig };
}

/** Class probabilities of feature matrices, `labels.length` values per matrix, in order. */
export type PredictMatrices = (matrices: readonly FeatureMatrix[]) => Float32Array;

/** Windows classified per call of the predictor: keeps memory flat for hour-long signals. */
const WINDOWS_PER_BATCH = 16;

function toRecord(labels: readonly string[], values: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(labels.map((label, i) => [label, values[i]]));
}

/** `length` samples from `start`, zero-padded at the end past the signal. */
export function windowAt(samples: Float32Array, start: number, length: number): Float32Array {
  const part = samples.subarray(start, start + length);
  if (part.length === length) return part;
  const padded = new Float32Array(length);
  padded.set(part);
  return padded;
}

/** The model's window in samples: its clip length (3 s when clips are not cut) at its rate. */
export function windowSamples(config: FeatureConfig): number {
  return Math.round((config.clipSeconds ?? 3) * config.sampleRate);
}

/**
 * Classifies mono samples already at the model's rate (`spec.feature.config.sampleRate`). Signals up to 1.5 × the
 * model's window are prepared like the training data (trimmed, centred) and classified once; longer ones are cut into
 * windows with 50% overlap, giving a timeline, and the overall result averages the voiced windows' probabilities.
 * Pure: `predict` runs the model, so Node and the browser share this logic.
 */
export function classifySamples(samples: Float32Array, spec: ClassifierSpec, predict: PredictMatrices): SamplesClassification {
  const config = spec.feature.config;
  const { kind } = spec.feature;
  const labels = spec.labels;
  const window = windowSamples(config);
  const durationSeconds = samples.length / config.sampleRate;
  if (samples.length <= 1.5 * window) {
    const clip = prepareClip(samples, config).samples;
    const probabilities = predict([computeFeatures(clip, kind, config)]);
    return { label: labels[argmax(probabilities)], probabilities: toRecord(labels, probabilities), durationSeconds };
  }
  const hop = Math.floor(window / 2);
  const starts: number[] = [];
  for (let start = 0; start + hop < samples.length || starts.length === 0; start += hop) starts.push(start);
  const energies = starts.map((start) => {
    const part = samples.subarray(start, start + window);
    let sum = 0;
    for (const v of part) sum += v * v;
    return sum / Math.max(1, part.length);
  });
  const loudest = energies.reduce((max, energy) => Math.max(max, energy), 0);
  const timeline: TimelineSegment[] = [];
  const k = labels.length;
  const overall = new Float64Array(k);
  const everyWindow = new Float64Array(k);
  let voicedCount = 0;
  for (let first = 0; first < starts.length; first += WINDOWS_PER_BATCH) {
    const batch = starts.slice(first, first + WINDOWS_PER_BATCH);
    const probabilities = predict(batch.map((start) => computeFeatures(windowAt(samples, start, window), kind, config)));
    batch.forEach((start, i) => {
      const p = probabilities.subarray(i * k, (i + 1) * k);
      const voiced = energies[first + i] > loudest * 1e-4;
      if (voiced) {
        voicedCount++;
        for (let c = 0; c < k; c++) overall[c] += p[c];
      }
      for (let c = 0; c < k; c++) everyWindow[c] += p[c];
      timeline.push({ start: start / config.sampleRate, end: Math.min(samples.length, start + window) / config.sampleRate, label: labels[argmax(p)], probabilities: toRecord(labels, p), voiced });
    });
  }
  // A signal silent throughout has no voiced window: its result averages every window instead.
  if (voicedCount === 0) overall.set(everyWindow);
  for (let c = 0; c < k; c++) overall[c] /= voicedCount || starts.length;
  return { label: labels[argmax(overall)], probabilities: toRecord(labels, overall), durationSeconds, timeline };
}
