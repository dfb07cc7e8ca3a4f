import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../train/config';
import { buildCnn, type ModelOptions } from './cnn';
import { buildResNetBlocks } from './resnetBlocks';
import { buildResNet18, loadPretrainedResNet18 } from './resnet18';

export type { ModelOptions } from './cnn';
export { buildResNet18, loadPretrainedResNet18, resNet18StateDictShapes, setResNet18Weights } from './resnet18';
export { readSafetensors, writeSafetensors } from './safetensors';

/** Adds the softmax `probabilities` output the product expects on top of a logits model (ResNet-18's `fc`). */
function withProbabilities(model: tf.LayersModel, name: string): tf.LayersModel {
  const probabilities = tf.layers.softmax({ name: 'probabilities' }).apply(model.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: probabilities, name });
}

/**
 * Builds an untrained classifier for feature images [bins, frames, 1]: 'cnn', 'cnn-bn', 'resnet-blocks' or 'resnet18'
 * (torchvision layout; with `pretrained`, initialised from ImageNet weights in a .safetensors file).
 * Every model ends in a `logits` dense layer (or `fc`) followed by a softmax layer named `probabilities`.
 */
export function buildModel(arch: Architecture, options: ModelOptions & { pretrained?: string }): tf.LayersModel {
  switch (arch) {
    case 'cnn':
      return buildCnn(options, false);
    case 'cnn-bn':
      return buildCnn(options, true);
    case 'resnet-blocks':
      return buildResNetBlocks(options);
    case 'resnet18': {
      const [height, width, channels] = options.inputShape;
      const base = options.pretrained
        ? loadPretrainedResNet18(options.pretrained, { numClasses: options.numClasses, inputChannels: channels, inputShape: [height, width], seed: options.seed })
        : buildResNet18({ inputShape: [height, width, channels], numClasses: options.numClasses, seed: options.seed });
      return withProbabilities(base, 'resnet18');
    }
    default:
      throw new RangeError(`unknown architecture "${String(arch)}"`);
  }
}
