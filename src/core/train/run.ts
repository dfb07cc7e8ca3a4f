import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNoiseBank } from '../augment/noiseBank';
import { hasWaveformSteps } from '../augment/plan';
import { parseAugmentSpec } from '../augment/spec';
import { loadBundle, saveBundle, type BundleMeta } from '../bundle/bundle';
import { stableHash } from '../cache/keys';
import { preprocessDataset, type PreprocessProgress } from '../cache/preprocess';
import { loadDataset, requireTwoLabels } from '../dataset/load';
import { classWeights, splitCounts, splitDataset } from '../dataset/split';
import { UsageError } from '../errors';
import { removeTemporaryFiles } from '../fsutil';
import { buildModel } from '../models';
import type { ClassificationMetrics } from '../metrics';
import { RUNS_FOLDER, type FoldOutcome, type KFoldSummary, type RunSource, type RunStatus } from '../runs/record';
import { RunTracker, runSplit } from '../runs/tracker';
import { initBackend, type BackendReport } from '../tf/backend';
import { loadCheckpoint, type TrainingState } from './checkpoint';
import { ARCHITECTURES, DEFAULT_TRAIN_CONFIG, type TrainConfig } from './config';
import { loadTrainingData } from './data';
import { lockModelFolder } from './lock';
import { evaluateExamples, trainLoop, type TrainProgress } from './loop';

/** A fold of a k-fold run changing state: planned (waiting), running, or ended with its outcome and the summary so far. */
export interface FoldEvent {
  readonly type: 'fold';
  /** 0-based. */
  readonly fold: number;
  readonly folds: number;
  readonly status: 'waiting' | 'running' | RunStatus;
  readonly modelDir: string;
  readonly speakers: { readonly test: readonly string[]; readonly validation: readonly string[] };
  readonly outcome?: FoldOutcome;
  readonly summary?: KFoldSummary;
}

/** Everything a training run reports while it works; in a k-fold run each event names its fold (0-based). */
export type TrainEvent = (
  | { readonly type: 'stage'; readonly stage: 'dataset' | 'preprocess' | 'train' | 'evaluate'; readonly message: string }
  | ({ readonly type: 'preprocess' } & PreprocessProgress)
  | { readonly type: 'start'; readonly backend: BackendReport; readonly labels: readonly string[]; readonly train: number; readonly validation: number; readonly test: number; readonly split: string; readonly epochs: number; readonly resumedAt: number }
  | TrainProgress
  | FoldEvent
) & { readonly fold?: number };

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  readonly dataDir: string;
  /** Model folder: the bundle (model.json, weights.bin, emotion.json) and checkpoint/ go here. */
  readonly out: string;
  readonly config?: Partial<TrainConfig>;
  /** Continue the run whose checkpoint is in `out/checkpoint`. */
  readonly resume?: boolean;
  readonly cacheDir?: string;
  readonly threads?: number;
  readonly onEvent?: (event: TrainEvent) => void;
  readonly signal?: AbortSignal;
  /** Where the run was started, for its run record (default 'api'). */
  readonly source?: RunSource;
  /** The run's name in its record (default: the model folder's name). */
  readonly name?: string;
  /** For a fold of a k-fold run: that run's id and folder. */
  readonly parent?: { readonly id: string; readonly modelDir: string };
}

/** What a finished run produced. */
export interface TrainModelResult {
  readonly out: string;
  readonly backend: BackendReport;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly validation?: ClassificationMetrics;
  readonly test?: ClassificationMetrics;
  readonly seconds: number;
  /** The run's record: its id and file (`<out>/runs/<id>.json`). */
  readonly runId: string;
  readonly runFile: string;
}

