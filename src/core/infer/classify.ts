import * as tf from '@tensorflow/tfjs';
import { computeFeatures, prepareClip } from '../audio/features';
import type { FeatureMatrix } from '../audio/matrix';
import { readWav } from '../audio/wav';
import type { ModelBundle } from '../bundle/bundle';
import { argmax } from '../metrics';
import { writeImage } from '../train/data';

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

/** The emotion of a file, with per-label probabilities and, for long files, a timeline. */
export interface Classification {
  readonly file: string;
  readonly label: string;
  readonly probabilities: Readonly<Record<string, number>>;
  readonly durationSeconds: number;
  readonly timeline?: readonly TimelineSegment[];
}

function toRecord(labels: readonly string[], values: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(labels.map((label, i) => [label, values[i]]));
}

/** `length` samples from `start`, zero-padded at the end past the signal. */
function windowAt(samples: Float32Array, start: number, length: number): Float32Array {
  const part = samples.subarray(start, start + length);
  if (part.length === length) return part;
  const padded = new Float32Array(length);
  padded.set(part);
  return padded;
}

/** Class probabilities of feature matrices (each bins × frames as the model expects), in one batch. */
export function predictMatrices(bundle: ModelBundle, matrices: readonly FeatureMatrix[]): Float32Array {
  const [bins, frames] = bundle.meta.inputShape;
  const pixels = bins * frames;
  const x = new Float32Array(matrices.length * pixels);
  matrices.forEach((m, i) => writeImage(m, bundle.meta.normalization, x, i * pixels));
  return tf.tidy(() => (bundle.model.predict(tf.tensor4d(x, [matrices.length, bins, frames, 1])) as tf.Tensor).dataSync() as Float32Array);
}

/**
 * Classifies a WAV file of any length. Clips up to 1.5 × the model's window are prepared like the training data
 * (trimmed, centred) and classified once; longer files are cut into windows with 50% overlap, giving a timeline, and
 * the overall result averages the voiced windows' probabilities.
 */
export function classifyFile(bundle: ModelBundle, file: string): Classification {
  const config = bundle.meta.feature.config;
  const labels = bundle.meta.labels;
  const audio = readWav(file, { targetRate: config.sampleRate });
  const window = Math.round((config.clipSeconds ?? 3) * config.sampleRate);
  const durationSeconds = audio.samples.length / config.sampleRate;
  if (audio.samples.length <= 1.5 * window) {
    const clip = prepareClip(audio.samples, config).samples;
    const probabilities = predictMatrices(bundle, [computeFeatures(clip, bundle.meta.feature.kind, config)]);
    return { file, label: labels[argmax(probabilities)], probabilities: toRecord(labels, probabilities), durationSeconds };
  }
  const hop = Math.floor(window / 2);
  const starts: number[] = [];
  for (let start = 0; start + hop < audio.samples.length || starts.length === 0; start += hop) starts.push(start);
  const energies = starts.map((start) => {
    const part = audio.samples.subarray(start, start + window);
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
  // Batches of 16 windows keep memory flat for hour-long files.
  for (let first = 0; first < starts.length; first += 16) {
    const batch = starts.slice(first, first + 16);
    const matrices = batch.map((start) => computeFeatures(windowAt(audio.samples, start, window), bundle.meta.feature.kind, config));
    const probabilities = predictMatrices(bundle, matrices);
    batch.forEach((start, i) => {
      const p = probabilities.subarray(i * k, (i + 1) * k);
      const voiced = energies[first + i] > loudest * 1e-4;
      if (voiced) {
        voicedCount++;
        for (let c = 0; c < k; c++) overall[c] += p[c];
      }
      for (let c = 0; c < k; c++) everyWindow[c] += p[c];
      timeline.push({ start: start / config.sampleRate, end: Math.min(audio.samples.length, start + window) / config.sampleRate, label: labels[argmax(p)], probabilities: toRecord(labels, p), voiced });
    });
  }
  // A file silent throughout has no voiced window: its result averages every window instead.
  if (voicedCount === 0) overall.set(everyWindow);
  for (let c = 0; c < k; c++) overall[c] /= voicedCount || starts.length;
  return { file, label: labels[argmax(overall)], probabilities: toRecord(labels, overall), durationSeconds, timeline };
}
