import * as tf from '@tensorflow/tfjs';
import { resolveFeatureConfig, type FeatureConfig, type FeatureKind } from '../audio/config';
import { fixLength } from '../audio/effects';
import { computeFeatures } from '../audio/features';
import type { FeatureMatrix } from '../audio/matrix';
import { augmentFeatures, augmentWaveform } from '../augment/apply';
import { hasWaveformSteps, type AugmentPlan } from '../augment/plan';
import { sampleMixupLambda } from '../augment/mixup';
import { readCacheEntry } from '../cache/entry';
import type { CachedExample } from '../cache/preprocess';
import type { DatasetSplit } from '../dataset/split';
import { Random } from '../random';

/** One example in memory: features (time-major, dB or coefficients), optionally the clip, and its class index. */
export interface Example {
  readonly id: string;
  readonly label: number;
  readonly copy: number;
  readonly features: FeatureMatrix;
  /** Prepared clip at the feature rate (kept only when waveform augmentation runs on the fly). */
  readonly clip?: Float32Array;
}

/** Per-bin standardisation statistics, computed on the training originals and saved with the model. */
export interface Normalization {
  readonly mean: number[];
  readonly std: number[];
}

/** The examples of each part of a split, with what a model needs to know about them. */
export interface TrainingData {
  readonly labels: readonly string[];
  readonly bins: number;
  readonly frames: number;
  readonly kind: FeatureKind;
  readonly config: FeatureConfig;
  readonly train: readonly Example[];
  readonly validation: readonly Example[];
  readonly test: readonly Example[];
  readonly normalization: Normalization;
}

/** Loads cached examples of a split into memory; augmented copies only join training. */
export function loadTrainingData(
  examples: readonly CachedExample[],
  split: DatasetSplit,
  labels: readonly string[],
  options: { kind: FeatureKind; config: FeatureConfig; keepClips: boolean },
): TrainingData {
  const part = new Map<string, 'train' | 'validation' | 'test'>();
  for (const name of ['train', 'validation', 'test'] as const) for (const id of split[name]) part.set(id, name);
  const out = { train: [] as Example[], validation: [] as Example[], test: [] as Example[] };
  let shape: [number, number] | undefined;
  for (const cached of examples) {
    const where = part.get(cached.id);
    if (!where || (where !== 'train' && cached.copy > 0)) continue;
    const label = labels.indexOf(cached.label);
    if (label < 0) continue;
    const entry = readCacheEntry(cached.file);
    const { bins, frames } = entry.features;
    shape ??= [bins, frames];
    if (bins !== shape[0] || frames !== shape[1]) throw new Error(`${cached.id}: features are ${bins}×${frames}, others ${shape[0]}×${shape[1]}`);
    out[where].push({ id: cached.id, label, copy: cached.copy, features: entry.features, clip: options.keepClips && cached.copy === 0 ? entry.clip : undefined });
  }
  if (!shape || out.train.length === 0) throw new Error('no training examples: check the split and the cache');
  return { labels, bins: shape[0], frames: shape[1], kind: options.kind, config: resolveFeatureConfig(options.config), ...out, normalization: computeNormalization(out.train.filter((e) => e.copy === 0), shape[0]) };
}

/** Mean and standard deviation of each bin over every frame of the given examples. */
export function computeNormalization(examples: readonly Example[], bins: number): Normalization {
  const sum = new Float64Array(bins);
  const sumSquares = new Float64Array(bins);
  let count = 0;
  for (const { features } of examples) {
    for (let t = 0; t < features.frames; t++) {
      for (let b = 0; b < bins; b++) {
        const v = features.data[t * bins + b];
        sum[b] += v;
        sumSquares[b] += v * v;
      }
    }
    count += features.frames;
  }
  const mean = Array.from(sum, (s) => s / Math.max(1, count));
  const std = Array.from(sumSquares, (s, b) => Math.sqrt(Math.max(1e-8, s / Math.max(1, count) - mean[b] ** 2)));
  return { mean, std };
}

/** Writes one matrix, standardised, into a [bins, frames, 1] image at `offset` of `out` (height = bins, width = frames). */
export function writeImage(features: FeatureMatrix, normalization: Normalization, out: Float32Array, offset: number): void {
  const { bins, frames, data } = features;
  for (let b = 0; b < bins; b++) {
    const mean = normalization.mean[b];
    const scale = 1 / normalization.std[b];
    const row = offset + b * frames;
    for (let t = 0; t < frames; t++) out[row + t] = (data[t * bins + b] - mean) * scale;
  }
}

/** A batch ready for the model. */
export interface Batch {
  readonly x: tf.Tensor4D;
  /** One-hot (or mixed) targets. */
  readonly y: tf.Tensor2D;
  /** Per-example loss weights. */
  readonly weights: tf.Tensor1D;
  readonly size: number;
}

/** How a training batch is augmented. */
export interface BatchAugmentation {
  readonly plan?: AugmentPlan;
  readonly random: Random;
  readonly noiseBank?: readonly Float32Array[];
}

/** Assembles a batch from examples; with augmentation, recomputes features from augmented clips and masks them. */
export function makeBatch(
  examples: readonly Example[],
  data: TrainingData,
  classWeights: readonly number[] | undefined,
  augmentation?: BatchAugmentation,
): Batch {
  const { bins, frames } = data;
  const size = examples.length;
  const k = data.labels.length;
  const x = new Float32Array(size * bins * frames);
  const y = new Float32Array(size * k);
  const w = new Float32Array(size);
  examples.forEach((example, i) => {
    let features = example.features;
    const plan = augmentation?.plan;
    if (plan && augmentation) {
      if (example.clip && hasWaveformSteps(plan)) {
        const clip = augmentWaveform(example.clip, data.config.sampleRate, plan, augmentation.random, augmentation.noiseBank);
        features = computeFeatures(fixLength(clip, example.clip.length), data.kind, data.config);
      }
      if (plan.specaugment) features = augmentFeatures(features, plan, augmentation.random);
    }
    writeImage(features, data.normalization, x, i * bins * frames);
    y[i * k + example.label] = 1;
    w[i] = classWeights ? classWeights[example.label] : 1;
  });
  const mixup = augmentation?.plan?.mixup;
  if (mixup && augmentation && size > 1 && augmentation.random.next() < mixup.p) {
    mixBatch(x, y, w, size, bins * frames, k, sampleMixupLambda(mixup.alpha, augmentation.random), augmentation.random);
  }
  return { x: tf.tensor4d(x, [size, bins, frames, 1]), y: tf.tensor2d(y, [size, k]), weights: tf.tensor1d(w), size };
}

/** Mixup inside a batch: each example blends with a random partner, λ · own + (1 − λ) · partner (labels likewise). */
function mixBatch(x: Float32Array, y: Float32Array, w: Float32Array, size: number, pixels: number, k: number, lambda: number, random: Random): void {
  const partner = random.shuffle(Array.from({ length: size }, (_, i) => i));
  const x0 = x.slice();
  const y0 = y.slice();
  const w0 = w.slice();
  for (let i = 0; i < size; i++) {
    const p = partner[i];
    for (let j = 0; j < pixels; j++) x[i * pixels + j] = lambda * x0[i * pixels + j] + (1 - lambda) * x0[p * pixels + j];
    for (let c = 0; c < k; c++) y[i * k + c] = lambda * y0[i * k + c] + (1 - lambda) * y0[p * k + c];
    w[i] = lambda * w0[i] + (1 - lambda) * w0[p];
  }
}
