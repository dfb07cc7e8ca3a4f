import type { EpochRecord } from '../core/train/checkpoint';
import type { ClassificationMetrics } from '../core/metrics';
import type { TrainEvent, TrainModelResult } from '../core/train/run';
import type { DashboardRun, EpochView, MetricsView } from './panelProtocol';

/** How training results are shown (dashboard panel, notebook outputs): plain JSON, epochs numbered from 1. */

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

/** The dashboard's view of a run after one more training event (epochs and batches from 1). */
export function applyTrainEvent(run: DashboardRun, event: TrainEvent): DashboardRun {
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
