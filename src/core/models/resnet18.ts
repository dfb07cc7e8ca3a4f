/**
 * torchvision's ResNet-18 in TensorFlow.js Layers, loadable from torchvision ImageNet weights in `.safetensors`.
 *
 * Every layer that holds weights is named exactly after its torchvision state-dict prefix (`conv1`, `bn1`,
 * `layer2.0.downsample.0`, `fc`; TensorFlow.js accepts dots in names), so `layer1.0.bn2.running_var` is the
 * `moving_variance` weight of layer `layer1.0.bn2`. Layers without weights get names under the same prefixes
 * (`conv1.pad`, `layer1.0.relu1`, `layer1.0.add`). PyTorch pads convolutions and the max-pool symmetrically, so each
 * padded layer is an explicit `zeroPadding2d` followed by a 'valid' layer; zero padding before the max-pool equals
 * PyTorch's −∞ padding because it follows a ReLU.
 */
import * as tf from '@tensorflow/tfjs';
import { FileError, UsageError } from '../errors';
import { readSafetensors, type Float32TensorData } from './safetensors';

/** Architecture options: input size (height, width, channels — NHWC), number of output logits, initialiser seed. */
export interface ResNet18Options {
  inputShape: [number, number, number];
  numClasses: number;
  seed?: number;
}

/** Import options: output logits (default: the file's fc rows), input channels (default: the file's), input size. */
export interface PretrainedResNet18Options {
  numClasses?: number;
  inputChannels?: number;
  inputShape?: [number, number];
  seed?: number;
}

/** How `setResNet18Weights` treats the file: its name for messages, and whether `fc` comes from it (default true). */
export interface SetResNet18WeightsOptions {
  file?: string;
  loadHead?: boolean;
}

/** Filters of torchvision's layer1..layer4. */
const STAGE_FILTERS = [64, 128, 256, 512];

/** The truncated normal TensorFlow.js draws (±2 σ) has 0.7737 of the requested variance; this restores it. */
const TRUNCATED_NORMAL_VARIANCE = 0.7737413;

/** State-dict suffix of each TensorFlow.js weight name. */
const TORCH_SUFFIX: Record<string, string> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

/** Builds torchvision's ResNet-18 (NHWC input, `numClasses` logits) with torchvision's initialisation. */
export function buildResNet18(options: ResNet18Options): tf.LayersModel {
  const { inputShape, numClasses } = options;
  if (!inputShape.every((size) => Number.isInteger(size) && size > 0)) {
    throw new UsageError(`inputShape must be three positive integers, got [${inputShape.join(', ')}]`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new UsageError(`numClasses must be a positive integer, got ${numClasses}`);
  let seed = options.seed;
  const nextSeed = (): number | undefined => (seed === undefined ? undefined : seed++);

  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = convolution(input, 'conv1', 64, 7, 2, nextSeed());
  x = relu(batchNorm(x, 'bn1'), 'relu');
  x = tf.layers.zeroPadding2d({ name: 'maxpool.pad', padding: 1 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  STAGE_FILTERS.forEach((filters, stage) => {
    x = basicBlock(x, `layer${stage + 1}.0`, filters, stage === 0 ? 1 : 2, nextSeed);
    x = basicBlock(x, `layer${stage + 1}.1`, filters, 1, nextSeed);
  });
  x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tf.SymbolicTensor;
  const limit = 1 / Math.sqrt(STAGE_FILTERS[3]);
  const logits = tf.layers
    .dense({
      name: 'fc',
      units: numClasses,
      kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: nextSeed() }),
      biasInitializer: tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: nextSeed() }),
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'resnet18' });
}

/**
 * Reads a torchvision ResNet-18 state dict from `.safetensors` and returns the model with those weights. A 1-channel
 * model from a 3-channel file gets conv1 summed over its input channels; a `numClasses` other than the file's fc
 * gets a freshly initialised head. Throws FileError for a malformed file or a missing or mis-shaped tensor.
 */
