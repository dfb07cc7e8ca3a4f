import type { TrainKFoldResult } from '../core/train/kfold';
import { formatPercent } from './progress';
import { formatMeanStd } from '../shared/trainingView';
import { formatTable } from './table';

/** The k-fold report the CLI prints: a row per fold, mean ± std, and the summed confusion matrix. */
export function formatKFoldReport(result: TrainKFoldResult): string {
  const { summary } = result;
  const rows = result.folds.map((fold) => [
    String(fold.fold + 1),
    fold.speakers.test.join(', '),
    formatPercent(fold.test?.accuracy),
    formatPercent(fold.test?.uar),
    formatPercent(fold.test?.macroF1),
    String(fold.test?.n ?? 0),
    String(fold.epochs),
    fold.reused ? 'kept' : fold.status,
  ]);
  rows.push(['mean ± std', '', formatMeanStd(summary.accuracy), formatMeanStd(summary.uar), formatMeanStd(summary.macroF1), String(summary.n), '', '']);
  const folds = formatTable(['fold', 'test speakers', 'WA', 'UAR', 'macro-F1', 'clips', 'epochs', 'status'], rows, [false, false, true, true, true, true, true, false]);
  const labels = summary.labels;
  const confusion = formatTable(
    ['true \\ predicted', ...labels],
    summary.confusion.map((row, t) => [labels[t], ...row.map(String)]),
    [false, ...labels.map(() => true)],
  );
  return (
    `${result.out}: ${summary.folds} folds by speaker on ${result.backend.name} in ${Math.round(result.seconds)} s\n\n` +
    folds +
    `\nconfusion matrix summed over the folds (${summary.n} test clips, each once):\n` +
    confusion +
    `\npooled over every clip: WA ${formatPercent(result.pooled.accuracy)}, UAR ${formatPercent(result.pooled.uar)}, macro-F1 ${formatPercent(result.pooled.macroF1)}\n`
  );
}
