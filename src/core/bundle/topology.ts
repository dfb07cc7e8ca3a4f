import { FileError } from '../errors';

/**
 * Checks a Layers-format model topology (`model.json`'s `modelTopology`) before TensorFlow.js builds anything from it:
 * a model file is data, so only the layer and initialiser classes our architectures use are accepted, every size in
 * a layer's configuration is bounded, and the weights the layers would create must be exactly those the weights
 * manifest declares (which is capped in size). A hostile file is refused with a FileError naming it, before any
 * tensor is allocated.
 */

/** Keras layer classes of the product's architectures (cnn, cnn-bn, resnet-blocks, resnet18). */
export const LAYER_CLASSES: readonly string[] = [
  'InputLayer',
  'Conv2D',
  'BatchNormalization',
  'ReLU',
  'MaxPooling2D',
  'ZeroPadding2D',
  'Add',
  'GlobalAveragePooling2D',
  'Dense',
  'Softmax',
];

/** Weight initialiser classes a layer's configuration may name (stateless; run once when the model is built). */
export const INITIALIZER_CLASSES: readonly string[] = [
  'Zeros',
  'Ones',
  'Constant',
  'RandomUniform',
  'RandomNormal',
  'TruncatedNormal',
  'VarianceScaling',
  'GlorotUniform',
  'GlorotNormal',
  'HeNormal',
  'HeUniform',
  'LeCunNormal',
  'LeCunUniform',
];

/** Activation names a layer may use (looked up by name in TensorFlow.js; nothing else is callable). */
const ACTIVATIONS: readonly string[] = ['linear', 'relu', 'softmax', 'sigmoid', 'tanh'];

/** Bounds of the numbers in a layer's configuration. */
export const TOPOLOGY_LIMITS = {
  layers: 2000,
  /** Nesting depth and number of values in the whole topology. */
  depth: 24,
  values: 500_000,
  nameLength: 256,
  /** Input [height, width, channels]: each side, and the channels. */
  inputSide: 1 << 20,
  inputCells: 1 << 24,
  inputChannels: 16,
  filters: 4096,
  units: 65_536,
  kernelSize: 15,
  strides: 15,
  dilation: 8,
  poolSize: 15,
  padding: 64,
  /** Parameters of all layers together: 2 GiB of float32. */
  parameters: (2 * 1024 ** 3) / 4,
} as const;

/** A weights-manifest entry as `model.json` lists it. */
export interface ManifestWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks every value: bounded depth and size, finite numbers, no prototype keys, known class names where they appear. */
function checkValues(topology: unknown, fail: (problem: string) => never): void {
  let values = 0;
  const visit = (value: unknown, depth: number, role: 'model' | 'layer' | 'other'): void => {
    if (++values > TOPOLOGY_LIMITS.values) fail(`has more than ${TOPOLOGY_LIMITS.values} values in its topology`);
    if (depth > TOPOLOGY_LIMITS.depth) fail(`nests its topology deeper than ${TOPOLOGY_LIMITS.depth} levels`);
    if (typeof value === 'number' && !Number.isFinite(value)) fail('has a number that is not finite in its topology');
    if (typeof value === 'string' && value.length > 4096) fail('has a string longer than 4096 characters in its topology');
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1, role === 'model' ? 'other' : role);
      return;
    }
    if (!isObject(value)) return;
    const className = value.class_name;
    if (className !== undefined) {
      const allowed = role === 'model' ? ['Model'] : role === 'layer' ? LAYER_CLASSES : INITIALIZER_CLASSES;
      if (typeof className !== 'string' || !allowed.includes(className)) {
        fail(`uses ${role === 'layer' ? 'layer' : role === 'model' ? 'model' : 'class'} ${JSON.stringify(String(className).slice(0, 64))}, which Voice Emotion models do not contain`);
      }
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) fail(`has a "${key}" key in its topology`);
      const child = value[key];
      // Layers sit in model.config.layers; everything below a layer's class is configuration.
      const childRole = role === 'model' && key === 'config' ? 'model' : role === 'model' && key === 'layers' ? 'layer' : 'other';
      visit(child, depth + 1, childRole);
    }
  };
  visit(topology, 0, 'model');
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A size given as one integer or a pair (kernel_size, strides, pool_size, dilation_rate): both values, each in range. */
function pairIn(value: unknown, min: number, max: number): [number, number] | undefined {
  const pair = Array.isArray(value) ? value : [value, value];
  return pair.length === 2 && integerIn(pair[0], min, max) && integerIn(pair[1], min, max) ? [pair[0], pair[1]] : undefined;
}

/** ZeroPadding2D's padding: n, [h, w] or [[top, bottom], [left, right]], each in range. */
function paddingIn(value: unknown, max: number): boolean {
  if (integerIn(value, 0, max)) return true;
  if (!Array.isArray(value) || value.length !== 2) return false;
  return value.every((side) => integerIn(side, 0, max) || (Array.isArray(side) && side.length === 2 && side.every((n) => integerIn(n, 0, max))));
}

/** The weights a layer creates: name → shape. */
type LayerWeights = Array<[string, number[]]>;