export function loadPretrainedResNet18(safetensorsPath: string, options: PretrainedResNet18Options = {}): tf.LayersModel {
  const tensors = readSafetensors(safetensorsPath);
  const stem = requireTensor(tensors, 'conv1.weight', safetensorsPath);
  const inputChannels = options.inputChannels ?? stem.shape[1];
  if (!Number.isInteger(inputChannels) || inputChannels < 1) {
    throw new UsageError(`inputChannels must be a positive integer, got ${inputChannels}`);
  }
  const fileClasses = tensors.get('fc.weight')?.shape[0];
  const numClasses = options.numClasses ?? fileClasses ?? requireTensor(tensors, 'fc.weight', safetensorsPath).shape[0];
  const [height, width] = options.inputShape ?? [224, 224];
  const model = buildResNet18({ inputShape: [height, width, inputChannels], numClasses, seed: options.seed });
  try {
    setResNet18Weights(model, tensors, { file: safetensorsPath, loadHead: numClasses === fileClasses });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * Copies torchvision state-dict tensors into a model from `buildResNet18`: conv OIHW → HWIO, fc [out, in] → [in, out],
 * BN weight/bias/running_mean/running_var → gamma/beta/moving_mean/moving_variance; `num_batches_tracked` is ignored.
 * Every tensor is checked before any weight changes; a problem throws FileError naming the tensor and both shapes.
 */
export function setResNet18Weights(
  model: tf.LayersModel,
  tensors: Map<string, Float32TensorData>,
  options: SetResNet18WeightsOptions = {},
): void {
  const file = options.file ?? '(state dict)';
  const loadHead = options.loadHead ?? true;
  const expected = resNet18StateDictShapes(model);
  for (const name of tensors.keys()) {
    const known = expected.has(name) || name.endsWith('.num_batches_tracked') || (!loadHead && name.startsWith('fc.'));
    if (!known) throw new FileError(file, `unexpected tensor "${name}": not part of torchvision's ResNet-18`);
  }
  const plans: Array<{ layer: tf.layers.Layer; values: Array<{ data: Float32Array; shape: number[]; sumChannels: boolean }> }> = [];
  for (const layer of weightLayers(model)) {
    if (!loadHead && layer.name === 'fc') continue;
    const values = layer.weights.map((weight) => {
      const name = torchName(layer.name, weight.originalName);
      const want = expected.get(name)!;
      const tensor = requireTensor(tensors, name, file, want);
      const sumChannels = name === 'conv1.weight' && want[1] === 1 && tensor.shape[1] > 1;
      const comparable = sumChannels ? [tensor.shape[0], 1, ...tensor.shape.slice(2)] : tensor.shape;
      if (comparable.length !== want.length || comparable.some((size, axis) => size !== want[axis])) {
        throw new FileError(file, `tensor "${name}" has shape [${tensor.shape.join(', ')}] but the model expects [${want.join(', ')}]`);
      }
      return { data: tensor.data, shape: tensor.shape, sumChannels };
    });
    plans.push({ layer, values });
  }
  tf.tidy(() => {
    for (const { layer, values } of plans) {
      layer.setWeights(values.map((value) => toTfjsLayout(tf.tensor(value.data, value.shape, 'float32'), value.sumChannels)));
    }
  });
}

/** The torchvision state-dict names (without `num_batches_tracked`) and PyTorch shapes of a `buildResNet18` model. */
export function resNet18StateDictShapes(model: tf.LayersModel): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const layer of weightLayers(model)) {
    for (const weight of layer.weights) {
      const shape = weight.shape as number[];
      const torchShape =
        shape.length === 4 ? [shape[3], shape[2], shape[0], shape[1]] : shape.length === 2 ? [shape[1], shape[0]] : [...shape];
      shapes.set(torchName(layer.name, weight.originalName), torchShape);
    }
  }
  return shapes;
}

