import * as tf from '@tensorflow/tfjs';

/** Hands out distinct, reproducible initialiser seeds for one model. */
export class SeedSequence {
  private next: number;
  constructor(seed: number) {
    this.next = Math.abs(Math.floor(seed)) * 7919 + 1;
  }
  take(): number {
    this.next = (this.next * 48271) % 2147483647;
    return this.next;
  }
}

/** A 3×3 (or k×k) convolution, 'same' padding, He-normal initialisation, optional bias. */
export function conv(
  x: tf.SymbolicTensor,
  filters: number,
  seeds: SeedSequence,
  options: { name: string; kernelSize?: number; strides?: number; useBias?: boolean },
): tf.SymbolicTensor {
  return tf.layers
    .conv2d({
      name: options.name,
      filters,
      kernelSize: options.kernelSize ?? 3,
      strides: options.strides ?? 1,
      padding: 'same',
      useBias: options.useBias ?? true,
      kernelInitializer: tf.initializers.heNormal({ seed: seeds.take() }),
    })
    .apply(x) as tf.SymbolicTensor;
}

/** BatchNorm over channels with PyTorch's defaults (epsilon 1e-5, momentum 0.1 = tfjs 0.9). */
export function batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.batchNormalization({ name, axis: -1, epsilon: 1e-5, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
}

export function relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
}

export function maxPool(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
}

/**
 * The classifier head every architecture shares: global average pooling → `embedding`, a linear `logits` layer, and a
 * softmax `probabilities` output. Training applies dropout between embedding and logits itself (seeded per step).
 */
export function classifierHead(x: tf.SymbolicTensor, numClasses: number, seeds: SeedSequence): tf.SymbolicTensor {
  const embedding = tf.layers.globalAveragePooling2d({ name: 'embedding' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ name: 'logits', units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.take() }) })
    .apply(embedding) as tf.SymbolicTensor;
  return tf.layers.softmax({ name: 'probabilities' }).apply(logits) as tf.SymbolicTensor;
}
