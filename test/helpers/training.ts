import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { buildModel } from '../../src/core/models';
import { generateDemoCorpus } from '../../src/core/synth/corpus';
import { initBackend } from '../../src/core/tf/backend';
import type { Architecture } from '../../src/core/train/config';
import { tempDir } from './index';

/** One training step: its loss, every trainable weight's gradient, and the weights it started from. */
export interface ModelStep {
  readonly loss: number;
  readonly gradients: Float32Array[];
  readonly weights: Float32Array[];
}

/**
 * One training step of `arch` on the current backend: `images` (a batch of 4 of `inputShape`) labelled 0, 3, 5 and 7
 * of 8 classes, softmax cross-entropy, starting from `weights` when given (to compare backends on the same model).
 */
export function modelStep(arch: Architecture, inputShape: [number, number, 1], images: Float32Array, weights?: Float32Array[]): ModelStep {
  const model = buildModel(arch, { inputShape, numClasses: 8, seed: 3 });
  try {
    if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
    return tf.tidy(() => {
      const x = tf.tensor4d(images, [4, ...inputShape]);
      const labels = tf.oneHot(tf.tensor1d([0, 3, 5, 7], 'int32'), 8) as tf.Tensor2D;
      const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables);
      return {
        loss: value.dataSync()[0],
        gradients: variables.map((v) => grads[v.name].dataSync() as Float32Array),
        weights: model.getWeights().map((w) => w.dataSync() as Float32Array),
      };
    });
  } finally {
    model.dispose();
  }
}

/** What training tests share: a 4-actor demo corpus and a feature-cache folder, with the wasm backend started. */
export async function wasmTrainingSetup(): Promise<{ corpus: string; cacheDir: string }> {
  const corpus = path.join(tempDir(), 'corpus');
  generateDemoCorpus(corpus, { actors: 4, seed: 3 });
  const cacheDir = path.join(tempDir(), 'cache');
  await initBackend('wasm');
  return { corpus, cacheDir };
}