/** Fills defaults and checks a training configuration, naming the first bad value. */
export function resolveTrainConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  const merged = { ...DEFAULT_TRAIN_CONFIG, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as TrainConfig;
  // The feature setting `prosody` is kept only when on: a run without it has the run key and record of a run made
  // before the setting existed, so such a run's checkpoint still resumes.
  const config: TrainConfig =
    merged.features?.prosody === false ? { ...merged, features: Object.fromEntries(Object.entries(merged.features).filter(([key]) => key !== 'prosody')) } : merged;
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new UsageError(message);
  };
  check(ARCHITECTURES.includes(config.arch), `architecture must be one of ${ARCHITECTURES.join(', ')} (got "${config.arch}")`);
  check(Number.isInteger(config.epochs) && config.epochs >= 1 && config.epochs <= 1000, `epochs must be 1–1000 (got ${config.epochs})`);
  check(Number.isInteger(config.batchSize) && config.batchSize >= 1 && config.batchSize <= 1024, `batch size must be 1–1024 (got ${config.batchSize})`);
  check(config.learningRate > 0 && config.learningRate < 1, `learning rate must be between 0 and 1 (got ${config.learningRate})`);
  check(config.dropout >= 0 && config.dropout < 1, `dropout must be in [0, 1) (got ${config.dropout})`);
  check(!config.pretrained || config.arch === 'resnet18', '--pretrained weights are for --arch resnet18');
  if (config.pretrained && !fs.existsSync(config.pretrained)) throw new UsageError(`pretrained weights not found: ${config.pretrained}`);
  parseAugmentSpec(config.augment || 'none');
  return config;
}

/**
 * Trains a model end to end: reads the dataset, splits it (speaker-independent by default), fills the feature cache,
 * trains with checkpoints and early stopping, evaluates the best epoch on the test speakers, and writes the bundle.
 * The model folder is locked for the whole run (see {@link lockModelFolder}); temporary files a killed run left in it
 * are removed first. When the run ends, done, failed or cancelled, its run record goes to `<out>/runs/<id>.json`.
 */
export async function trainModel(options: TrainModelOptions): Promise<TrainModelResult> {
  const started = Date.now();
  const config = resolveTrainConfig(options.config);
  const out = path.resolve(options.out);
  const tracker = new RunTracker({ modelDir: out, name: options.name ?? path.basename(out), kind: options.parent ? 'fold' : 'single', source: options.source ?? 'api', parent: options.parent, config });
  // One writer per model folder: a second run fails here, before it touches the first one's checkpoint or bundle.
  const lock = lockModelFolder(out);
  try {
    removeTemporaryFiles(out);
    removeTemporaryFiles(path.join(out, 'checkpoint'));
    removeTemporaryFiles(path.join(out, RUNS_FOLDER));
    const result = await trainLocked(options, config, out, started, tracker);
    return { ...result, runId: tracker.id, runFile: tracker.done() };
  } catch (error) {
    tracker.ended(error, options.signal);
    throw error;
  } finally {
    lock.release();
  }
}