/** Layers that hold weights, in model order. */
function weightLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((layer) => layer.weights.length > 0);
}

/** `layer1.0.bn1` + `layer1.0.bn1/moving_variance` → `layer1.0.bn1.running_var`. */
function torchName(layerName: string, weightName: string): string {
  const short = weightName.slice(weightName.lastIndexOf('/') + 1);
  const suffix = TORCH_SUFFIX[short];
  if (suffix === undefined) throw new Error(`layer ${layerName}: weight ${weightName} has no torchvision counterpart`);
  return `${layerName}.${suffix}`;
}

/** The named tensor, or FileError saying it is missing (with the shape the model expects, when known). */
function requireTensor(tensors: Map<string, Float32TensorData>, name: string, file: string, want?: number[]): Float32TensorData {
  const tensor = tensors.get(name);
  if (tensor === undefined) {
    throw new FileError(file, `missing tensor "${name}"${want ? ` (the model expects shape [${want.join(', ')}])` : ''}`);
  }
  return tensor;
}

/** A PyTorch-layout tensor in TensorFlow.js layout (conv OIHW → HWIO, dense [out, in] → [in, out]), conv1 optionally summed over input channels. */
function toTfjsLayout(tensor: tf.Tensor, sumChannels: boolean): tf.Tensor {
  if (tensor.rank === 4) return tf.transpose(sumChannels ? tf.sum(tensor, 1, true) : tensor, [2, 3, 1, 0]);
  if (tensor.rank === 2) return tf.transpose(tensor, [1, 0]);
  return tensor;
}

/** torchvision's BasicBlock: conv3×3(stride)-BN-ReLU-conv3×3-BN, plus the identity or a 1×1 conv-BN downsample. */
function basicBlock(
  x: tf.SymbolicTensor,
  prefix: string,
  filters: number,
  stride: number,
  nextSeed: () => number | undefined,
): tf.SymbolicTensor {
  let y = convolution(x, `${prefix}.conv1`, filters, 3, stride, nextSeed());
  y = relu(batchNorm(y, `${prefix}.bn1`), `${prefix}.relu1`);
  y = batchNorm(convolution(y, `${prefix}.conv2`, filters, 3, 1, nextSeed()), `${prefix}.bn2`);
  let shortcut = x;
  if (stride !== 1 || x.shape[3] !== filters) {
    shortcut = batchNorm(convolution(x, `${prefix}.downsample.0`, filters, 1, stride, nextSeed()), `${prefix}.downsample.1`);
  }
  const sum = tf.layers.add({ name: `${prefix}.add` }).apply([y, shortcut]) as tf.SymbolicTensor;
  return relu(sum, `${prefix}.relu2`);
}

/** A bias-free k×k convolution with PyTorch's symmetric padding (k − 1) / 2, He-normal (fan-out) initialised. */
function convolution(
  x: tf.SymbolicTensor,
  name: string,
  filters: number,
  kernelSize: number,
  stride: number,
  seed: number | undefined,
): tf.SymbolicTensor {
  const padding = (kernelSize - 1) / 2;
  const padded = padding > 0 ? (tf.layers.zeroPadding2d({ name: `${name}.pad`, padding }).apply(x) as tf.SymbolicTensor) : x;
  return tf.layers
    .conv2d({
      name,
      filters,
      kernelSize,
      strides: stride,
      padding: 'valid',
      useBias: false,
      kernelInitializer: tf.initializers.varianceScaling({
        scale: 2 / TRUNCATED_NORMAL_VARIANCE,
        mode: 'fanOut',
        distribution: 'normal',
        seed,
      }),
    })
    .apply(padded) as tf.SymbolicTensor;
}

/** BatchNorm over channels with PyTorch's epsilon 1e-5 and momentum 0.1 (TensorFlow.js momentum 0.9). */
function batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.batchNormalization({ name, axis: -1, epsilon: 1e-5, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
}

/** A ReLU layer. */
function relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
}
