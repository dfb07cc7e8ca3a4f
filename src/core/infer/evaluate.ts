import * as path from 'node:path';
import type { ModelBundle } from '../bundle/bundle';
import { readCacheEntry } from '../cache/entry';
import { preprocessDataset } from '../cache/preprocess';
import { loadDataset, type SkippedFile } from '../dataset/load';
import { UsageError } from '../errors';
import { argmax, classificationMetrics, type ClassificationMetrics } from '../metrics';
import { predictMatrices } from './classify';

/** Options of {@link evaluateBundle}. */
export interface EvaluateOptions {
  /** Evaluate only these speakers (e.g. RAVDESS actors 21–24); default: the model's own test split when the dataset is the one it was trained on, else every file. */
  readonly speakers?: readonly string[];
  readonly cacheDir?: string;
  readonly threads?: number;
}

/** Metrics of a model on a dataset, with what was evaluated. */
export interface Evaluation extends ClassificationMetrics {
  /** Which files were used: "test split of the training run", "speakers 21, 22", or "all files". */
  readonly selection: string;
  readonly skipped: readonly SkippedFile[];
}

/** Evaluates a model on a dataset folder: features through the cache with the model's own settings, then metrics. */
export async function evaluateBundle(bundle: ModelBundle, dataDir: string, options: EvaluateOptions = {}): Promise<Evaluation> {
  const index = loadDataset(dataDir);
  const labels = bundle.meta.labels;
  let selection: string;
  let ids: Set<string>;
  if (options.speakers?.length) {
    const wanted = new Set(options.speakers);
    const missing = options.speakers.filter((s) => !index.speakers.includes(s));
    if (missing.length) throw new UsageError(`speakers not in the dataset: ${missing.join(', ')}`);
    ids = new Set(index.items.filter((item) => wanted.has(item.speaker)).map((item) => item.id));
    selection = `speakers ${options.speakers.join(', ')}`;
  } else if (path.resolve(index.root) === path.resolve(bundle.meta.dataset.root) && bundle.meta.split.test.length > 0) {
    ids = new Set(bundle.meta.split.test);
    selection = `test split of the training run (${bundle.meta.split.description})`;
  } else {
    ids = new Set(index.items.map((item) => item.id));
    selection = 'all files';
  }
  const skipped: SkippedFile[] = [];
  const items = index.items.filter((item) => {
    if (!ids.has(item.id)) return false;
    if (!labels.includes(item.label)) {
      skipped.push({ path: item.path, problem: `label "${item.label}" is not one the model knows (${labels.join(', ')})` });
      return false;
    }
    return true;
  });
  if (items.length === 0) throw new UsageError(`${index.root}: nothing to evaluate (${selection})`);
  const report = await preprocessDataset({ ...index, items, skipped: [] }, { cacheDir: options.cacheDir, config: bundle.meta.feature.config, kind: bundle.meta.feature.kind, threads: options.threads });
  const truth: number[] = [];
  const predicted: number[] = [];
  const examples = report.examples.filter((e) => e.copy === 0);
  for (let first = 0; first < examples.length; first += 64) {
    const batch = examples.slice(first, first + 64);
    const probabilities = predictMatrices(bundle, batch.map((e) => readCacheEntry(e.file).features));
    const k = labels.length;
    batch.forEach((example, i) => {
      truth.push(labels.indexOf(example.label));
      predicted.push(argmax(probabilities.subarray(i * k, (i + 1) * k)));
    });
  }
  return { ...classificationMetrics(truth, predicted, labels), selection, skipped: [...skipped, ...report.skipped] };
}
