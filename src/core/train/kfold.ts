import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBundleMeta, type BundleMeta } from '../bundle/bundle';
import { stableHash } from '../cache/keys';
import { loadDataset, requireTwoLabels, type DatasetIndex } from '../dataset/load';
import { DEFAULT_FOLDS, kFoldBySpeaker, type DatasetSplit } from '../dataset/split';
import { CancelledError, UsageError } from '../errors';
import { removeTemporaryFiles, writeFileAtomic } from '../fsutil';
import type { ClassificationMetrics } from '../metrics';
import { errorLine, newRunId, RUNS_FOLDER, writeRunRecord, type FoldOutcome, type KFoldSummary, type RunRecordContent, type RunStatus } from '../runs/record';
import { kfoldSummary, metricsFromConfusion } from '../runs/summary';
import { endingOf, leavesRecord } from '../runs/tracker';
import { initBackend, type BackendReport } from '../tf/backend';
import type { TrainConfig } from './config';
import { lockModelFolder } from './lock';
import { resolveTrainConfig, trainModel, type TrainEvent, type TrainModelOptions } from './run';

/** The k-fold summary file of a k-fold folder. */
export const KFOLD_FILE = 'kfold.json';
export const KFOLD_FORMAT = 'voice-emotion-kfold';
export const KFOLD_VERSION = 1;

/** Options of {@link trainKFold}: those of a single run; `out` is the k-fold folder, `config.folds` the number of folds. */
export type TrainKFoldOptions = Omit<TrainModelOptions, 'parent' | 'name'>;

/** What a finished k-fold run produced. */
export interface TrainKFoldResult {
  /** The k-fold folder; fold k's model is in `<out>/fold-<k + 1>`. */
  readonly out: string;
  readonly backend: BackendReport;
  readonly labels: readonly string[];
  readonly folds: readonly FoldOutcome[];
  readonly summary: KFoldSummary;
  /** Test metrics over every clip, from the summed confusion matrix. */
  readonly pooled: ClassificationMetrics;
  readonly seconds: number;
  readonly runId: string;
  readonly runFile: string;
}

/** The folder of fold `k` (0-based) of a k-fold folder. */
export function foldFolder(out: string, fold: number): string {
  return path.join(out, `fold-${fold + 1}`);
}

