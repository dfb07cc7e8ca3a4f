import { classificationMetrics, summarizeFolds, type ClassificationMetrics } from '../metrics';
import type { FoldOutcome, KFoldSummary } from './record';

/** Metrics of a confusion matrix (rows true, columns predicted), as if computed from the clips it counts. */
export function metricsFromConfusion(confusion: readonly (readonly number[])[], labels: readonly string[]): ClassificationMetrics {
  const truth: number[] = [];
  const predicted: number[] = [];
  confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      for (let i = 0; i < count; i++) {
        truth.push(t);
        predicted.push(p);
      }
    }),
  );
  return classificationMetrics(truth, predicted, labels);
}

/**
 * The k-fold summary over the folds that finished with test metrics: mean ± sample standard deviation of WA, UAR and
 * macro-F1, and the summed confusion matrix; undefined when no fold has finished. `of` is the run's number of folds.
 */
export function kfoldSummary(folds: readonly FoldOutcome[], of: number): KFoldSummary | undefined {
  const tested = folds.filter((fold) => fold.status === 'done' && fold.test).map((fold) => fold.test!);
  if (tested.length === 0) return undefined;
  const summary = summarizeFolds(tested);
  return {
    folds: tested.length,
    of,
    labels: [...tested[0].labels],
    accuracy: summary.accuracy,
    uar: summary.uar,
    macroF1: summary.macroF1,
    confusion: summary.confusion,
    n: tested.reduce((sum, metrics) => sum + metrics.n, 0),
  };
}
