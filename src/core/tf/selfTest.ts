import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../models';

/** What one training step on the current backend gave. */
export interface TrainingStepCheck {
  readonly loss: number;
  readonly seconds: number;
}

/**
 * One Adam step of a small cnn-bn on the current backend (forward, backward, update): proves a newly installed backend
 * trains before it is declared working. Throws when the loss is not a finite number.
 */
export function checkTrainingStep(): TrainingStepCheck {
  const started = Date.now();
  const model = buildModel('cnn-bn', { inputShape: [16, 16, 1], numClasses: 4, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  try {
    const loss = tf.tidy(() => {
      const x = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 2);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4);
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
      return cost!.dataSync()[0];
    });
    if (!Number.isFinite(loss)) throw new Error(`a training step on ${tf.getBackend()} gave the loss ${loss}`);
    return { loss, seconds: (Date.now() - started) / 1000 };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
