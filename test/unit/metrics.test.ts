import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classificationMetrics, summarizeFolds } from '../../src/core/metrics';

describe('classificationMetrics', () => {
  it('computes WA, UAR, macro-F1, per-class scores and the confusion matrix', () => {
    // Class a: 4 clips (3 right), b: 2 clips (1 right), c: 0 clips but predicted once.
    const truth = [0, 0, 0, 0, 1, 1];
    const predicted = [0, 0, 0, 1, 1, 2];
    const m = classificationMetrics(truth, predicted, ['a', 'b', 'c']);
    assert.equal(m.n, 6);
    assert.equal(m.accuracy, 4 / 6);
    assert.deepEqual(m.confusion, [
      [3, 1, 0],
      [0, 1, 1],
      [0, 0, 0],
    ]);
    assert.equal(m.uar, (3 / 4 + 1 / 2) / 2);
    const [a, b, c] = m.perClass;
    assert.equal(a.precision, 1);
    assert.equal(a.recall, 0.75);
    assert.ok(Math.abs(a.f1 - (2 * 0.75) / 1.75) < 1e-12);
    assert.equal(b.precision, 0.5);
    assert.equal(b.recall, 0.5);
    assert.equal(c.support, 0);
    assert.ok(Math.abs(m.macroF1 - (a.f1 + b.f1) / 2) < 1e-12);
    assert.deepEqual(m.confusionNormalized[0], [0.75, 0.25, 0]);
    assert.deepEqual(m.confusionNormalized[2], [0, 0, 0]);
  });

  it('UAR differs from accuracy on imbalanced data', () => {
    const truth = [...new Array(90).fill(0), ...new Array(10).fill(1)];
    const predicted = new Array(100).fill(0);
    const m = classificationMetrics(truth, predicted, ['majority', 'minority']);
    assert.equal(m.accuracy, 0.9);
    assert.equal(m.uar, 0.5);
  });

  it('rejects mismatched lengths and out-of-range classes', () => {
    assert.throws(() => classificationMetrics([0], [0, 1], ['a', 'b']), /1 true labels but 2 predictions/);
    assert.throws(() => classificationMetrics([0], [5], ['a', 'b']), /out of range/);
  });

  it('summarises folds as mean ± sample std and sums confusion matrices', () => {
    const f1 = classificationMetrics([0, 1], [0, 1], ['a', 'b']);
    const f2 = classificationMetrics([0, 1], [0, 0], ['a', 'b']);
    const s = summarizeFolds([f1, f2]);
    assert.equal(s.accuracy.mean, 0.75);
    assert.ok(Math.abs(s.accuracy.std - Math.SQRT1_2 / 2) < 1e-12);
    assert.deepEqual(s.confusion, [
      [2, 0],
      [1, 1],
    ]);
  });

  it('refuses to sum folds whose labels differ or come in another order, naming the fold', () => {
    const f1 = classificationMetrics([0, 1], [0, 1], ['a', 'b']);
    const swapped = classificationMetrics([0, 1], [0, 0], ['b', 'a']);
    const more = classificationMetrics([0, 1], [0, 1], ['a', 'b', 'c']);
    assert.throws(() => summarizeFolds([f1, swapped]), (error: unknown) => error instanceof RangeError && /^fold 2 has the labels b, a but fold 1 has a, b/.test(error.message));
    assert.throws(() => summarizeFolds([f1, f1, more]), /^RangeError: fold 3 has the labels a, b, c but fold 1 has a, b/);
  });
});
