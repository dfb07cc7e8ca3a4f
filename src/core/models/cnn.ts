import * as tf from '@tensorflow/tfjs';
import { batchNorm, classifierHead, conv, maxPool, relu, SeedSequence } from './layers';

/** Options shared by every architecture. */
export interface ModelOptions {
  /** Input feature image [height = bins, width = frames, channels]. */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Seed of the weight initialisation (default 1). */
  readonly seed?: number;
}

const CNN_FILTERS = [16, 32, 64, 128];

/**
 * The baseline CNN: four blocks of 3×3 convolution (16, 32, 64, 128 filters) + ReLU + 2×2 max-pool, global average
 * pooling, then dropout 0.3 (applied in training) and a softmax classifier. `batchNorm` adds BatchNorm after each
 * convolution (the "cnn-bn" improvement).
 */
export function buildCnn(options: ModelOptions, withBatchNorm = false): tf.LayersModel {
  const seeds = new SeedSequence(options.seed ?? 1);
  const input = tf.input({ shape: [...options.inputShape], name: 'features' });
  let x: tf.SymbolicTensor = input;
  CNN_FILTERS.forEach((filters, i) => {
    const block = `block${i + 1}`;
    x = conv(x, filters, seeds, { name: `${block}_conv`, useBias: !withBatchNorm });
    if (withBatchNorm) x = batchNorm(x, `${block}_bn`);
    x = relu(x, `${block}_relu`);
    x = maxPool(x, `${block}_pool`);
  });
  return tf.model({ inputs: input, outputs: classifierHead(x, options.numClasses, seeds), name: withBatchNorm ? 'cnn-bn' : 'cnn' });
}