/** Channels of each layer's output, and the weights it creates, by layer class. */
function layerShape(className: string, name: string, config: Json, inputs: readonly number[], fail: (problem: string) => never): { channels: number; weights: LayerWeights } {
  const limits = TOPOLOGY_LIMITS;
  const bad: (field: string) => never = (field) => fail(`layer "${name}" has an invalid ${field}`);
  const single = (): number => {
    if (inputs.length !== 1) fail(`layer "${name}" must have exactly one input`);
    return inputs[0];
  };
  const bool = (field: string, fallback: boolean): boolean => {
    const value = config[field] ?? fallback;
    if (typeof value !== 'boolean') bad(field);
    return value as boolean;
  };
  const activation = () => {
    if (config.activation !== undefined && config.activation !== null && !ACTIVATIONS.includes(config.activation as string)) bad('activation');
  };
  const padding = () => {
    if (config.padding !== undefined && config.padding !== 'same' && config.padding !== 'valid') bad('padding');
  };
  const channelsLast = () => {
    if (config.data_format !== undefined && config.data_format !== 'channels_last') bad('data_format');
  };
  switch (className) {
    case 'Conv2D': {
      const channels = single();
      const filters = config.filters;
      if (!integerIn(filters, 1, limits.filters)) bad('number of filters');
      const kernel = pairIn(config.kernel_size, 1, limits.kernelSize) ?? bad('kernel_size');
      if (!pairIn(config.strides ?? 1, 1, limits.strides)) bad('strides');
      if (!pairIn(config.dilation_rate ?? 1, 1, limits.dilation)) bad('dilation_rate');
      padding();
      channelsLast();
      activation();
      const weights: LayerWeights = [[`${name}/kernel`, [kernel[0], kernel[1], channels, filters]]];
      if (bool('use_bias', true)) weights.push([`${name}/bias`, [filters]]);
      return { channels: filters, weights };
    }
    case 'Dense': {
      const channels = single();
      const units = config.units;
      if (!integerIn(units, 1, limits.units)) bad('number of units');
      activation();
      const weights: LayerWeights = [[`${name}/kernel`, [channels, units]]];
      if (bool('use_bias', true)) weights.push([`${name}/bias`, [units]]);
      return { channels: units, weights };
    }
    case 'BatchNormalization': {
      const channels = single();
      if (config.axis !== undefined && config.axis !== -1 && config.axis !== 3) bad('axis');
      if (config.epsilon !== undefined && !(typeof config.epsilon === 'number' && config.epsilon > 0 && config.epsilon <= 1)) bad('epsilon');
      if (config.momentum !== undefined && !(typeof config.momentum === 'number' && config.momentum >= 0 && config.momentum <= 1)) bad('momentum');
      const weights: LayerWeights = [];
      if (bool('scale', true)) weights.push([`${name}/gamma`, [channels]]);
      if (bool('center', true)) weights.push([`${name}/beta`, [channels]]);
      weights.push([`${name}/moving_mean`, [channels]], [`${name}/moving_variance`, [channels]]);
      return { channels, weights };
    }
    case 'MaxPooling2D':
      if (!pairIn(config.pool_size ?? 2, 1, limits.poolSize)) bad('pool_size');
      if (config.strides !== undefined && config.strides !== null && !pairIn(config.strides, 1, limits.strides)) bad('strides');
      padding();
      channelsLast();
      return { channels: single(), weights: [] };
    case 'ZeroPadding2D':
      if (!paddingIn(config.padding ?? 1, limits.padding)) bad('padding');
      channelsLast();
      return { channels: single(), weights: [] };
    case 'ReLU':
      if (config.max_value !== undefined && config.max_value !== null && typeof config.max_value !== 'number') bad('max_value');
      return { channels: single(), weights: [] };
    case 'GlobalAveragePooling2D':
      channelsLast();
      return { channels: single(), weights: [] };
    case 'Softmax':
      if (config.axis !== undefined && !integerIn(config.axis, -4, 4)) bad('axis');
      return { channels: single(), weights: [] };
    case 'Add':
      if (inputs.length < 2 || inputs.some((c) => c !== inputs[0])) fail(`layer "${name}" must add at least two inputs of the same number of channels`);
      return { channels: inputs[0], weights: [] };
    default:
      return fail(`uses layer "${className}", which Voice Emotion models do not contain`);
  }
}

/** The input layer's channels, after checking its shape [null, height, width, channels]. */
function inputChannels(name: string, config: Json, fail: (problem: string) => never): number {
  const shape = config.batch_input_shape;
  const limits = TOPOLOGY_LIMITS;
  if (!Array.isArray(shape) || shape.length !== 4 || shape[0] !== null) fail(`input "${name}" must have the shape [batch, height, width, channels]`);
  const [, height, width, channels] = shape as unknown[];
  const side = (value: unknown) => value === null || integerIn(value, 1, limits.inputSide);
  if (!side(height) || !side(width) || !integerIn(channels, 1, limits.inputChannels)) fail(`input "${name}" has an invalid shape`);
  if (typeof height === 'number' && typeof width === 'number' && height * width > limits.inputCells) fail(`input "${name}" is larger than ${limits.inputCells} cells`);
  if (config.dtype !== undefined && config.dtype !== 'float32') fail(`input "${name}" must be float32`);
  return channels as number;
}

