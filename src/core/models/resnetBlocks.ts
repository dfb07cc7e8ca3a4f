import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from './cnn';
import { batchNorm, classifierHead, conv, maxPool, relu, SeedSequence } from './layers';

/** A basic residual block: two 3×3 conv+BN, identity shortcut or 1×1 projection when the shape changes. */
function basicBlock(x: tf.SymbolicTensor, filters: number, strides: number, name: string, seeds: SeedSequence): tf.SymbolicTensor {
  let y = conv(x, filters, seeds, { name: `${name}_conv1`, strides, useBias: false });
  y = batchNorm(y, `${name}_bn1`);
  y = relu(y, `${name}_relu1`);
  y = conv(y, filters, seeds, { name: `${name}_conv2`, useBias: false });
  y = batchNorm(y, `${name}_bn2`);
  let shortcut = x;
  const channels = x.shape[x.shape.length - 1];
  if (strides !== 1 || channels !== filters) {
    shortcut = conv(x, filters, seeds, { name: `${name}_proj`, kernelSize: 1, strides, useBias: false });
    shortcut = batchNorm(shortcut, `${name}_proj_bn`);
  }
  const sum = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
  return relu(sum, `${name}_out`);
}

/**
 * A small residual network: a 3×3 stem (32 filters, BN, ReLU, 2×2 max-pool), then three stages of two basic blocks
 * with 32, 64 and 128 filters (stages 2 and 3 halve the resolution), global average pooling and the classifier.
 */
export function buildResNetBlocks(options: ModelOptions): tf.LayersModel {
  const seeds = new SeedSequence(options.seed ?? 1);
  const input = tf.input({ shape: [...options.inputShape], name: 'features' });
  let x = conv(input, 32, seeds, { name: 'stem_conv', useBias: false });
  x = batchNorm(x, 'stem_bn');
  x = relu(x, 'stem_relu');
  x = maxPool(x, 'stem_pool');
  [32, 64, 128].forEach((filters, stage) => {
    for (let block = 0; block < 2; block++) {
      x = basicBlock(x, filters, stage > 0 && block === 0 ? 2 : 1, `stage${stage + 1}_block${block + 1}`, seeds);
    }
  });
  return tf.model({ inputs: input, outputs: classifierHead(x, options.numClasses, seeds), name: 'resnet-blocks' });
}
