import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { SplitKind } from '../dataset/split';
import { FileError } from '../errors';
import { createFileAtomic, readFileBounded } from '../fsutil';
import type { ClassificationMetrics, MeanStd } from '../metrics';
import type { BackendReport } from '../tf/choices';
import type { EpochRecord } from '../train/checkpoint';
import type { TrainConfig } from '../train/config';

/**
 * Run records: one JSON file per training run, `<model folder>/runs/<id>.json`, written when the run ends (done,
 * failed or cancelled) and never overwritten. No TensorFlow.js here: the extension host and the CLI read them.
 */

export const RUN_RECORD_FORMAT = 'voice-emotion-run';
export const RUN_RECORD_VERSION = 1;
/** The folder of a model folder that holds its run records. */
export const RUNS_FOLDER = 'runs';
/** Largest run record read (a record holds speakers, counts, history and metrics, never file lists). */
export const MAX_RUN_RECORD_BYTES = 4 * 1024 ** 2;

/** A run on its own, a k-fold run (one model per fold), or one fold of a k-fold run. */
export type RunKind = 'single' | 'kfold' | 'fold';
export const RUN_KINDS: readonly RunKind[] = ['single', 'kfold', 'fold'];

/** Where a run was started: the CLI, the extension's commands, a notebook, or the core library called directly. */
export type RunSource = 'cli' | 'extension' | 'notebook' | 'api';
export const RUN_SOURCES: readonly RunSource[] = ['cli', 'extension', 'notebook', 'api'];

/** How a run ended. */
export type RunStatus = 'done' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['done', 'failed', 'cancelled'];

