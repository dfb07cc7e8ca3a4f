import * as tf from '@tensorflow/tfjs';
import type { AugmentPlan } from '../augment/plan';
import { CancelledError } from '../errors';
import { argmax, classificationMetrics, type ClassificationMetrics } from '../metrics';
import { Random } from '../random';
import { saveCheckpoint, type EpochRecord, type NamedTensor, type TrainingState } from './checkpoint';
import type { TrainConfig } from './config';
import { makeBatch, type Example, type TrainingData } from './data';
import { cosineLearningRate, plateauStep } from './schedule';

/** Progress of a training run, sent after every batch and epoch. */
export type TrainProgress =
  | {
      readonly type: 'batch';
      readonly epoch: number;
      readonly batch: number;
      readonly batches: number;
      readonly loss: number;
      readonly accuracy: number;
      readonly learningRate: number;
      readonly samplesPerSecond: number;
      readonly etaSeconds: number;
    }
  | { readonly type: 'epoch'; readonly record: EpochRecord; readonly best: boolean; readonly epochs: number };

/** Inputs of {@link trainLoop}. */
export interface TrainLoopOptions {
  readonly model: tf.LayersModel;
  readonly data: TrainingData;
  readonly config: TrainConfig;
  readonly plan?: AugmentPlan;
  readonly noiseBank?: readonly Float32Array[];
  /** Per-class loss weights (index = class), or undefined for none. */
  readonly classWeights?: readonly number[];
  /** Where to write the resumable checkpoint each epoch. */
  readonly checkpointDir: string;
  /** Called when validation UAR improves, to save the best model. */
  readonly onBest: (state: TrainingState) => Promise<void>;
  readonly onProgress?: (progress: TrainProgress) => void;
  readonly signal?: AbortSignal;
  /** Continue from this state (with the model and optimizer weights already restored). */
  readonly resume?: { state: TrainingState; optimizerWeights: NamedTensor[] };
  readonly runKey: string;
}

/** The parts of a classifier the loop drives: embedding (up to global pooling) and the logits layer. */
function splitModel(model: tf.LayersModel): { embedding: tf.LayersModel; logits: tf.layers.Layer } {
  const probabilities = model.getLayer('probabilities');
  const logits = probabilities.inboundNodes[0].inboundLayers[0];
  const embeddingLayer = logits.inboundNodes[0].inboundLayers[0];
  return { embedding: tf.model({ inputs: model.inputs, outputs: embeddingLayer.output as tf.SymbolicTensor }), logits };
}

/** Predicted class probabilities for examples, in batches (inference mode). */
export function predictProbabilities(model: tf.LayersModel, examples: readonly Example[], data: TrainingData, batchSize = 64): Float32Array {
  const k = data.labels.length;
  const out = new Float32Array(examples.length * k);
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = makeBatch(examples.slice(start, start + batchSize), data, undefined);
    const probs = tf.tidy(() => model.predict(batch.x) as tf.Tensor);
    out.set(probs.dataSync(), start * k);
    tf.dispose([probs, batch.x, batch.y, batch.weights]);
  }
  return out;
}

