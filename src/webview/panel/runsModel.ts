import type { KFoldView, RunSummary } from '../../shared/panelProtocol';
import { formatCount, formatPercent } from './model';
import { formatMeanStd } from '../../shared/trainingView';

/**
 * What Compare Runs and the dashboard's k-fold section show, shaped without the DOM or Plotly: settings side by side,
 * the confusion-matrix difference of two runs, the default pair to compare, and fold rows.
 */

/** A label telling runs apart in pickers and legends: the name, and the start time when two runs share a folder. */
export function runLabel(run: RunSummary, runs: readonly RunSummary[]): string {
  const shared = runs.filter((other) => other.name === run.name).length > 1;
  return shared ? `${run.name} (${run.createdAt.slice(0, 16).replace('T', ' ')})` : run.name;
}

/** One setting across runs: its value in each, and whether they differ. */
export interface SettingRow {
  readonly name: string;
  readonly values: readonly string[];
  readonly differs: boolean;
}

/** Every setting any run has, in first-seen order, with each run's value ("—" when a run lacks it) and whether they differ. */
export function settingsComparison(runs: readonly RunSummary[]): SettingRow[] {
  const names: string[] = [];
  for (const run of runs) for (const setting of run.settings ?? []) if (!names.includes(setting.name)) names.push(setting.name);
  return names.map((name) => {
    const values = runs.map((run) => run.settings?.find((setting) => setting.name === name)?.value ?? '—');
    return { name, values, differs: new Set(values).size > 1 };
  });
}

/** The cells of a confusion-matrix difference heatmap: B − A of row-normalised shares, per true (row) and predicted (column) label. */
export interface ConfusionDifference {
  readonly labels: readonly string[];
  /** B − A, in [−1, 1]; null where a label is missing from one run or has no test clips in it. */
  readonly difference: readonly (readonly (number | null)[])[];
  /** Cell text: signed percentage points ("+12.5"), empty where there is no difference to show. */
  readonly text: readonly (readonly string[])[];
  readonly hover: readonly (readonly string[])[];
  /** Recall (diagonal) difference per true label, null where unknown. */
  readonly recall: readonly (number | null)[];
  /** The mean of `recall` over the emotions both runs tested, and how many those are. */
  readonly meanRecallDifference: number | undefined;
  readonly sharedEmotions: number;
  /**
   * B's UAR minus A's, each over the emotions that run tested (its own matrix): equal to `meanRecallDifference` when
   * both tested the same emotions; undefined when a run tested none.
   */
  readonly uarDifference: number | undefined;
}

/** UAR of a confusion matrix: the mean recall over the labels that have test clips; undefined when none has. */
function matrixUar(matrix: { readonly confusion: readonly (readonly number[])[] }): number | undefined {
  const recalls = matrix.confusion
    .map((row, t) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return sum > 0 ? (row[t] ?? 0) / sum : undefined;
    })
    .filter((value): value is number => value !== undefined);
  return recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : undefined;
}

/** Rows of a confusion matrix divided by their sums; null for labels absent or without clips. */
function rowShares(matrix: { readonly labels: readonly string[]; readonly confusion: readonly (readonly number[])[] }, labels: readonly string[]): (number | null)[][] {
  return labels.map((truth) => {
    const t = matrix.labels.indexOf(truth);
    const row = t >= 0 ? matrix.confusion[t] : undefined;
    const sum = row ? row.reduce((a, b) => a + b, 0) : 0;
    return labels.map((predicted) => {
      const p = matrix.labels.indexOf(predicted);
      return row && sum > 0 && p >= 0 ? (row[p] ?? 0) / sum : null;
    });
  });
}

/** A signed share in percentage points: "+12.5", "−3.0", "0.0". */
function signedPoints(value: number): string {
  const points = value * 100;
  const text = Math.abs(points).toFixed(1);
  return points > 0.05 ? `+${text}` : points < -0.05 ? `−${text}` : '0.0';
}

