import * as path from 'node:path';
import { parseSpeakerList, type SplitKind } from '../../core/dataset/split';
import { UsageError } from '../../core/errors';
import { BACKEND_CHOICES, type BackendChoice } from '../../core/tf/choices';
import { ARCHITECTURES, type Architecture, type TrainConfig } from '../../core/train/config';
import type { TrainEvent } from '../../core/train/run';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { formatKFoldReport } from '../kfoldReport';
import { formatDuration, formatPercent, ProgressBar } from '../progress';
import { withWorker } from '../worker';
import { foldFromOptions } from './dataset';

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
  'test-actors': { type: 'string', value: 'LIST', description: 'test speakers (RAVDESS default 21-24); not with --split kfold' },
  'val-actors': { type: 'string', value: 'LIST', description: 'validation speakers (RAVDESS default 19-20); not with --split kfold' },
  folds: { type: 'integer', value: 'N', description: 'folds for --split kfold: one model per fold in MODEL_DIR/fold-1 … fold-N (default 6)' },
  fold: { type: 'integer', value: 'K', description: 'with --split kfold, train only fold K (1 to N, as in fold-K) into MODEL_DIR' },
  'n-mels': { type: 'integer', value: 'N', description: 'mel bands of the input (default 128)' },
  duration: { type: 'number', value: 'S', description: 'clip length in seconds (default 3)' },
  prosody: { type: 'flag', description: 'add F0, voicing, energy and HNR rows to the model input (docs/PROSODY.md)' },
  backend: { type: 'string', choices: BACKEND_CHOICES, description: 'TensorFlow.js backend (default auto: node-gpu → webgpu → node → wasm → cpu)' },
  seed: { type: 'integer', value: 'N', description: 'seed of initialisation, shuffling and augmentation (default 1)' },
  resume: { type: 'flag', description: 'continue the run whose checkpoint is in MODEL_DIR (k-fold: keep finished folds, continue the interrupted one)' },
  cache: { type: 'string', value: 'DIR', description: 'feature cache folder (default DATA_DIR/.voice-emotion-cache)' },
  out: { type: 'string', value: 'MODEL_DIR', description: 'model folder to write (required)' },
  json: { type: 'flag', description: 'print the result as JSON' },
};

export const TRAIN_USAGE = `usage: voice-emotion train DATA_DIR --out MODEL_DIR [options]

Trains an emotion classifier in a worker process: dataset → speaker-independent split → cached log-mel features →
training with checkpoints and early stopping → evaluation of the best epoch on the test speakers → model bundle.
With --split kfold, one model per fold (every speaker tested once) and per-fold and mean ± std WA, UAR and macro-F1
with the summed confusion matrix. Every run is recorded in MODEL_DIR/runs/ (see "voice-emotion runs").

${formatOptions(OPTIONS)}`;

/** `voice-emotion train`. */
export async function runTrain(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('train needs exactly one DATA_DIR');
  if (typeof options.out !== 'string') throw new UsageError('train needs --out MODEL_DIR');
  const fold = foldFromOptions(options);
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
    fold,
    backend: options.backend as BackendChoice | undefined,
    seed: options.seed as number | undefined,
    features: {
      ...(options['n-mels'] !== undefined ? { nMels: options['n-mels'] as number } : {}),
      ...(options.duration !== undefined ? { clipSeconds: options.duration as number } : {}),
      ...(options.prosody ? { prosody: true } : {}),
    },
  };
  const bar = new ProgressBar('training');
  const prepBar = new ProgressBar('features');
  let folds = 0;
  let backendShown = false;
  const log = (line: string, fold?: number) => {
    bar.finish();
    if (!options.json) io.stderr(`${fold !== undefined ? `fold ${fold + 1}/${folds}: ` : ''}${line}\n`);
  };
  const onEvent = (event: TrainEvent) => {
    if (event.type === 'fold') {
      folds = event.folds;
      const scores = event.outcome?.test ? `WA ${formatPercent(event.outcome.test.accuracy)}, UAR ${formatPercent(event.outcome.test.uar)}, macro-F1 ${formatPercent(event.outcome.test.macroF1)}` : '';
      if (event.status === 'running') log(`training, test speakers ${event.speakers.test.join(', ')}`, event.fold);
      else if (event.status === 'done') log(`${scores}${event.outcome?.reused ? ' (kept from the earlier run)' : ''}`, event.fold);
      else if (event.status !== 'waiting') log(`${event.status}${event.outcome?.error ? `: ${event.outcome.error}` : ''}`, event.fold);
    } else if (event.type === 'preprocess') prepBar.update(event.done, event.total);
    else if (event.type === 'start') {
      prepBar.finish();
      if (!backendShown) log(`backend: ${event.backend.name}${event.backend.device ? ` on ${event.backend.device}` : ''}${event.backend.skipped.length ? ` (skipped ${event.backend.skipped.join('; ')})` : ''}`);
      backendShown = true;
      log(`split: ${event.split}; ${event.train} train, ${event.validation} validation, ${event.test} test clips; ${event.labels.length} labels`, event.fold);
      if (event.resumedAt > 0) log(`resuming after epoch ${event.resumedAt}`, event.fold);
    } else if (event.type === 'batch') {
      bar.update(event.batch + 1, event.batches, `epoch ${event.epoch + 1} loss ${event.loss.toFixed(3)} ${event.samplesPerSecond.toFixed(1)} samples/s ${formatDuration(event.etaSeconds)} left`);
    } else if (event.type === 'epoch') {
      const r = event.record;
      log(`epoch ${r.epoch + 1}/${event.epochs}: loss ${r.trainLoss.toFixed(3)}, train acc ${formatPercent(r.trainAccuracy)}, val acc ${formatPercent(r.validationAccuracy)}, val UAR ${formatPercent(r.validationUar)}, lr ${r.learningRate.toExponential(2)}, ${r.samplesPerSecond.toFixed(1)} samples/s${event.best ? ' (best, saved)' : ''}`, event.fold);
    }
  };
  const params = { dataDir: path.resolve(positionals[0]), out: path.resolve(options.out as string), config, resume: Boolean(options.resume), cacheDir: options.cache as string | undefined, source: 'cli' as const };
  if (config.split === 'kfold' && config.fold === undefined) {
    const kfold = await withWorker((worker, signal) => worker.request('trainKFold', params, { signal, onEvent })).finally(() => bar.finish());
    io.stdout(options.json ? JSON.stringify(kfold) + '\n' : formatKFoldReport(kfold));
    return 0;
  }
  const result = await withWorker((worker, signal) => worker.request('train', params, { signal, onEvent })).finally(() => bar.finish());
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
