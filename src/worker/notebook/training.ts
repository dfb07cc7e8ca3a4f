import * as path from 'node:path';
import { CancelledError } from '../../core/errors';
import type { TrainConfig } from '../../core/train/config';
import type { TrainKFoldResult } from '../../core/train/kfold';
import type { TrainModelResult } from '../../core/train/run';
import { MIME } from '../../shared/mime';
import type { DashboardRun } from '../../shared/panelProtocol';
import { applyTrainEvent, finishedKFoldRun, finishedRun, formatMeanStd, stoppedRun } from '../../shared/trainingView';
import type { CellEvent } from '../../shared/workerProtocol';
import { displayable, richItems, type Displayable } from './display';

/**
 * Options of `emo.train`: the dataset, the model folder, and training settings (the rest of TrainConfig too). With
 * `split: 'kfold'` (and no `fold`), one model per fold goes to `out/fold-1`…, scored per fold and as mean ± std.
 */
export interface TrainOptions extends Partial<TrainConfig> {
  readonly data: string;
  readonly out: string;
  readonly cacheDir?: string;
  readonly threads?: number;
}

/** What `emo.train` resolves to: the core's result (a k-fold result for k-fold runs) and the finished run as the dashboard shows it. */
export interface TrainedModel {
  readonly result: TrainModelResult | TrainKFoldResult;
  readonly run: DashboardRun;
}

/** Text fallback of a run. */
function runText(run: DashboardRun): string {
  const last = run.history[run.history.length - 1];
  const summary = run.kfold?.summary;
  if (summary) {
    const folds = run.kfold!.rows.map((row) => `fold ${row.fold} ${row.uar !== undefined ? `${(row.uar * 100).toFixed(1)}%` : row.status}`).join(', ');
    return `${run.name} (${run.arch}, k-fold, ${run.status}): ${run.message}; UAR ${formatMeanStd(summary.uar)} over ${summary.folds} folds (${folds})`;
  }
  const score = run.test ? `; test UAR ${(run.test.uar * 100).toFixed(1)}%, accuracy ${(run.test.accuracy * 100).toFixed(1)}%` : '';
  return `${run.name} (${run.arch}, ${run.status}): ${run.message}${last ? `; epoch ${last.epoch} validation UAR ${(last.validationUar * 100).toFixed(1)}%` : ''}${score}`;
}

/** Output items of a run (MIME.training with a text fallback). */
function runItems(run: DashboardRun) {
  return richItems(MIME.training, run, runText(run));
}

const UPDATE_INTERVAL_MS = 250;
let trainings = 0;

/**
 * Trains with live progress in the cell: a `display` when the run starts, then `update`s of the same output (at most
 * ~4 a second, every epoch and stage always), and a last update with the outcome. Interrupting aborts `signal`: the
 * promise rejects with the core's CancelledError (the checkpoint keeps the finished epochs).
 */
export async function trainWithProgress(
  options: TrainOptions,
  resolve: (file: string) => string,
  signal: AbortSignal,
  emit: (event: CellEvent) => void,
): Promise<TrainedModel & Displayable> {
  const { data, out, cacheDir, threads, ...config } = options;
  const modelDir = resolve(out);
  const id = `train-${process.pid}-${++trainings}`;
  let run: DashboardRun = {
    name: path.basename(modelDir),
    modelDir,
    status: 'running',
    message: 'Starting…',
    arch: config.arch ?? 'cnn-bn',
    labels: [],
    epochs: config.epochs ?? 30,
    history: [],
    startedAt: new Date().toISOString(),
  };
  emit({ type: 'display', id, items: runItems(run) });
  let lastUpdate = Date.now();
  const update = (force: boolean) => {
    if (!force && Date.now() - lastUpdate < UPDATE_INTERVAL_MS) return;
    lastUpdate = Date.now();
    emit({ type: 'update', id, items: runItems(run) });
  };
  // TensorFlow.js loads with the training code, on first use.
  const { trainModel } = await import('../../core/train/run');
  const { trainKFold } = await import('../../core/train/kfold');
  try {
    const params = {
      dataDir: resolve(data),
      out: modelDir,
      config,
      cacheDir: cacheDir === undefined ? undefined : resolve(cacheDir),
      threads,
      signal,
      source: 'notebook' as const,
      onEvent: (event: Parameters<typeof applyTrainEvent>[1]) => {
        run = applyTrainEvent(run, event);
        update(event.type !== 'batch' && event.type !== 'preprocess');
      },
    };
    const kfold = config.split === 'kfold' && config.fold === undefined;
    const result = kfold ? await trainKFold(params) : await trainModel(params);
    run = {
      ...('summary' in result ? finishedKFoldRun(run, result) : finishedRun(run, result)),
      epoch: undefined,
      batch: undefined,
      etaSeconds: undefined,
    };
    update(true);
    const finished = run;
    return displayable({ result, run: finished }, () => [{ id, items: runItems(finished) }]);
  } catch (error) {
    const cancelled = signal.aborted;
    run = stoppedRun(run, cancelled ? 'cancelled' : 'failed', cancelled ? 'Cancelled: the checkpoint keeps the finished epochs' : String(error instanceof Error ? error.message : error));
    update(true);
    // Interrupted while computing features, the core reports a usage error; the cell reports the interrupt.
    throw cancelled && !(error instanceof CancelledError) ? new CancelledError('training interrupted') : error;
  }
}