/** Clip counts of the parts of a split. */
export interface SplitCountsRecord {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

/** The split of a run as its record keeps it: speakers and counts (the file lists stay in emotion.json). */
export interface RunSplit {
  readonly kind: SplitKind;
  readonly description: string;
  readonly seed: number;
  readonly speakerLeakage: boolean;
  /** For a fold: its index (0-based) and the number of folds. */
  readonly fold?: number;
  readonly folds?: number;
  readonly speakers: { readonly train: readonly string[]; readonly validation: readonly string[]; readonly test: readonly string[] };
  readonly counts: SplitCountsRecord;
  /** Clips per emotion in each part. */
  readonly perLabel?: Readonly<Record<'train' | 'validation' | 'test', Readonly<Record<string, number>>>>;
}

/** The dataset a run read. */
export interface RunDataset {
  readonly root: string;
  readonly corpus: string;
  readonly files: number;
  /** Hash of the cached feature entries' names: equal fingerprints mean the same files and feature settings. */
  readonly fingerprint: string;
}

/** One fold of a k-fold run: where its model is, whom it tested and how it scored. */
export interface FoldOutcome {
  /** 0-based; its model folder is `fold-<fold + 1>`. */
  readonly fold: number;
  readonly modelDir: string;
  /** The fold's own run record (absent for a fold kept from an earlier run). */
  readonly runId?: string;
  readonly status: RunStatus;
  readonly error?: string;
  /** True when a finished fold of an earlier, interrupted k-fold run was kept (resume). */
  readonly reused?: boolean;
  readonly speakers: { readonly test: readonly string[]; readonly validation: readonly string[] };
  readonly epochs: number;
  /** 0-based, -1 when no epoch finished. */
  readonly bestEpoch: number;
  readonly validation?: ClassificationMetrics;
  readonly test?: ClassificationMetrics;
  readonly seconds: number;
}

/** Mean ± standard deviation of the fold scores and the confusion matrix summed over folds. */
export interface KFoldSummary {
  /** Folds the summary covers, and the folds of the run. */
  readonly folds: number;
  readonly of: number;
  readonly labels: readonly string[];
  readonly accuracy: MeanStd;
  readonly uar: MeanStd;
  readonly macroF1: MeanStd;
  /** confusion[true][predicted], summed over the folds: every test clip counted once. */
  readonly confusion: readonly (readonly number[])[];
  /** Test clips over the folds. */
  readonly n: number;
}

/** One training run: what it was asked to do, what it read, how it went and how it scored. */
export interface RunRecord {
  readonly format: typeof RUN_RECORD_FORMAT;
  readonly version: number;
  readonly id: string;
  /** The model folder's name; for a fold "<k-fold folder>/fold-<k>". */
  readonly name: string;
  readonly modelDir: string;
  readonly kind: RunKind;
  /** For a fold: the k-fold run it belongs to. */
  readonly parent?: { readonly id: string; readonly modelDir: string };
  readonly source: RunSource;
  readonly status: RunStatus;
  /** The first line of the error of a failed or cancelled run. */
  readonly error?: string;
  /** ISO times, and the run's length in seconds. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly config: TrainConfig;
  readonly split?: RunSplit;
  readonly backend?: BackendReport;
  readonly dataset?: RunDataset;
  /** The emotions the model tells apart, once the dataset was read. */
  readonly labels?: readonly string[];
  /** Epochs as emotion.json counts them (from 0). */
  readonly history: readonly EpochRecord[];
  readonly epochs: number;
  readonly bestEpoch: number;
  /** Validation metrics of the best epoch, test metrics of the finished model; for k-fold, test over the summed confusion. */
  readonly metrics: { readonly validation?: ClassificationMetrics; readonly test?: ClassificationMetrics };
  readonly kfold?: { readonly folds: readonly FoldOutcome[]; readonly summary?: KFoldSummary };
}

/** A record as written: everything but the format fields, which {@link writeRunRecord} adds. */
export type RunRecordContent = Omit<RunRecord, 'format' | 'version'>;

/** A new run id: the UTC start time and a random part, "20250314-093012-4fa3c1" (sorts by time). */
export function newRunId(date: Date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The file of run `id` in a model folder. */
export function runRecordFile(modelDir: string, id: string): string {
  return path.join(modelDir, RUNS_FOLDER, `${id}.json`);
}

/** The first line of an error's message, as records and tables show it. */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim() || (error instanceof Error ? error.name : 'unknown error');
}

/**
 * Writes a run record atomically to `<modelDir>/runs/<id>.json` and returns the file. Records are never overwritten:
 * an id already used in the folder is a FileError, also when another writer takes the name while this one writes.
 */
export function writeRunRecord(record: RunRecordContent): string {
  const file = runRecordFile(record.modelDir, record.id);
  const full: RunRecord = { format: RUN_RECORD_FORMAT, version: RUN_RECORD_VERSION, ...record };
  const text = JSON.stringify(full, null, 1);
  if (Buffer.byteLength(text) > MAX_RUN_RECORD_BYTES) throw new FileError(file, `would be larger than ${MAX_RUN_RECORD_BYTES} bytes`);
  if (!createFileAtomic(file, text)) throw new FileError(file, 'already exists; run records are never overwritten');
  return file;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string');
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/** The problem with a metrics object, or undefined when it has the fields views read. */
function metricsProblem(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return `${name} is not an object`;
  const labels = value.labels;
  if (!isStringArray(labels) || (labels as string[]).length < 1) return `${name} has no labels`;
  const k = (labels as string[]).length;
  const square = (m: unknown) => Array.isArray(m) && m.length === k && m.every((row) => Array.isArray(row) && row.length === k && row.every(isNumber));
  if (!square(value.confusion)) return `${name} has a confusion matrix that is not ${k} × ${k} numbers`;
  if (![value.n, value.accuracy, value.uar, value.macroF1].every(isNumber)) return `${name} lacks n, accuracy, uar or macroF1`;
  return undefined;
}

/** The first problem of a parsed record, or undefined when it is a valid version-1 record. */
function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (value.format !== RUN_RECORD_FORMAT) return `is not a Voice Emotion run record (format "${String(value.format)}")`;
  if (value.version !== RUN_RECORD_VERSION) return `has version ${String(value.version)}; this version reads ${RUN_RECORD_VERSION}`;
  if (typeof value.id !== 'string' || !/^[\w.-]{1,128}$/.test(value.id)) return 'has no valid id';
  if (typeof value.name !== 'string' || typeof value.modelDir !== 'string') return 'lacks its name or model folder';
  if (!RUN_KINDS.includes(value.kind as RunKind)) return `has an unknown kind "${String(value.kind)}"`;
  if (!RUN_SOURCES.includes(value.source as RunSource)) return `has an unknown source "${String(value.source)}"`;
  if (!RUN_STATUSES.includes(value.status as RunStatus)) return `has an unknown status "${String(value.status)}"`;
  if (typeof value.startedAt !== 'string' || Number.isNaN(Date.parse(value.startedAt))) return 'has no valid start time';
  if (typeof value.finishedAt !== 'string' || !isNumber(value.seconds)) return 'has no valid finish time';
  if (!isObject(value.config) || typeof value.config.arch !== 'string') return 'has no training configuration';
  if (!Array.isArray(value.history) || !value.history.every((r) => isObject(r) && isNumber(r.epoch) && isNumber(r.validationUar) && isNumber(r.trainLoss))) return 'has an invalid history';
  if (!isNumber(value.epochs) || !isNumber(value.bestEpoch)) return 'lacks its epoch counts';
  if (!isObject(value.metrics)) return 'has no metrics';
  const metrics = metricsProblem(value.metrics.validation, 'validation metrics') ?? metricsProblem(value.metrics.test, 'test metrics');
  if (metrics) return metrics;
  if (value.split !== undefined && (!isObject(value.split) || typeof value.split.description !== 'string' || !isObject(value.split.speakers) || !isObject(value.split.counts))) return 'has an invalid split';
  if (value.kfold !== undefined) {
    if (!isObject(value.kfold) || !Array.isArray(value.kfold.folds)) return 'has invalid k-fold results';
    for (const fold of value.kfold.folds as unknown[]) {
      if (!isObject(fold) || !isNumber(fold.fold) || !RUN_STATUSES.includes(fold.status as RunStatus) || !isObject(fold.speakers)) return 'has an invalid fold';
      const problem = metricsProblem(fold.test, `fold ${Number(fold.fold) + 1} test metrics`);
      if (problem) return problem;
    }
    const summary = value.kfold.summary;
    if (summary !== undefined && (!isObject(summary) || !isObject(summary.uar) || !isNumber(summary.uar.mean) || !Array.isArray(summary.confusion))) return 'has an invalid k-fold summary';
  }
  return undefined;
}

/** Parses and validates a run record's text; a FileError names `file` and the problem. */
export function parseRunRecord(text: string, file: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FileError(file, `is not valid JSON (${(error as Error).message})`);
  }
  const problem = recordProblem(value);
  if (problem) throw new FileError(file, problem);
  return value as RunRecord;
}

/** Reads and validates a run record (its size checked first). */
export function readRunRecord(file: string): RunRecord {
  let text: string;
  try {
    text = readFileBounded(file, MAX_RUN_RECORD_BYTES).toString('utf8');
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseRunRecord(text, file);
}
