import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { computeFeatures, prepareClip } from '../audio/features';
import { toBinsMajor, type FeatureMatrix } from '../audio/matrix';
import { PROSODY_ROWS } from '../audio/prosody';
import { readWav } from '../audio/wav';
import type { ModelBundle } from '../bundle/bundle';
import { CancelledError, FileError, UsageError } from '../errors';
import { writeImage } from '../train/data';
import type { Explanation, ExplanationMethod } from '../../shared/explanation';
import { EXPLANATION_METHODS } from '../../shared/explanation';
import { checkInputShape, predictMatrices } from './classify';
import { heatRegions, type HeatMap } from './heatRegions';
import { classifySamples, windowAt, windowSamples } from './timeline';

export type { Explanation, ExplanationMethod, ExplainedRegion } from '../../shared/explanation';
export { EXPLANATION_METHODS } from '../../shared/explanation';
export { heatRegions, type HeatMap } from './heatRegions';

/** How {@link explainFile} explains. */
export interface ExplainOptions {
  /** Grad-CAM (default) or occlusion. */
  readonly method?: ExplanationMethod;
  /** The emotion to explain; default: the predicted one. */
  readonly label?: string;
  /** Occlusion patch in bins × frames (default about an eighth of each axis); patches overlap by half. */
  readonly patch?: { readonly bins?: number; readonly frames?: number };
  /** Grad-CAM: the layer whose feature map is weighted (default: the last one before global pooling). */
  readonly targetLayer?: string;
  /** Stops occlusion between batches (rejects with CancelledError). */
  readonly signal?: AbortSignal;
}

type Layer = tf.LayersModel['layers'][number];

/** A model cut for Grad-CAM: the sub-model up to the last feature map, and the chain of layers from there to the scores. */
interface GradCamSplit {
  readonly target: Layer;
  readonly features: tf.LayersModel;
  readonly head: readonly Layer[];
  readonly score: 'logit' | 'probability';
}

/** Each model's Grad-CAM splits, by target layer ('' for the default one). */
const splits = new WeakMap<tf.LayersModel, Map<string, GradCamSplit>>();

/** Occluded copies predicted per call: bounds memory on large inputs. */
const OCCLUSION_BATCH = 32;

function outputRank(layer: Layer): number {
  const shape = layer.outputShape;
  return Array.isArray(shape[0]) ? -1 : shape.length;
}

/** The one layer feeding `layer`, when it is fed by exactly one. */
function singleInbound(layer: Layer): Layer | undefined {
  if (layer.inboundNodes.length !== 1) return undefined;
  const inbound = layer.inboundNodes[0].inboundLayers;
  return inbound.length === 1 ? inbound[0] : undefined;
}

function isSoftmax(layer: Layer): boolean {
  if (layer.getClassName() === 'Softmax') return true;
  const config = layer.getConfig();
  return layer.getClassName() === 'Activation' && config.activation === 'softmax';
}

/**
 * Splits a model at its last rank-4 output before the classifier (for every architecture of the product, the layer
 * before global average pooling). The layers after it must form a chain; a final softmax layer is left out so the
 * gradient is that of the logit.
 */
