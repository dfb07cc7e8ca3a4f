import type { EpochRecord } from '../core/train/checkpoint';
import type { ClassificationMetrics } from '../core/metrics';
import type { FoldOutcome, KFoldSummary, RunRecord } from '../core/runs/record';
import type { TrainKFoldResult } from '../core/train/kfold';
import type { FoldEvent, TrainEvent, TrainModelResult } from '../core/train/run';
import type { DashboardRun, EpochView, FoldRowView, KFoldView, MetricsView } from './panelProtocol';

/** How training results are shown (dashboard panel, notebook outputs): plain JSON, epochs numbered from 1. */

/** A mean ± standard deviation of 0–1 shares as percentages ("45.2% ± 3.1%"); a dash when unknown. */
export function formatMeanStd(value: { readonly mean: number; readonly std: number } | undefined): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  return value ? `${pct(value.mean)} ± ${pct(value.std)}` : '—';
}

/** An epoch record as views show it: numbered from 1. */
export function epochView(record: EpochRecord): EpochView {
  return { ...record, epoch: record.epoch + 1 };
}

/** Metrics as views show them (the plain fields). */
export function metricsView(metrics: ClassificationMetrics | undefined): MetricsView | undefined {
  if (!metrics) return undefined;
  const { n, accuracy, uar, macroF1, labels, confusion, confusionNormalized, perClass } = metrics;
  return { n, accuracy, uar, macroF1, labels, confusion, confusionNormalized, perClass };
}

/** The dashboard's view of a run after one more training event (epochs, batches and folds from 1). */
export function applyTrainEvent(run: DashboardRun, event: TrainEvent): DashboardRun {
  if (event.type === 'fold') return applyFoldEvent(run, event);
  const next = applyRunEvent(run, event);
  return event.fold !== undefined && run.kfold ? { ...next, message: `Fold ${event.fold + 1}/${run.kfold.folds}: ${next.message}` } : next;
}

/** A fold's row: its state and, once it finished, its test scores. */
function foldRow(event: Pick<FoldEvent, 'fold' | 'modelDir' | 'speakers' | 'status' | 'outcome'>): FoldRowView {
  const { outcome } = event;
  return {
    fold: event.fold + 1,
    modelDir: event.modelDir,
    testSpeakers: event.speakers.test,
    status: event.status,
    ...(outcome?.reused ? { reused: true } : {}),
    ...(outcome?.test ? { accuracy: outcome.test.accuracy, uar: outcome.test.uar, macroF1: outcome.test.macroF1, n: outcome.test.n } : {}),
    ...(outcome?.error ? { error: outcome.error } : {}),
  };
}

/** The summary line's numbers. */
function summaryView(summary: KFoldSummary | undefined): KFoldView['summary'] {
  return summary && { folds: summary.folds, n: summary.n, accuracy: summary.accuracy, uar: summary.uar, macroF1: summary.macroF1 };
}

/** A fold planned, started or ended: its row; a starting fold also clears the curves, which follow the running fold. */
function applyFoldEvent(run: DashboardRun, event: FoldEvent): DashboardRun {
  const kfold: KFoldView = run.kfold ?? { folds: event.folds, rows: [] };
  const row = foldRow(event);
  const rows = [...kfold.rows.filter((r) => r.fold !== row.fold), row].sort((a, b) => a.fold - b.fold);
  const label = `Fold ${row.fold}/${event.folds}`;
  const next: KFoldView = { ...kfold, rows, summary: summaryView(event.summary) ?? kfold.summary };
  switch (event.status) {
    case 'waiting':
      return { ...run, kfold: next };
    case 'running':
      return {
        ...run,
        kfold: { ...next, current: row.fold },
        history: [],
        bestEpoch: undefined,
        epoch: undefined,
        batch: undefined,
        batches: undefined,
        etaSeconds: undefined,
        message: `${label}: testing speakers ${row.testSpeakers.join(', ')}`,
      };
    case 'done':
      return { ...run, kfold: next, message: row.reused ? `${label} kept from the earlier run` : `${label} done: test UAR ${((row.uar ?? 0) * 100).toFixed(1)}%` };
    default:
      return { ...run, kfold: next, message: `${label} ${event.status}${row.error ? `: ${row.error}` : ''}` };
  }
}

/** The dashboard's view of a run after one more event of a single model's training. */
function applyRunEvent(run: DashboardRun, event: Exclude<TrainEvent, FoldEvent>): DashboardRun {
  switch (event.type) {
    case 'stage':
      return { ...run, message: event.message };
    case 'preprocess':
      return { ...run, message: `Preprocessing ${event.done}/${event.total} files` };
    case 'start':
      return { ...run, backend: event.backend.device ? `${event.backend.name} (${event.backend.device})` : event.backend.name, labels: event.labels, epochs: event.epochs, message: `Training on ${event.train} files (${event.split})` };
    case 'batch':
      return {
        ...run,
        epoch: event.epoch + 1,
        batch: event.batch + 1,
        batches: event.batches,
        samplesPerSecond: event.samplesPerSecond,
        etaSeconds: event.etaSeconds,
        message: `Epoch ${event.epoch + 1}/${run.epochs}, batch ${event.batch + 1}/${event.batches}, loss ${event.loss.toFixed(3)}`,
      };
    case 'epoch': {
      const record = epochView(event.record);
      return {
        ...run,
        history: [...run.history, record],
        bestEpoch: event.best ? record.epoch : run.bestEpoch,
        epochs: event.epochs,
        message: `Epoch ${record.epoch}/${event.epochs}: validation UAR ${(record.validationUar * 100).toFixed(1)}%`,
      };
    }
  }
}

