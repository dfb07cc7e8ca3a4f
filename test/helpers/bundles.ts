import type * as tf from '@tensorflow/tfjs';
import type { FeatureConfig } from '../../src/core/audio/config';
import { saveBundle } from '../../src/core/bundle/bundle';
import type { Architecture } from '../../src/core/train/config';
import { DEFAULT_TRAIN_CONFIG } from '../../src/core/train/config';

/** What a test bundle needs besides the model: the rest of emotion.json is filled with neutral values. */
export interface TestBundleOptions {
  readonly arch: Architecture;
  readonly labels: readonly string[];
  readonly config: FeatureConfig;
  readonly inputShape: [number, number, number];
  /** Names the made-up split and dataset in emotion.json. */
  readonly purpose: string;
  readonly datasetRoot: string;
  /** Per-bin mean and standard deviation (default: mean −40 dB, std 10 dB in every bin). */
  readonly normalization?: { readonly mean: number[]; readonly std: number[] };
}

/** Saves `model` as a model folder with log-mel features and the given (else a fixed) normalisation, for tests. */
export async function saveTestBundle(dir: string, model: tf.LayersModel, options: TestBundleOptions): Promise<void> {
  const bins = options.inputShape[0];
  await saveBundle(dir, model, {
    labels: [...options.labels],
    feature: { kind: 'logmel', config: options.config },
    inputShape: options.inputShape,
    normalization: options.normalization ?? { mean: new Array(bins).fill(-40), std: new Array(bins).fill(10) },
    arch: options.arch,
    training: DEFAULT_TRAIN_CONFIG,
    split: { kind: 'actors', description: options.purpose, speakerLeakage: false, seed: 1, speakers: { train: [], validation: [], test: [] }, train: [], validation: [], test: [] },
    history: [],
    bestEpoch: 0,
    metrics: {},
    backend: { name: 'cpu', tfBackend: 'cpu', skipped: [] },
    dataset: { root: options.datasetRoot, corpus: 'ravdess', files: 0, fingerprint: options.purpose },
  });
}
