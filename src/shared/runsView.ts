import { DEFAULT_FOLDS } from '../core/dataset/split';
import type { BundleMeta } from '../core/bundle/bundle';
import type { RunDataset, RunRecord } from '../core/runs/record';
import type { TrainConfig } from '../core/train/config';
import type { RunSummary } from './panelProtocol';
import { epochView } from './trainingView';

/** How Compare Runs shows training runs: run records and record-less model folders as RunSummary rows (plain JSON). */

/** A setting's value as the side-by-side table shows it. */
type Setting = { readonly name: string; readonly value: string };

/** Feature overrides in words ("nMels 64, clipSeconds 1.5"), or "defaults". */
function featureText(features: TrainConfig['features'] | undefined): string {
  const entries = Object.entries(features ?? {}).filter(([, value]) => value !== undefined);
  return entries.length ? entries.map(([key, value]) => `${key} ${String(value)}`).join(', ') : 'defaults';
}

/** The split as a setting: its kind and what was chosen, not the fold's own speakers. */
function splitText(config: TrainConfig, kind: RunSummary['kind'], description: string | undefined): string {
  if (kind === 'kfold') return `k-fold by speaker, ${config.folds ?? DEFAULT_FOLDS} folds`;
  if (config.split === 'kfold') return `k-fold by speaker, fold ${(config.fold ?? 0) + 1} of ${config.folds ?? DEFAULT_FOLDS}`;
  if (config.split === 'random') return 'random clips (speaker leakage)';
  return description ?? config.split;
}

/**
 * The settings Compare Runs puts side by side: architecture, augmentation, split, epochs, learning rate, batch size,
 * features, seed, source and dataset (corpus, files and fingerprint).
 */
export function runSettings(config: TrainConfig, options: { kind?: RunSummary['kind']; split?: string; source?: string; dataset?: Pick<RunDataset, 'corpus' | 'files' | 'fingerprint'> }): Setting[] {
  const dataset = options.dataset;
  return [
    { name: 'Architecture', value: config.pretrained ? `${config.arch} (pretrained)` : config.arch },
    { name: 'Augmentation', value: `${config.augment || 'none'}${config.cachedCopies ? `, ${config.cachedCopies} cached copies` : ''}` },
    { name: 'Split', value: splitText(config, options.kind, options.split) },
    { name: 'Epochs', value: `${config.epochs}${config.earlyStopping ? `, early stopping after ${config.earlyStopping}` : ''}` },
    { name: 'Learning rate', value: `${config.learningRate} (${config.schedule})` },
    { name: 'Batch size', value: String(config.batchSize) },
    { name: 'Features', value: featureText(config.features) },
    { name: 'Seed', value: String(config.seed) },
    { name: 'Source', value: options.source ?? 'unknown' },
    { name: 'Dataset', value: dataset ? `${dataset.corpus}, ${dataset.files} files${dataset.fingerprint ? `, fingerprint ${dataset.fingerprint.slice(0, 10)}` : ''}` : 'unknown' },
  ];
}

/** A run record as a Compare Runs row; k-fold runs score with their mean over folds and the summed confusion matrix. */
export function runSummaryFromRecord(record: RunRecord & { readonly file?: string }, active: boolean): RunSummary {
  const test = record.metrics.test;
  const summary = record.kfold?.summary;
  return {
    name: record.name,
    modelDir: record.modelDir,
    arch: record.config.arch,
    createdAt: record.startedAt,
    epochs: record.epochs,
    bestEpoch: record.bestEpoch + 1,
    augment: record.config.augment || 'none',
    split: record.split?.description ?? record.config.split,
    backend: record.backend?.name ?? '',
    history: record.history.map(epochView),
    validationUar: record.metrics.validation?.uar,
    testUar: summary ? summary.uar.mean : test?.uar,
    testAccuracy: summary ? summary.accuracy.mean : test?.accuracy,
    testMacroF1: summary ? summary.macroF1.mean : test?.macroF1,
    active,
    id: record.id,
    kind: record.kind,
    status: record.status,
    ...(record.error ? { error: record.error } : {}),
    source: record.source,
    ...(record.file ? { file: record.file } : {}),
    settings: runSettings(record.config, { kind: record.kind, split: record.split?.description, source: record.source, dataset: record.dataset }),
    ...(test ? { testConfusion: { labels: test.labels, confusion: test.confusion } } : {}),
    ...(summary ? { kfold: { folds: summary.folds, of: summary.of, accuracy: summary.accuracy, uar: summary.uar, macroF1: summary.macroF1 } } : {}),
  };
}

/** A model folder without run records (saved before runs were recorded) as a Compare Runs row, from its emotion.json. */
export function runSummaryFromBundle(name: string, modelDir: string, meta: BundleMeta, active: boolean, file?: string): RunSummary {
  const test = meta.metrics?.test;
  return {
    name,
    modelDir,
    arch: meta.arch,
    createdAt: meta.createdAt,
    epochs: meta.history.length,
    bestEpoch: meta.bestEpoch + 1,
    augment: meta.training?.augment || 'none',
    split: meta.split?.description ?? String(meta.training?.split ?? ''),
    backend: meta.backend?.name ?? '',
    history: meta.history.map(epochView),
    validationUar: meta.metrics?.validation?.uar,
    testUar: test?.uar,
    testAccuracy: test?.accuracy,
    testMacroF1: test?.macroF1,
    active,
    ...(file ? { file } : {}),
    ...(meta.training ? { settings: runSettings(meta.training, { split: meta.split?.description, dataset: meta.dataset }) } : {}),
    ...(test ? { testConfusion: { labels: test.labels, confusion: test.confusion } } : {}),
  };
}