/** The folds of a dataset by speaker, each checked to test at least one clip; problems are UsageErrors naming the dataset. */
function foldSplits(index: DatasetIndex, folds: number, seed: number): DatasetSplit[] {
  let splits: DatasetSplit[];
  try {
    splits = kFoldBySpeaker(index, { folds, seed });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${index.root}: ${error.message}`);
    throw error;
  }
  for (const split of splits) {
    if (split.speakers.test.length === 0 || split.test.length === 0) throw new UsageError(`${index.root}: fold ${split.fold! + 1} of ${folds} has no test speakers; use fewer folds`);
  }
  return splits;
}

/** What decides a fold's numbers, for telling whether a finished fold folder belongs to this run (backend aside). */
const comparable = (config: TrainConfig) => stableHash({ ...config, backend: undefined });
/** What a resumed run may not change (epochs, early stopping and backend may change, as for a single run's --resume). */
const resumable = (config: TrainConfig) => stableHash({ ...config, epochs: undefined, earlyStopping: undefined, backend: undefined });

/** A fold folder's emotion.json, or undefined when it has none that reads. */
function foldMeta(dir: string): ReturnType<typeof readBundleMeta> | undefined {
  try {
    return readBundleMeta(dir);
  } catch {
    return undefined;
  }
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]) => Array.isArray(a) && a.length === b.length && a.every((value, i) => value === b[i]);

/** Whether a fold folder's model was trained on this fold: the same emotions in the same order and the same train, validation and test clips. */
function sameFoldData(meta: BundleMeta, split: DatasetSplit, labels: readonly string[]): boolean {
  return sameList(meta.labels, labels) && sameList(meta.split?.train, split.train) && sameList(meta.split?.validation, split.validation) && sameList(meta.split?.test, split.test);
}

/** The outcome of a fold an earlier run of the same settings finished on the same data (its bundle has test metrics), or undefined. */
function finishedFold(dir: string, config: TrainConfig, split: DatasetSplit, labels: readonly string[]): FoldOutcome | undefined {
  const meta = foldMeta(dir);
  if (!meta?.metrics?.test || !meta.training) return undefined;
  if (!sameFoldData(meta, split, labels) || comparable(meta.training) !== comparable(config)) return undefined;
  return {
    fold: split.fold!,
    modelDir: dir,
    status: 'done',
    reused: true,
    speakers: { test: split.speakers.test, validation: split.speakers.validation },
    epochs: meta.history.length,
    bestEpoch: meta.bestEpoch,
    validation: meta.metrics.validation,
    test: meta.metrics.test,
    seconds: 0,
  };
}

/**
 * Whether a fold folder holds a checkpoint this run can continue. A checkpoint is written after the bundle of the same
 * epoch, and a fresh run deletes the old checkpoint before it writes a bundle, so the folder's emotion.json tells which
 * run the checkpoint belongs to: one of other settings, emotions or clips (a folder left by an earlier, different k-fold
 * run) is not resumed, and the fold trains anew.
 */
function hasResumableCheckpoint(dir: string, config: TrainConfig, split: DatasetSplit, labels: readonly string[]): boolean {
  if (!fs.existsSync(path.join(dir, 'checkpoint', 'state.json'))) return false;
  const meta = foldMeta(dir);
  return meta?.training !== undefined && sameFoldData(meta, split, labels) && resumable(meta.training) === resumable(config);
}

/**
 * k-fold cross-validation by speaker as one run: trains one model per fold into `<out>/fold-1` … `<out>/fold-K` (the
 * feature cache shared), each fold testing speakers no other fold tests, and reports per-fold and mean ± std WA, UAR and
 * macro-F1 with the summed confusion matrix. Writes `<out>/kfold.json` and a 'kfold' run record; each fold keeps its
 * own record. With `resume`, folds finished by an earlier run of the same settings on the same clips are kept and an
 * interrupted fold continues from its checkpoint; a fold folder left by a run of other settings trains anew. Cancelling
 * stops inside the running fold or before the next. A run refused by its checks (dataset, folds) leaves no record.
 */
export async function trainKFold(options: TrainKFoldOptions): Promise<TrainKFoldResult> {
  const started = Date.now();
  const resolved = resolveTrainConfig({ ...options.config, split: 'kfold', fold: undefined });
  const folds = resolved.folds ?? DEFAULT_FOLDS;
  const config: TrainConfig = { ...resolved, folds };
  const out = path.resolve(options.out);
  const emit = (event: TrainEvent) => options.onEvent?.(event);
  const id = newRunId(new Date(started));
  /** Whether the run got past its checks (dataset read, folds made): from then on, however it ends, it is recorded. */
  let checked = false;
  const outcomes: FoldOutcome[] = [];
  let backend: BackendReport | undefined;
  let index: DatasetIndex | undefined;
  /** The cached features' fingerprint, as the fold models record it. */
  let fingerprint = '';
  const record = (status: RunStatus, error?: unknown): RunRecordContent => {
    const summary = kfoldSummary(outcomes, folds);
    return {
      id,
      name: path.basename(out),
      modelDir: out,
      kind: 'kfold',
      source: options.source ?? 'api',
      status,
      ...(error !== undefined ? { error: errorLine(error) } : {}),
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
      config,
      split: index && {
        kind: 'kfold',
        description: `speaker k-fold: ${folds} folds over ${index.speakers.length} speakers, each tested once`,
        seed: config.seed,
        speakerLeakage: false,
        folds,
        speakers: { train: index.speakers, validation: index.speakers, test: index.speakers },
        counts: { train: index.items.length, validation: index.items.length, test: index.items.length },
      },
      backend,
      dataset: index && { root: index.root, corpus: index.corpus, files: index.items.length, fingerprint },
      labels: index?.labels,
      history: [],
      epochs: outcomes.reduce((sum, fold) => sum + fold.epochs, 0),
      bestEpoch: -1,
      metrics: { test: summary && metricsFromConfusion(summary.confusion, summary.labels) },
      kfold: { folds: [...outcomes], ...(summary ? { summary } : {}) },
    };
  };

  const lock = lockModelFolder(out);
  try {
    removeTemporaryFiles(out);
    removeTemporaryFiles(path.join(out, RUNS_FOLDER));
    backend = await initBackend(config.backend);
    emit({ type: 'stage', stage: 'dataset', message: `reading ${options.dataDir}` });
    index = loadDataset(options.dataDir);
    requireTwoLabels(index);
    const splits = foldSplits(index, folds, config.seed);
    checked = true;
    const labels = index.labels;
    const plan = (split: DatasetSplit) => ({ type: 'fold' as const, fold: split.fold!, folds, modelDir: foldFolder(out, split.fold!), speakers: { test: split.speakers.test, validation: split.speakers.validation } });
    for (const split of splits) emit({ ...plan(split), status: 'waiting' });

    for (const split of splits) {
      if (options.signal?.aborted) throw new CancelledError('k-fold training cancelled');
      const k = split.fold!;
      const dir = foldFolder(out, k);
      const foldConfig: TrainConfig = { ...config, split: 'kfold', folds, fold: k };
      const kept = options.resume ? finishedFold(dir, foldConfig, split, labels) : undefined;
      if (kept) {
        fingerprint ||= foldMeta(dir)?.dataset.fingerprint ?? '';
        outcomes.push(kept);
        emit({ ...plan(split), status: 'done', outcome: kept, summary: kfoldSummary(outcomes, folds) });
        continue;
      }
      emit({ ...plan(split), status: 'running' });
      const foldStarted = Date.now();
      try {
        const result = await trainModel({
          dataDir: options.dataDir,
          out: dir,
          config: foldConfig,
          resume: options.resume === true && hasResumableCheckpoint(dir, foldConfig, split, labels),
          cacheDir: options.cacheDir,
          threads: options.threads,
          signal: options.signal,
          source: options.source,
          name: `${path.basename(out)}/fold-${k + 1}`,
          parent: { id, modelDir: out },
          onEvent: (event) => emit({ ...event, fold: k }),
        });
        backend = result.backend;
        fingerprint ||= foldMeta(dir)?.dataset.fingerprint ?? '';
        const outcome: FoldOutcome = {
          fold: k,
          modelDir: dir,
          runId: result.runId,
          status: 'done',
          speakers: { test: split.speakers.test, validation: split.speakers.validation },
          epochs: result.epochs,
          bestEpoch: result.bestEpoch,
          validation: result.validation,
          test: result.test,
          seconds: result.seconds,
        };
        outcomes.push(outcome);
        emit({ ...plan(split), status: 'done', outcome, summary: kfoldSummary(outcomes, folds) });
      } catch (error) {
        const outcome: FoldOutcome = {
          fold: k,
          modelDir: dir,
          status: endingOf(error, options.signal),
          error: errorLine(error),
          speakers: { test: split.speakers.test, validation: split.speakers.validation },
          epochs: 0,
          bestEpoch: -1,
          seconds: (Date.now() - foldStarted) / 1000,
        };
        outcomes.push(outcome);
        emit({ ...plan(split), status: outcome.status, outcome, summary: kfoldSummary(outcomes, folds) });
        throw error;
      }
    }

    // The record computes the summary and the pooled metrics from the outcomes; they are read back from it.
    const done = record('done');
    const summary = done.kfold!.summary!;
    const pooled = done.metrics.test!;
    writeFileAtomic(path.join(out, KFOLD_FILE), JSON.stringify({ format: KFOLD_FORMAT, version: KFOLD_VERSION, runId: id, createdAt: done.finishedAt, config, dataset: done.dataset, folds: outcomes, summary, pooled }, null, 1));
    const runFile = writeRunRecord(done);
    return { out, backend: backend!, labels: summary.labels, folds: outcomes, summary, pooled, seconds: (Date.now() - started) / 1000, runId: id, runFile };
  } catch (error) {
    const status = endingOf(error, options.signal);
    if (leavesRecord(status, checked, error)) {
      try {
        writeRunRecord(record(status, error));
      } catch {
        // The run's own error is the one to report.
      }
    }
    throw error;
  } finally {
    lock.release();
  }
}