/** The layers an inbound node names, each an earlier layer's only output ([[name, 0, 0, kwargs], …]). */
function inboundLayers(layer: Json, name: string, fail: (problem: string) => never): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length !== 1 || !Array.isArray(nodes[0]) || nodes[0].length === 0 || nodes[0].length > 16) {
    fail(`layer "${name}" must be applied exactly once, to 1–16 inputs`);
  }
  return (nodes[0] as unknown[]).map((entry) => {
    if (!Array.isArray(entry) || entry.length < 3 || entry.length > 4 || typeof entry[0] !== 'string' || entry[1] !== 0 || entry[2] !== 0) {
      fail(`layer "${name}" has an invalid input reference`);
    }
    if (entry.length === 4 && !(isObject(entry[3]) && Object.keys(entry[3]).length === 0)) fail(`layer "${name}" passes arguments to its input`);
    return entry[0] as string;
  });
}

/** One model input or output reference: [[name, 0, 0]]. */
function endpointName(value: unknown, what: string, fail: (problem: string) => never): string {
  if (!Array.isArray(value) || value.length !== 1 || !Array.isArray(value[0]) || typeof value[0][0] !== 'string' || value[0][1] !== 0 || value[0][2] !== 0) {
    fail(`must have exactly one ${what}`);
  }
  return (value as [[string]])[0][0];
}

/**
 * Checks `topology` (from `file`) and that its layers create exactly the weights `manifest` declares, with the same
 * shapes, within {@link TOPOLOGY_LIMITS}. Throws a FileError naming `file` at the first problem; allocates nothing.
 */
export function checkModelTopology(topology: unknown, manifest: readonly ManifestWeight[], file: string): void {
  const fail: (problem: string) => never = (problem) => {
    throw new FileError(file, problem);
  };
  checkValues(topology, fail);
  if (!isObject(topology) || topology.class_name !== 'Model' || !isObject(topology.config)) fail('has no functional model topology');
  const config = (topology as Json).config as Json;
  const layers = config.layers;
  if (!Array.isArray(layers) || layers.length === 0 || layers.length > TOPOLOGY_LIMITS.layers) fail(`must have 1 to ${TOPOLOGY_LIMITS.layers} layers`);
  const channels = new Map<string, number>();
  const expected = new Map<string, number[]>();
  let parameters = 0;
  for (const layer of layers as unknown[]) {
    if (!isObject(layer) || !isObject(layer.config)) fail('has a layer without a configuration');
    const { class_name: className, name, config: layerConfig } = layer as Json;
    if (typeof name !== 'string' || name.length === 0 || name.length > TOPOLOGY_LIMITS.nameLength) fail('has a layer without a valid name');
    const layerName = name as string;
    if (channels.has(layerName)) fail(`has two layers named "${layerName}"`);
    let out: { channels: number; weights: LayerWeights };
    if (className === 'InputLayer') {
      if (!Array.isArray((layer as Json).inbound_nodes) || ((layer as Json).inbound_nodes as unknown[]).length !== 0) fail(`input "${layerName}" cannot have inputs`);
      out = { channels: inputChannels(layerName, layerConfig as Json, fail), weights: [] };
    } else {
      const inputs = inboundLayers(layer as Json, layerName, fail).map((input) => channels.get(input) ?? fail(`layer "${layerName}" uses "${input.slice(0, 64)}", which is not an earlier layer`));
      out = layerShape(String(className), layerName, layerConfig as Json, inputs, fail);
    }
    channels.set(layerName, out.channels);
    for (const [weight, shape] of out.weights) {
      parameters += shape.reduce((a, b) => a * b, 1);
      if (parameters > TOPOLOGY_LIMITS.parameters) fail('has layers with more than 2 GiB of weights');
      expected.set(weight, shape);
    }
  }
  const input = endpointName(config.input_layers, 'input', fail);
  const output = endpointName(config.output_layers, 'output', fail);
  if (!channels.has(input) || !channels.has(output)) fail('names an input or output layer it does not have');
  if (manifest.length !== expected.size) fail(`declares ${manifest.length} weights but its layers have ${expected.size}`);
  for (const weight of manifest) {
    if (!isObject(weight) || typeof weight.name !== 'string' || !Array.isArray(weight.shape)) fail('has an invalid weights manifest entry');
    const shape = expected.get(weight.name);
    if (!shape) fail(`declares weight "${weight.name.slice(0, 64)}", which no layer has`);
    if (weight.dtype !== 'float32' || shape!.length !== weight.shape.length || shape!.some((d, i) => d !== weight.shape[i])) {
      fail(`declares weight "${weight.name.slice(0, 64)}" as ${weight.dtype} [${weight.shape.join(', ')}] but its layer makes float32 [${shape!.join(', ')}]`);
    }
  }
}