/** The run after training finished: status done, best epoch (from 1), and the validation and test metrics. */
export function finishedRun(run: DashboardRun, result: TrainModelResult): DashboardRun {
  return {
    ...run,
    status: 'done',
    message: `Finished in ${Math.round(result.seconds)} s: best epoch ${result.bestEpoch + 1}`,
    bestEpoch: result.bestEpoch + 1,
    test: metricsView(result.test),
    validation: metricsView(result.validation),
    seconds: result.seconds,
  };
}

/**
 * The run after training stopped with an error: cancelled or failed with `message`. A k-fold row still marked running
 * ends the same way (its fold event never came: the worker stopped), so no fold stays "running" on the dashboard.
 */
export function stoppedRun(run: DashboardRun, status: 'failed' | 'cancelled', message: string): DashboardRun {
  const error = message.split('\n')[0].trim();
  const rows = run.kfold?.rows.map((row) => (row.status === 'running' ? { ...row, status, ...(status === 'failed' && error ? { error } : {}) } : row));
  return { ...run, status, message, ...(run.kfold && rows ? { kfold: { ...run.kfold, rows } } : {}) };
}

/** Share of a run's work done (0–1) from its epochs and batches, and for k-fold its folds; undefined before training. */
export function runFraction(run: DashboardRun): number | undefined {
  const inFold = run.epoch && run.batches ? (run.epoch - 1 + (run.batch ?? 0) / run.batches) / run.epochs : undefined;
  if (!run.kfold) return inFold;
  const finished = run.kfold.rows.filter((row) => row.status === 'done').length;
  const running = run.kfold.rows.some((row) => row.status === 'running');
  return Math.min(1, (finished + (running ? inFold ?? 0 : 0)) / run.kfold.folds);
}

/** The rows of a k-fold run's folds from their outcomes (folds never reached stay waiting). */
function foldRows(folds: readonly FoldOutcome[], of: number, outDir: string, planned: readonly FoldRowView[] = []): FoldRowView[] {
  const rows = new Map(planned.map((row) => [row.fold, row]));
  for (const outcome of folds) rows.set(outcome.fold + 1, foldRow({ fold: outcome.fold, modelDir: outcome.modelDir, speakers: outcome.speakers, status: outcome.status, outcome }));
  for (let fold = 1; fold <= of; fold++) if (!rows.has(fold)) rows.set(fold, { fold, modelDir: `${outDir}/fold-${fold}`, testSpeakers: [], status: 'waiting' });
  return [...rows.values()].sort((a, b) => a.fold - b.fold);
}

/** The run after a k-fold run finished: every fold's row, mean ± std, and the confusion summed over the folds as `test`. */
export function finishedKFoldRun(run: DashboardRun, result: TrainKFoldResult): DashboardRun {
  const { summary } = result;
  return {
    ...run,
    status: 'done',
    message: `Finished ${summary.folds} folds in ${Math.round(result.seconds)} s: UAR ${formatMeanStd(summary.uar)}`,
    labels: result.labels,
    epoch: undefined,
    batch: undefined,
    etaSeconds: undefined,
    test: metricsView(result.pooled),
    validation: undefined,
    seconds: result.seconds,
    kfold: { folds: summary.of, current: run.kfold?.current, rows: foldRows(result.folds, summary.of, result.out, run.kfold?.rows), summary: summaryView(summary) },
  };
}

/** A recorded run as the dashboard shows it (after a reload): its curves, metrics and, for k-fold, its folds. */
export function dashboardRunFromRecord(record: RunRecord): DashboardRun {
  const { backend, kfold } = record;
  const labels = record.labels ?? record.metrics.test?.labels ?? record.metrics.validation?.labels ?? [];
  const of = record.config.folds ?? kfold?.folds.length ?? 0;
  return {
    name: record.name,
    modelDir: record.modelDir,
    status: record.status,
    message: record.status === 'done' ? `Finished ${new Date(record.finishedAt).toLocaleString()}` : `${record.status === 'failed' ? 'Failed' : 'Cancelled'}${record.error ? `: ${record.error}` : ''}`,
    arch: record.config.arch,
    backend: backend && (backend.device ? `${backend.name} (${backend.device})` : backend.name),
    labels,
    epochs: record.kind === 'kfold' ? record.epochs : Math.max(record.config.epochs, record.history.length),
    history: record.history.map(epochView),
    bestEpoch: record.bestEpoch >= 0 ? record.bestEpoch + 1 : undefined,
    test: metricsView(record.metrics.test),
    validation: metricsView(record.metrics.validation),
    startedAt: record.startedAt,
    seconds: record.seconds,
    ...(kfold ? { kfold: { folds: of, rows: foldRows(kfold.folds, of, record.modelDir), summary: summaryView(kfold.summary) } } : {}),
  };
}