function gradCamSplit(bundle: ModelBundle, targetLayer?: string): GradCamSplit {
  const model = bundle.model;
  let known = splits.get(model);
  if (!known) {
    known = new Map();
    splits.set(model, known);
  }
  const cached = known.get(targetLayer ?? '');
  if (cached) return cached;
  const refuse = (why: string) => new FileError(path.join(bundle.dir, 'model.json'), `Grad-CAM cannot explain this model: ${why}; use the occlusion method instead`);
  if (model.outputLayers.length !== 1) throw refuse('it has more than one output');
  if (targetLayer !== undefined && !model.layers.some((layer) => layer.name === targetLayer)) {
    throw new FileError(path.join(bundle.dir, 'model.json'), `Grad-CAM was asked for layer "${targetLayer}", which the model does not have`);
  }
  const head: Layer[] = [];
  let layer = model.outputLayers[0];
  while (targetLayer === undefined ? outputRank(layer) !== 4 : layer.name !== targetLayer) {
    head.unshift(layer);
    const previous = singleInbound(layer);
    if (!previous) throw refuse(`layer "${layer.name}" does not follow a single layer, so the classifier is not a chain`);
    layer = previous;
  }
  if (layer.getClassName() === 'InputLayer') throw refuse('it has no convolutional feature map');
  let score: GradCamSplit['score'] = 'probability';
  if (head.length > 1 && isSoftmax(head[head.length - 1])) {
    head.pop();
    score = 'logit';
  }
  const features = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor, name: `${model.name}_to_${layer.name}` });
  const split = { target: layer, features, head, score };
  known.set(targetLayer ?? '', split);
  return split;
}

/** Scales values in place so the largest is 1 (all zero stays zero); negatives become 0. */
function normalise(values: Float32Array): Float32Array {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] > 0)) values[i] = 0;
    else if (values[i] > max) max = values[i];
  }
  if (max > 0) for (let i = 0; i < values.length; i++) values[i] /= max;
  return values;
}

/** One normalised input image [bins, frames] of the model from a feature matrix; a FileError on emotion.json when the sizes differ. */
function inputImage(bundle: ModelBundle, matrix: FeatureMatrix): Float32Array {
  const [bins, frames] = bundle.meta.inputShape;
  checkInputShape(bundle, matrix);
  const image = new Float32Array(bins * frames);
  writeImage(matrix, bundle.meta.normalization, image, 0);
  return image;
}

/**
 * Input rows (or frames) per cell of a feature map `cells` long over an input `length` long: the power of two s for
 * which 'same' pooling (⌈length / s⌉ cells) or else 'valid' pooling (⌊length / s⌋) gives `cells`, so that cell i covers
 * the input from s·i to s·i + s (the last cell may be cut short by the input's end). Without one, length / cells.
 */
export function cellSize(length: number, cells: number): number {
  for (const round of [Math.ceil, Math.floor]) {
    for (let s = 1; s < 2 * length; s *= 2) if (round(length / s) === cells) return s;
  }
  return length / cells;
}

/**
 * For each of `length` input positions: the two cells it lies between and the weight of the second (bilinear, cell i
 * centred at size·i + size/2, the outer cells' values held beyond their centres).
 */
function cellWeights(length: number, cells: number, size: number): { first: Int32Array; second: Int32Array; weight: Float32Array } {
  const first = new Int32Array(length);
  const second = new Int32Array(length);
  const weight = new Float32Array(length);
  for (let p = 0; p < length; p++) {
    const u = Math.min(cells - 1, Math.max(0, (p + 0.5) / size - 0.5));
    first[p] = Math.floor(u);
    second[p] = Math.min(cells - 1, first[p] + 1);
    weight[p] = u - first[p];
  }
  return { first, second, weight };
}

/**
 * A rows × cols map (row-major) upsampled bilinearly to bins × frames, each cell centred over the input it covers
 * ({@link cellSize} bins × frames per cell), so a map of a padded input stays over the right bins and frames.
 */
export function upsampleCells(map: Float32Array, rows: number, cols: number, bins: number, frames: number, binsPerCell: number, framesPerCell: number): Float32Array {
  const down = cellWeights(bins, rows, binsPerCell);
  const across = cellWeights(frames, cols, framesPerCell);
  const out = new Float32Array(bins * frames);
  for (let b = 0; b < bins; b++) {
    const r0 = down.first[b] * cols;
    const r1 = down.second[b] * cols;
    const wb = down.weight[b];
    for (let t = 0; t < frames; t++) {
      const c0 = across.first[t];
      const c1 = across.second[t];
      const wt = across.weight[t];
      const low = map[r0 + c0] + wt * (map[r0 + c1] - map[r0 + c0]);
      const high = map[r1 + c0] + wt * (map[r1 + c1] - map[r1 + c0]);
      out[b * frames + t] = low + wb * (high - low);
    }
  }
  return out;
}