/**
 * B − A of two runs' test confusion matrices, each row divided by its clips (so the diagonal is the recall difference):
 * labels of A first, then B's others. Positive on the diagonal: B recognises that emotion more often; positive off it:
 * B confuses it with that label more often.
 */
export function confusionDifference(a: NonNullable<RunSummary['testConfusion']>, b: NonNullable<RunSummary['testConfusion']>, names: { a: string; b: string } = { a: 'A', b: 'B' }): ConfusionDifference {
  const labels = [...a.labels, ...b.labels.filter((label) => !a.labels.includes(label))];
  const shareA = rowShares(a, labels);
  const shareB = rowShares(b, labels);
  const difference = labels.map((_, t) => labels.map((__, p) => (shareA[t][p] === null || shareB[t][p] === null ? null : shareB[t][p]! - shareA[t][p]!)));
  const text = difference.map((row) => row.map((value) => (value === null ? '' : signedPoints(value))));
  const share = (value: number | null) => (value === null ? 'not tested' : formatPercent(value));
  const hover = labels.map((truth, t) =>
    labels.map((predicted, p) => {
      const value = difference[t][p];
      const what = t === p ? `${truth} recognised` : `${truth} taken for ${predicted}`;
      return `${what}<br>${names.a}: ${share(shareA[t][p])}<br>${names.b}: ${share(shareB[t][p])}${value === null ? '' : `<br>${names.b} − ${names.a}: ${signedPoints(value)} points`}`;
    }),
  );
  const recall = labels.map((_, i) => difference[i][i]);
  const known = recall.filter((value): value is number => value !== null);
  const [uarA, uarB] = [matrixUar(a), matrixUar(b)];
  return {
    labels,
    difference,
    text,
    hover,
    recall,
    meanRecallDifference: known.length ? known.reduce((s, v) => s + v, 0) / known.length : undefined,
    sharedEmotions: known.length,
    uarDifference: uarA !== undefined && uarB !== undefined ? uarB - uarA : undefined,
  };
}

/**
 * The two runs compared by default, as indices into `runs` (A the older, B the newer): the two newest with a test
 * confusion matrix, runs of their own and k-fold runs before single folds; undefined when fewer than two have one.
 */
export function defaultPair(runs: readonly RunSummary[]): { a: number; b: number } | undefined {
  const candidates = runs
    .map((run, index) => ({ run, index }))
    .filter(({ run }) => run.testConfusion !== undefined)
    .sort((x, y) => Number(x.run.kind === 'fold') - Number(y.run.kind === 'fold') || y.run.createdAt.localeCompare(x.run.createdAt));
  if (candidates.length < 2) return undefined;
  const [newer, older] = candidates;
  return { a: older.index, b: newer.index };
}

/** A fold's row in the dashboard's fold table, formatted. */
export interface FoldCells {
  readonly fold: string;
  readonly speakers: string;
  readonly accuracy: string;
  readonly uar: string;
  readonly macroF1: string;
  readonly clips: string;
  readonly status: string;
}

/** The fold table's rows (folds from 1) and its mean ± std line, or undefined for the line until a fold has finished. */
export function foldTable(kfold: KFoldView): { rows: FoldCells[]; summary?: FoldCells } {
  const rows = (kfold.rows ?? []).map((row) => ({
    fold: String(row.fold),
    speakers: row.testSpeakers.join(', ') || '—',
    accuracy: formatPercent(row.accuracy),
    uar: formatPercent(row.uar),
    macroF1: formatPercent(row.macroF1),
    clips: formatCount(row.n),
    status: row.reused ? 'done (kept)' : row.error ? `${row.status}: ${row.error}` : row.status,
  }));
  const s = kfold.summary;
  if (!s) return { rows };
  return {
    rows,
    summary: {
      fold: s.folds === kfold.folds ? 'Mean ± std' : `Mean ± std (${s.folds} of ${kfold.folds})`,
      speakers: '',
      accuracy: formatMeanStd(s.accuracy),
      uar: formatMeanStd(s.uar),
      macroF1: formatMeanStd(s.macroF1),
      clips: formatCount(s.n),
      status: '',
    },
  };
}