/** Loss, predictions and metrics of a model on examples. */
export function evaluateExamples(model: tf.LayersModel, examples: readonly Example[], data: TrainingData): { loss: number; metrics: ClassificationMetrics; probabilities: Float32Array } {
  const k = data.labels.length;
  const probabilities = predictProbabilities(model, examples, data);
  const truth = examples.map((e) => e.label);
  const predicted = truth.map((_, i) => argmax(probabilities.subarray(i * k, (i + 1) * k)));
  let loss = 0;
  truth.forEach((t, i) => (loss -= Math.log(Math.max(1e-7, probabilities[i * k + t]))));
  return { loss: examples.length ? loss / examples.length : 0, metrics: classificationMetrics(truth, predicted, data.labels), probabilities };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains with Adam on mini-batches: seeded shuffling, on-the-fly augmentation, class-weighted cross-entropy, dropout
 * before the classifier, a cosine or plateau learning-rate schedule, early stopping on validation UAR, the best model
 * saved through `onBest` and a resumable checkpoint after every epoch. Cancelling stops at the next batch boundary.
 */
export async function trainLoop(options: TrainLoopOptions): Promise<TrainingState> {
  const { model, data, config } = options;
  const { embedding, logits } = splitModel(model);
  const headOnly = (epoch: number) => Boolean(config.pretrained) && epoch < config.headEpochs;
  const trainableFor = (epoch: number) => (headOnly(epoch) ? logits.trainableWeights : model.trainableWeights).map((w) => (w as unknown as { val: tf.Variable }).val);
  let optimizer = tf.train.adam(config.learningRate);
  let state: TrainingState = options.resume?.state ?? { epochsDone: 0, history: [], bestUar: -1, bestEpoch: -1, sinceBest: 0, runKey: options.runKey };
  let phaseHeadOnly = headOnly(state.epochsDone);
  // The checkpoint's optimizer belongs to the phase of its last epoch; crossing into fine-tuning starts a fresh one,
  // exactly as an uninterrupted run does.
  const done = state.epochsDone;
  if (options.resume && (done === 0 || headOnly(done - 1) === headOnly(done))) {
    await optimizer.setWeights(options.resume.optimizerWeights as Parameters<tf.Optimizer['setWeights']>[0]);
  }
  const batches = Math.ceil(data.train.length / config.batchSize);
  const started = Date.now();
  let samplesSeen = 0;

  for (let epoch = state.epochsDone; epoch < config.epochs; epoch++) {
    if (phaseHeadOnly && !headOnly(epoch)) {
      optimizer.dispose();
      optimizer = tf.train.adam(config.learningRate * config.fineTuneFactor);
      phaseHeadOnly = false;
    }
    const variables = trainableFor(epoch);
    const epochStarted = Date.now();
    const random = new Random(config.seed * 1_000_003 + epoch * 7919 + 11);
    const order = random.shuffle(data.train.map((_, i) => i));
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < batches; b++) {
      if (options.signal?.aborted) throw new CancelledError('training cancelled');
      const baseRate = config.schedule === 'cosine' ? cosineLearningRate(config, epoch + b / batches) : state.plateau?.rate ?? config.learningRate;
      const rate = phaseHeadOnly || !config.pretrained ? baseRate : baseRate * config.fineTuneFactor;
      (optimizer as unknown as { learningRate: number }).learningRate = rate;
      const examples = order.slice(b * config.batchSize, (b + 1) * config.batchSize).map((i) => data.train[i]);
      const batch = makeBatch(examples, data, options.classWeights, { plan: options.plan, random, noiseBank: options.noiseBank });
      const dropoutSeed = config.seed * 100_003 + epoch * 1009 + b;
      const { value, grads } = tf.variableGrads(() => {
        const features = embedding.apply(batch.x, { training: true }) as tf.Tensor;
        const dropped = config.dropout > 0 ? tf.dropout(features, config.dropout, undefined, dropoutSeed) : features;
        const scores = logits.apply(dropped) as tf.Tensor2D;
        const perExample = tf.losses.softmaxCrossEntropy(batch.y, scores, undefined, 0, tf.Reduction.NONE) as tf.Tensor1D;
        const loss = tf.div(tf.sum(tf.mul(perExample, batch.weights)), tf.sum(batch.weights)) as tf.Scalar;
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(scores, 1), tf.argMax(batch.y, 1)), 'float32'));
        correct += hits.dataSync()[0];
        return loss;
      }, variables);
      optimizer.applyGradients(grads as unknown as Record<string, tf.Variable>);
      const lossValue = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads), batch.x, batch.y, batch.weights]);
      if (!Number.isFinite(lossValue)) throw new Error(`training diverged (loss ${lossValue}) in epoch ${epoch + 1}; try a lower learning rate`);
      lossSum += lossValue * batch.size;
      samplesSeen += batch.size;
      const elapsed = (Date.now() - started) / 1000;
      const samplesPerSecond = samplesSeen / Math.max(elapsed, 1e-3);
      const remaining = (config.epochs - epoch - 1) * data.train.length + (data.train.length - (b + 1) * config.batchSize);
      options.onProgress?.({ type: 'batch', epoch, batch: b, batches, loss: lossValue, accuracy: correct / Math.min(data.train.length, (b + 1) * config.batchSize), learningRate: rate, samplesPerSecond, etaSeconds: Math.max(0, remaining) / samplesPerSecond });
      await yieldToEventLoop();
    }
    const validation = data.validation.length ? evaluateExamples(model, data.validation, data) : undefined;
    const validationUar = validation?.metrics.uar ?? 0;
    const seconds = (Date.now() - epochStarted) / 1000;
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / data.train.length,
      trainAccuracy: correct / data.train.length,
      validationLoss: validation?.loss ?? 0,
      validationAccuracy: validation?.metrics.accuracy ?? 0,
      validationUar,
      learningRate: (optimizer as unknown as { learningRate: number }).learningRate,
      samplesPerSecond: data.train.length / Math.max(seconds, 1e-3),
      seconds,
    };
    const best = validationUar > state.bestUar + 1e-9 || state.bestEpoch < 0;
    const plateau = config.schedule === 'plateau' ? plateauStep(state.plateau ?? { rate: config.learningRate, best: -1, waited: 0 }, validationUar, Math.max(2, Math.floor(config.earlyStopping / 2) || 3), config.learningRate / 64) : undefined;
    state = {
      ...state,
      epochsDone: epoch + 1,
      history: [...state.history, record],
      bestUar: best ? validationUar : state.bestUar,
      bestEpoch: best ? epoch : state.bestEpoch,
      sinceBest: best ? 0 : state.sinceBest + 1,
      plateau,
    };
    if (best) await options.onBest(state);
    await saveCheckpoint(options.checkpointDir, model, optimizer, state);
    options.onProgress?.({ type: 'epoch', record, best, epochs: config.epochs });
    if (config.earlyStopping > 0 && state.sinceBest >= config.earlyStopping) break;
  }
  optimizer.dispose();
  return state;
}
