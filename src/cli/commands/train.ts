import * as path from 'node:path';
import { parseSpeakerList, type SplitKind } from '../../core/dataset/split';
import { UsageError } from '../../core/errors';
import { BACKEND_CHOICES, type BackendChoice } from '../../core/tf/choices';
import { ARCHITECTURES, type Architecture, type TrainConfig } from '../../core/train/config';
import type { TrainEvent } from '../../core/train/run';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { formatDuration, formatPercent, ProgressBar } from '../progress';
import { withWorker } from '../worker';

const OPTIONS: Record<string, OptionSpec> = {
  arch: { type: 'string', choices: ARCHITECTURES, description: 'model architecture (default cnn-bn)' },
  pretrained: { type: 'string', value: 'FILE', description: 'ImageNet ResNet-18 weights (.safetensors) for --arch resnet18' },
  epochs: { type: 'integer', value: 'N', description: 'maximum epochs (default 30; early stopping after 8 without gain)' },
  batch: { type: 'integer', value: 'N', description: 'batch size (default 32)' },
  lr: { type: 'number', value: 'X', description: 'peak learning rate of Adam (default 0.002)' },
  schedule: { type: 'string', choices: ['cosine', 'plateau', 'constant'], description: 'learning-rate schedule (default cosine)' },
  patience: { type: 'integer', value: 'N', description: 'early-stopping patience in epochs, 0 = off (default 8)' },
  augment: { type: 'string', value: 'SPEC', description: 'augmentation each epoch: preset (none, light, standard, strong) or steps (default none)' },
  split: { type: 'string', choices: ['actors', 'kfold', 'random'], description: 'speaker-independent lists (default), k-fold by speaker, or random clips' },
  'test-actors': { type: 'string', value: 'LIST', description: 'test speakers (RAVDESS default 21-24)' },
  'val-actors': { type: 'string', value: 'LIST', description: 'validation speakers (RAVDESS default 19-20)' },
  folds: { type: 'integer', value: 'N', description: 'folds for --split kfold (default 6)' },
  fold: { type: 'integer', value: 'K', description: 'which fold to train, 0-based (default 0)' },
  'n-mels': { type: 'integer', value: 'N', description: 'mel bands of the input (default 128)' },
  duration: { type: 'number', value: 'S', description: 'clip length in seconds (default 3)' },
  backend: { type: 'string', choices: BACKEND_CHOICES, description: 'TensorFlow.js backend (default auto: node-gpu → webgpu → node → wasm → cpu)' },
  seed: { type: 'integer', value: 'N', description: 'seed of initialisation, shuffling and augmentation (default 1)' },
  resume: { type: 'flag', description: 'continue the run whose checkpoint is in MODEL_DIR' },
  cache: { type: 'string', value: 'DIR', description: 'feature cache folder (default DATA_DIR/.voice-emotion-cache)' },
  out: { type: 'string', value: 'MODEL_DIR', description: 'model folder to write (required)' },
  json: { type: 'flag', description: 'print the result as JSON' },
};

export const TRAIN_USAGE = `usage: voice-emotion train DATA_DIR --out MODEL_DIR [options]

Trains an emotion classifier in a worker process: dataset → speaker-independent split → cached log-mel features →
training with checkpoints and early stopping → evaluation of the best epoch on the test speakers → model bundle.

${formatOptions(OPTIONS)}`;

/** `voice-emotion train`. */
export async function runTrain(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('train needs exactly one DATA_DIR');
  if (typeof options.out !== 'string') throw new UsageError('train needs --out MODEL_DIR');
  const config: Partial<TrainConfig> = {
    arch: options.arch as Architecture | undefined,
    pretrained: options.pretrained ? path.resolve(options.pretrained as string) : undefined,
    epochs: options.epochs as number | undefined,
    batchSize: options.batch as number | undefined,
    learningRate: options.lr as number | undefined,
    schedule: options.schedule as TrainConfig['schedule'] | undefined,
    earlyStopping: options.patience as number | undefined,
    augment: options.augment as string | undefined,
    split: options.split as SplitKind | undefined,
    testSpeakers: typeof options['test-actors'] === 'string' ? parseSpeakerList(options['test-actors']) : undefined,
    validationSpeakers: typeof options['val-actors'] === 'string' ? parseSpeakerList(options['val-actors']) : undefined,
    folds: options.folds as number | undefined,
    fold: options.fold as number | undefined,
    backend: options.backend as BackendChoice | undefined,
    seed: options.seed as number | undefined,
    features: {
      ...(options['n-mels'] !== undefined ? { nMels: options['n-mels'] as number } : {}),
      ...(options.duration !== undefined ? { clipSeconds: options.duration as number } : {}),
    },
  };
  const bar = new ProgressBar('training');
  const prepBar = new ProgressBar('features');
  const log = (line: string) => {
    bar.finish();
    if (!options.json) io.stderr(line + '\n');
  };
  const onEvent = (event: TrainEvent) => {
    if (event.type === 'preprocess') prepBar.update(event.done, event.total);
    else if (event.type === 'start') {
      prepBar.finish();
      log(`backend: ${event.backend.name}${event.backend.device ? ` on ${event.backend.device}` : ''}${event.backend.skipped.length ? ` (skipped ${event.backend.skipped.join('; ')})` : ''}`);
      log(`split: ${event.split}; ${event.train} train, ${event.validation} validation, ${event.test} test clips; ${event.labels.length} labels`);
      if (event.resumedAt > 0) log(`resuming after epoch ${event.resumedAt}`);
    } else if (event.type === 'batch') {
      bar.update(event.batch + 1, event.batches, `epoch ${event.epoch + 1} loss ${event.loss.toFixed(3)} ${event.samplesPerSecond.toFixed(1)} samples/s ${formatDuration(event.etaSeconds)} left`);
    } else if (event.type === 'epoch') {
      const r = event.record;
      log(`epoch ${r.epoch + 1}/${event.epochs}: loss ${r.trainLoss.toFixed(3)}, train acc ${formatPercent(r.trainAccuracy)}, val acc ${formatPercent(r.validationAccuracy)}, val UAR ${formatPercent(r.validationUar)}, lr ${r.learningRate.toExponential(2)}, ${r.samplesPerSecond.toFixed(1)} samples/s${event.best ? ' (best, saved)' : ''}`);
    }
  };
  const result = await withWorker((worker, signal) =>
    worker.request('train', { dataDir: path.resolve(positionals[0]), out: path.resolve(options.out as string), config, resume: Boolean(options.resume), cacheDir: options.cache as string | undefined }, { signal, onEvent }),
  ).finally(() => bar.finish());
  bar.finish();
  if (options.json) {
    io.stdout(JSON.stringify(result) + '\n');
    return 0;
  }
  io.stdout(
    `${result.out}: ${result.epochs} epochs on ${result.backend.name} in ${formatDuration(result.seconds)}, best epoch ${result.bestEpoch + 1}\n` +
      `validation: accuracy ${formatPercent(result.validation?.accuracy)}, UAR ${formatPercent(result.validation?.uar)}\n` +
      `test:       accuracy ${formatPercent(result.test?.accuracy)}, UAR ${formatPercent(result.test?.uar)}, macro-F1 ${formatPercent(result.test?.macroF1)}\n`,
  );
  return 0;
}