/**
 * Grad-CAM of class `classIndex` for one feature matrix: the last feature map's channels weighted by the spatial mean
 * of the class logit's gradient, summed, ReLU, bilinearly upsampled to bins × frames (each cell over the input it
 * covers) and scaled to 0..1.
 */
export function gradCam(bundle: ModelBundle, matrix: FeatureMatrix, classIndex: number, targetLayer?: string): HeatMap & { targetLayer: string; score: 'logit' | 'probability' } {
  const split = gradCamSplit(bundle, targetLayer);
  const [bins, frames] = bundle.meta.inputShape;
  const image = inputImage(bundle, matrix);
  let mapShape = [1, 1];
  const cells = tf.tidy(() => {
    const x = tf.tensor4d(image, [1, bins, frames, 1]);
    const activations = split.features.predict(x) as tf.Tensor4D;
    mapShape = activations.shape.slice(1, 3);
    // The class's score as a one-hot product: its gradient needs only kernels every backend has.
    const pick = tf.oneHot(tf.tensor1d([classIndex], 'int32'), bundle.meta.labels.length);
    const classScore = (a: tf.Tensor): tf.Scalar => {
      let y = a;
      for (const layer of split.head) y = layer.apply(y) as tf.Tensor;
      return tf.sum(tf.mul(y, pick));
    };
    const gradients = tf.grad(classScore)(activations);
    const channelWeights = tf.mean(gradients, [1, 2], true);
    const map = tf.relu(tf.sum(tf.mul(activations, channelWeights), 3));
    return Float32Array.from(map.dataSync());
  });
  const [rows, cols] = mapShape;
  const resolution = { bins: cellSize(bins, rows), frames: cellSize(frames, cols) };
  const heat = upsampleCells(cells, rows, cols, bins, frames, resolution.bins, resolution.frames);
  return { heat: normalise(heat), bins, frames, resolution, targetLayer: split.target.name, score: split.score };
}

/** Start positions of patches of `size` with `stride` covering `length` (the last one ends at the end). */
function patchStarts(length: number, size: number, stride: number): number[] {
  const starts: number[] = [];
  for (let start = 0; ; start += stride) {
    if (start + size >= length) {
      starts.push(Math.max(0, length - size));
      break;
    }
    starts.push(start);
  }
  return [...new Set(starts)];
}

/** The occlusion patch for an input of bins × frames: about an eighth of each axis unless given, stride half of it. */
export function occlusionPatch(bins: number, frames: number, patch: ExplainOptions['patch'] = {}): { bins: number; frames: number; binStride: number; frameStride: number } {
  const size = (given: number | undefined, length: number, name: string) => {
    if (given === undefined) return Math.max(1, Math.round(length / 8));
    if (!Number.isInteger(given) || given < 1 || given > length) throw new UsageError(`the occlusion patch's ${name} must be a whole number from 1 to ${length}, got ${given}`);
    return given;
  };
  const patchBins = size(patch.bins, bins, 'bins');
  const patchFrames = size(patch.frames, frames, 'frames');
  return { bins: patchBins, frames: patchFrames, binStride: Math.max(1, Math.floor(patchBins / 2)), frameStride: Math.max(1, Math.floor(patchFrames / 2)) };
}

const logitModels = new WeakMap<tf.LayersModel, tf.LayersModel | null>();

/** The model up to its logits when it ends in a softmax layer (the product's models do), else null. */
function logitModel(model: tf.LayersModel): tf.LayersModel | null {
  let known = logitModels.get(model);
  if (known === undefined) {
    const last = model.outputLayers.length === 1 ? model.outputLayers[0] : undefined;
    const before = last && isSoftmax(last) ? singleInbound(last) : undefined;
    known = before ? tf.model({ inputs: model.inputs, outputs: before.output as tf.SymbolicTensor, name: `${model.name}_logits` }) : null;
    logitModels.set(model, known);
  }
  return known;
}

