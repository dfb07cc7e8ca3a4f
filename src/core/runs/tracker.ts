import { CancelledError, FileError, UsageError } from '../errors';
import type { DatasetSplit } from '../dataset/split';
import type { ClassificationMetrics } from '../metrics';
import type { BackendReport } from '../tf/choices';
import type { EpochRecord } from '../train/checkpoint';
import type { TrainConfig } from '../train/config';
import { errorLine, newRunId, writeRunRecord, type RunDataset, type RunKind, type RunRecordContent, type RunSource, type RunSplit, type RunStatus } from './record';

/** Who a run is and where its record goes. */
export interface RunIdentity {
  readonly modelDir: string;
  readonly name: string;
  readonly kind: RunKind;
  readonly source: RunSource;
  readonly parent?: { readonly id: string; readonly modelDir: string };
  readonly config: TrainConfig;
}

/** The split of a run as a record keeps it, with clip counts per part (and per emotion when given). */
export function runSplit(split: DatasetSplit, perLabel?: RunSplit['perLabel']): RunSplit {
  return {
    kind: split.kind,
    description: split.description,
    seed: split.seed,
    speakerLeakage: split.speakerLeakage,
    ...(split.fold !== undefined ? { fold: split.fold, folds: split.folds } : {}),
    speakers: split.speakers,
    counts: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    ...(perLabel ? { perLabel } : {}),
  };
}

/** How a run that threw ended: cancelled (by the user) or failed. */
export function endingOf(error: unknown, signal?: AbortSignal): Exclude<RunStatus, 'done'> {
  return error instanceof CancelledError || signal?.aborted ? 'cancelled' : 'failed';
}

/**
 * Whether a run that threw leaves a record: a cancelled run always does, and so does one that got past its checks (its
 * data was ready) or failed for any reason other than bad input. A run refused by its checks (a dataset that does not
 * exist, a split without test speakers, settings that do not fit) leaves none: its error says what to fix.
 */
export function leavesRecord(status: Exclude<RunStatus, 'done'>, checked: boolean, error: unknown): boolean {
  return status === 'cancelled' || checked || !(error instanceof UsageError || error instanceof FileError);
}

/**
 * Collects what a training run learns about itself as it goes (backend, split, dataset, epochs, metrics) and writes its
 * run record when it ends.
 */
export class RunTracker {
  readonly id: string;
  readonly startedAt = new Date();
  private backend: BackendReport | undefined;
  private split: RunSplit | undefined;
  private dataset: RunDataset | undefined;
  private labels: readonly string[] | undefined;
  private history: EpochRecord[] = [];
  private bestEpoch = -1;
  private validation: ClassificationMetrics | undefined;
  private test: ClassificationMetrics | undefined;

  /** Call when the run starts: its start time is the record's. */
  constructor(private readonly identity: RunIdentity) {
    this.id = newRunId(this.startedAt);
  }

  /** The backend the run trains on. */
  backendReady(backend: BackendReport): void {
    this.backend = backend;
  }

  /** The split, dataset and emotions the run reads. */
  dataReady(split: RunSplit, dataset: RunDataset, labels: readonly string[]): void {
    this.split = split;
    this.dataset = dataset;
    this.labels = labels;
  }

  /** The epochs so far (a resumed run starts with its checkpoint's) and the best of them (0-based, -1 for none). */
  progress(history: readonly EpochRecord[], bestEpoch: number): void {
    this.history = [...history];
    this.bestEpoch = bestEpoch;
  }

  /** One more finished epoch. */
  epoch(record: EpochRecord, best: boolean): void {
    this.history.push(record);
    if (best) this.bestEpoch = record.epoch;
  }

  /** Metrics of the best epoch (validation) and of the finished model (test). */
  metrics(validation: ClassificationMetrics | undefined, test?: ClassificationMetrics): void {
    this.validation = validation;
    if (test) this.test = test;
  }

  /** The record of the run as it stands, ending with `status`. */
  record(status: RunStatus, error?: unknown): RunRecordContent {
    const finished = new Date();
    const { modelDir, name, kind, source, parent, config } = this.identity;
    return {
      id: this.id,
      name,
      modelDir,
      kind,
      ...(parent ? { parent } : {}),
      source,
      status,
      ...(error !== undefined ? { error: errorLine(error) } : {}),
      startedAt: this.startedAt.toISOString(),
      finishedAt: finished.toISOString(),
      seconds: (finished.getTime() - this.startedAt.getTime()) / 1000,
      config,
      split: this.split,
      backend: this.backend,
      dataset: this.dataset,
      labels: this.labels,
      history: this.history,
      epochs: this.history.length,
      bestEpoch: this.bestEpoch,
      metrics: { validation: this.validation, test: this.test },
    };
  }

  /** Writes the record of a finished run; returns its file. */
  done(): string {
    return writeRunRecord(this.record('done'));
  }

  /**
   * Writes the record of a run that threw, cancelled or failed (see {@link leavesRecord}: a run refused by its checks
   * before its data was ready leaves none). A record that cannot be written does not hide the run's own error.
   */
  ended(error: unknown, signal?: AbortSignal): string | undefined {
    const status = endingOf(error, signal);
    if (!leavesRecord(status, this.split !== undefined, error)) return undefined;
    try {
      return writeRunRecord(this.record(status, error));
    } catch {
      return undefined;
    }
  }
}