/** The body of {@link trainModel}, run while the model folder's lock is held. */
async function trainLocked(options: TrainModelOptions, config: TrainConfig, out: string, started: number, tracker: RunTracker): Promise<Omit<TrainModelResult, 'runId' | 'runFile'>> {
  const emit = (event: TrainEvent) => options.onEvent?.(event);
  const backend = await initBackend(config.backend);
  tracker.backendReady(backend);

  emit({ type: 'stage', stage: 'dataset', message: `reading ${options.dataDir}` });
  const index = loadDataset(options.dataDir);
  requireTwoLabels(index);
  const split = splitDataset(index, {
    kind: config.split,
    testSpeakers: config.testSpeakers,
    validationSpeakers: config.validationSpeakers,
    folds: config.folds,
    fold: config.fold,
    seed: config.seed,
  });
  const trainIds = new Set(split.train);

  emit({ type: 'stage', stage: 'preprocess', message: 'computing features (cached)' });
  const report = await preprocessDataset(index, {
    cacheDir: options.cacheDir,
    config: config.features,
    kind: 'logmel',
    augment: config.cachedCopies > 0 ? config.augment : undefined,
    copies: config.cachedCopies,
    augmentIds: trainIds,
    split,
    seed: config.seed,
    threads: options.threads,
    signal: options.signal,
    onProgress: (p) => emit({ type: 'preprocess', ...p }),
  });
  if (report.cancelled) throw new UsageError('cancelled while computing features');
  const online = config.cachedCopies > 0 ? '' : config.augment;
  const plan = online ? parseAugmentSpec(online) : undefined;
  const data = loadTrainingData(report.examples, split, index.labels, { kind: report.kind, config: report.config, keepClips: plan !== undefined && hasWaveformSteps(plan) });
  const noiseBank = plan?.noise?.type === 'files' && plan.noise.dir ? loadNoiseBank(plan.noise.dir, data.config.sampleRate).noises : undefined;
  const perLabel = splitCounts(index, split);
  const counts = perLabel.train;
  const balanced = classWeights(counts);
  const weights = config.classWeights ? index.labels.map((label) => balanced[label]) : undefined;
  const fingerprint = stableHash(report.examples.map((e) => path.basename(e.file)));
  // A run is identified by what decides its numbers; epochs, early stopping and backend may change on resume.
  const keyed = { ...config, epochs: undefined, earlyStopping: undefined, backend: undefined };
  const runKey = stableHash({ keyed, split: [split.train, split.validation, split.test], fingerprint });
  tracker.dataReady(runSplit(split, perLabel), { root: index.root, corpus: index.corpus, files: index.items.length, fingerprint }, index.labels);

  const checkpointDir = path.join(out, 'checkpoint');
  let model: tf.LayersModel;
  let resume: { state: TrainingState; optimizerWeights: { name: string; tensor: tf.Tensor }[] } | undefined;
  if (options.resume) {
    const checkpoint = await loadCheckpoint(checkpointDir);
    if (checkpoint.state.runKey !== runKey) {
      checkpoint.model.dispose();
      throw new UsageError(`${checkpointDir}: the checkpoint belongs to a different run (settings, split or data changed); train without --resume`);
    }
    model = checkpoint.model;
    resume = { state: checkpoint.state, optimizerWeights: checkpoint.optimizerWeights };
    tracker.progress(checkpoint.state.history, checkpoint.state.bestEpoch);
  } else {
    fs.rmSync(checkpointDir, { recursive: true, force: true });
    model = buildModel(config.arch, { inputShape: [data.bins, data.frames, 1], numClasses: index.labels.length, seed: config.seed, pretrained: config.pretrained });
  }
  emit({ type: 'start', backend, labels: index.labels, train: data.train.length, validation: data.validation.length, test: data.test.length, split: split.description, epochs: config.epochs, resumedAt: resume?.state.epochsDone ?? 0 });

  const metaBase = (state: TrainingState, metrics: BundleMeta['metrics']): Omit<BundleMeta, 'hashes' | 'format' | 'version' | 'createdAt'> => ({
    labels: index.labels,
    feature: { kind: data.kind, config: data.config },
    inputShape: [data.bins, data.frames, 1],
    normalization: data.normalization,
    arch: config.arch,
    training: config,
    split,
    history: state.history,
    bestEpoch: state.bestEpoch,
    metrics,
    backend,
    dataset: { root: index.root, corpus: index.corpus, files: index.items.length, fingerprint },
  });
  let bestValidation: ClassificationMetrics | undefined;
  emit({ type: 'stage', stage: 'train', message: `training ${config.arch} on ${backend.name}` });
  let state: TrainingState;
  try {
    state = await trainLoop({
      model,
      data,
      config,
      plan,
      noiseBank,
      classWeights: weights,
      checkpointDir,
      runKey,
      resume,
      signal: options.signal,
      onProgress: (p) => {
        if (p.type === 'epoch') tracker.epoch(p.record, p.best);
        emit(p);
      },
      onBest: async (current) => {
        bestValidation = data.validation.length ? evaluateExamples(model, data.validation, data).metrics : undefined;
        tracker.metrics(bestValidation);
        await saveBundle(out, model, metaBase(current, { validation: bestValidation }));
      },
    });
  } finally {
    resume?.optimizerWeights.forEach((w) => w.tensor.dispose());
  }
  model.dispose();

  emit({ type: 'stage', stage: 'evaluate', message: 'evaluating the best epoch on the test speakers' });
  const best = await loadBundle(out);
  const test = data.test.length ? evaluateExamples(best.model, data.test, data).metrics : undefined;
  bestValidation ??= best.meta.metrics.validation;
  await saveBundle(out, best.model, metaBase(state, { validation: bestValidation, test }));
  best.model.dispose();
  tracker.progress(state.history, state.bestEpoch);
  tracker.metrics(bestValidation, test);
  return { out, backend, epochs: state.epochsDone, bestEpoch: state.bestEpoch, validation: bestValidation, test, seconds: (Date.now() - started) / 1000 };
}