/**
 * Class log-probabilities of `count` normalised images of the model's input size, stored one after another in
 * `images`: from the logits when the model has them (exact even where the softmax saturates at 1), else the log of the
 * probabilities.
 */
function logProbabilities(bundle: ModelBundle, images: Float32Array, count: number): Float32Array {
  const [bins, frames] = bundle.meta.inputShape;
  const logits = logitModel(bundle.model);
  return tf.tidy(() => {
    const x = tf.tensor4d(images, [count, bins, frames, 1]);
    const scores = logits ? tf.logSoftmax(logits.predict(x) as tf.Tensor2D) : tf.log(tf.maximum(bundle.model.predict(x) as tf.Tensor, 1e-30));
    return scores.dataSync() as Float32Array;
  });
}

/**
 * Occlusion map of class `classIndex`: each patch of the normalised input is set to 0 (the training mean) in turn;
 * a pixel's heat is the mean drop of the class's log-probability over the patches covering it (how many times less
 * likely the class became; unlike the probability itself it still moves when the model is nearly certain), clipped
 * at 0, scaled to 0..1.
 */
export async function occlusion(bundle: ModelBundle, matrix: FeatureMatrix, classIndex: number, options: Pick<ExplainOptions, 'patch' | 'signal'> = {}): Promise<HeatMap & { patch: ReturnType<typeof occlusionPatch> }> {
  const [bins, frames] = bundle.meta.inputShape;
  const k = bundle.meta.labels.length;
  const image = inputImage(bundle, matrix);
  const patch = occlusionPatch(bins, frames, options.patch);
  const baseline = logProbabilities(bundle, image, 1)[classIndex];
  const patches: [number, number][] = [];
  for (const b of patchStarts(bins, patch.bins, patch.binStride)) for (const t of patchStarts(frames, patch.frames, patch.frameStride)) patches.push([b, t]);
  const pixels = bins * frames;
  const drop = new Float64Array(pixels);
  const cover = new Uint16Array(pixels);
  for (let first = 0; first < patches.length; first += OCCLUSION_BATCH) {
    if (options.signal?.aborted) throw new CancelledError();
    const batch = patches.slice(first, first + OCCLUSION_BATCH);
    const images = new Float32Array(batch.length * pixels);
    batch.forEach(([b0, t0], i) => {
      images.set(image, i * pixels);
      for (let b = b0; b < b0 + patch.bins; b++) images.fill(0, i * pixels + b * frames + t0, i * pixels + b * frames + t0 + patch.frames);
    });
    const scores = logProbabilities(bundle, images, batch.length);
    batch.forEach(([b0, t0], i) => {
      const change = baseline - scores[i * k + classIndex];
      for (let b = b0; b < b0 + patch.bins; b++) {
        for (let t = t0; t < t0 + patch.frames; t++) {
          drop[b * frames + t] += change;
          cover[b * frames + t]++;
        }
      }
    });
    // Let a cancel (and other requests) through between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (options.signal?.aborted) throw new CancelledError();
  const heat = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) heat[i] = cover[i] ? drop[i] / cover[i] : 0;
  return { heat: normalise(heat), bins, frames, resolution: { bins: patch.bins, frames: patch.frames }, patch };
}

/** Where the explained input lies in the file: its first sample (may be negative when the clip was padded). */
interface ExplainedInput {
  readonly matrix: FeatureMatrix;
  readonly firstSample: number;
  readonly predicted: string;
  readonly probabilities: Readonly<Record<string, number>>;
  readonly window?: { readonly startSeconds: number; readonly endSeconds: number };
}

/**
 * The input to explain: a short file's prepared clip (trimmed and centred like the training data), or in a long file
 * the voiced window where the model is most confident of `label` (of the overall prediction without one).
 */
