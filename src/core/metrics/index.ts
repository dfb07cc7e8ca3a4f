/** Per-class precision, recall, F1 and support. */
export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** Classification results: WA (accuracy), UA/UAR (mean per-class recall), macro-F1, confusion matrix. */
export interface ClassificationMetrics {
  readonly n: number;
  /** Weighted accuracy: correct / total. */
  readonly accuracy: number;
  /** Unweighted average recall over classes present in the truth. */
  readonly uar: number;
  /** Mean F1 over classes present in the truth. */
  readonly macroF1: number;
  readonly labels: readonly string[];
  /** confusion[true][predicted] counts. */
  readonly confusion: readonly (readonly number[])[];
  /** Rows of `confusion` divided by their sums (all-zero rows stay zero). */
  readonly confusionNormalized: readonly (readonly number[])[];
  readonly perClass: readonly ClassMetrics[];
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Computes every metric from true and predicted class indices into `labels`. */
export function classificationMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, labels: readonly string[]): ClassificationMetrics {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} true labels but ${predicted.length} predictions`);
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new RangeError(`class index out of range at ${i}: true ${t}, predicted ${p}`);
    confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClass = labels.map((label, c) => {
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((sum, row) => sum + row[c], 0);
    const tp = confusion[c][c];
    const precision = predictedAs > 0 ? tp / predictedAs : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const present = perClass.filter((c) => c.support > 0);
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
  return {
    n: truth.length,
    accuracy: truth.length ? correct / truth.length : 0,
    uar: mean(present.map((c) => c.recall)),
    macroF1: mean(present.map((c) => c.f1)),
    labels: [...labels],
    confusion,
    confusionNormalized: confusion.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (sum > 0 ? v / sum : 0));
    }),
    perClass,
  };
}

/** Mean and sample standard deviation. */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

function meanStd(values: number[]): MeanStd {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * k-fold summary: mean ± std of WA, UAR and macro-F1 over folds, and the summed confusion matrix. Every fold must have
 * the same labels in the same order (a RangeError names the first fold that does not), so matrices sum cell by cell.
 */
export function summarizeFolds(folds: readonly ClassificationMetrics[]): {
  accuracy: MeanStd;
  uar: MeanStd;
  macroF1: MeanStd;
  confusion: number[][];
} {
  if (folds.length === 0) throw new RangeError('no folds to summarise');
  const labels = folds[0].labels;
  const k = labels.length;
  folds.forEach((fold, i) => {
    const same = fold.labels.length === k && fold.labels.every((label, j) => label === labels[j]);
    if (!same) throw new RangeError(`fold ${i + 1} has the labels ${fold.labels.join(', ')} but fold 1 has ${labels.join(', ')}; confusion matrices are summed only over the same labels in the same order`);
    if (fold.confusion.length !== k || fold.confusion.some((row) => row.length !== k)) throw new RangeError(`fold ${i + 1}'s confusion matrix is not ${k} × ${k}`);
  });
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const fold of folds) fold.confusion.forEach((row, i) => row.forEach((v, j) => (confusion[i][j] += v)));
  return {
    accuracy: meanStd(folds.map((f) => f.accuracy)),
    uar: meanStd(folds.map((f) => f.uar)),
    macroF1: meanStd(folds.map((f) => f.macroF1)),
    confusion,
  };
}