function explainedInput(bundle: ModelBundle, samples: Float32Array, label: string | undefined): ExplainedInput {
  const { kind, config } = bundle.meta.feature;
  let predicted: readonly FeatureMatrix[] = [];
  const result = classifySamples(samples, bundle.meta, (matrices) => predictMatrices(bundle, (predicted = matrices)));
  if (!result.timeline) {
    // One clip: classifySamples predicted on exactly its prepared features, so they are explained as they are.
    return { matrix: predicted[0], firstSample: prepareClip(samples, config).firstSample, predicted: result.label, probabilities: result.probabilities };
  }
  const wanted = label ?? result.label;
  const voiced = result.timeline.filter((segment) => segment.voiced);
  const candidates = voiced.length ? voiced : result.timeline;
  const best = candidates.reduce((top, segment) => (segment.probabilities[wanted] > top.probabilities[wanted] ? segment : top));
  const first = Math.round(best.start * config.sampleRate);
  return {
    matrix: computeFeatures(windowAt(samples, first, windowSamples(config)), kind, config),
    firstSample: first,
    predicted: best.label,
    probabilities: best.probabilities,
    window: { startSeconds: best.start, endSeconds: best.end },
  };
}

/**
 * Explains a model's decision for one WAV file: which time and frequency regions of its features made the model
 * choose `label` (default: the predicted emotion). Grad-CAM or occlusion; a long file is explained in its most
 * confident voiced window. Plain JSON: the heat map (0..1), the features under it, time and frequency axes, regions.
 */
export async function explainFile(bundle: ModelBundle, file: string, options: ExplainOptions = {}): Promise<Explanation> {
  const method = options.method ?? 'gradcam';
  if (!EXPLANATION_METHODS.includes(method)) throw new UsageError(`unknown explanation method "${String(method)}" (use ${EXPLANATION_METHODS.join(' or ')})`);
  const labels = bundle.meta.labels;
  if (options.label !== undefined && !labels.includes(options.label)) {
    throw new UsageError(`the model knows no emotion "${options.label}" (it knows ${labels.join(', ')})`);
  }
  const { kind, config } = bundle.meta.feature;
  const samples = readWav(file, { targetRate: config.sampleRate }).samples;
  const durationSeconds = samples.length / config.sampleRate;
  const input = explainedInput(bundle, samples, options.label);
  const label = options.label ?? input.predicted;
  const classIndex = labels.indexOf(label);
  const map = method === 'gradcam' ? gradCam(bundle, input.matrix, classIndex, options.targetLayer) : await occlusion(bundle, input.matrix, classIndex, options);
  const time = { startSeconds: input.firstSample / config.sampleRate, hopSeconds: config.hopLength / config.sampleRate };
  const clip = input.window ?? { startSeconds: 0, endSeconds: durationSeconds };
  const explanation: Explanation = {
    file,
    method,
    label,
    predicted: input.predicted,
    probabilities: input.probabilities,
    score: 'score' in map ? map.score : 'log-probability',
    ...('targetLayer' in map ? { targetLayer: map.targetLayer } : {}),
    ...('patch' in map ? { patch: map.patch } : {}),
    resolution: map.resolution,
    bins: map.bins,
    frames: map.frames,
    heat: Array.from(map.heat, (value) => Number(value.toFixed(4))),
    features: { kind, sampleRate: config.sampleRate, hopLength: config.hopLength, shape: [input.matrix.bins, input.matrix.frames], data: toBinsMajor(input.matrix).map((row) => row.map((v) => Number(v.toFixed(3)))) },
    time,
    ...(kind === 'mfcc' ? {} : { fMin: kind === 'logmel' ? config.fMin : 0, fMax: kind === 'logmel' ? config.fMax : config.sampleRate / 2 }),
    ...(kind === 'logmel' ? { melScale: config.melScale } : {}),
    ...(config.prosody ? { prosodyRows: [...PROSODY_ROWS] } : {}),
    durationSeconds,
    ...(input.window ? { window: input.window } : {}),
    regions: heatRegions(bundle, map, time, clip),
  };
  return explanation;
}
