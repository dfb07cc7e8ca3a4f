/**
 * The WebGPU rung: on a machine without a usable adapter it is skipped with a one-line reason (the ladder carries on);
 * where Dawn finds a GPU, a training step of cnn-bn gives the cpu backend's loss and gradients within float32 tolerance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initBackend } from '../../src/core/tf/backend';
import { probeWebGpu } from '../../src/core/tf/webgpu';
import { modelStep } from '../helpers/training';

/** Seeded values in [-1, 1). */
function randomValues(n: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** A cnn-bn training step on 32 × 32 inputs on the current backend. */
const trainingStep = (weights?: Float32Array[]) => modelStep('cnn-bn', [32, 32, 1], randomValues(4 * 32 * 32, 7), weights);

describe('the webgpu backend', () => {
  const probe = probeWebGpu();

  it('starts where Dawn finds an adapter, and is otherwise skipped with a one-line reason', async () => {
    if ('device' in probe) {
      const report = await initBackend('webgpu');
      assert.equal(report.tfBackend, 'webgpu');
      assert.equal(report.device, probe.device);
      return;
    }
    assert.ok(probe.problem.length > 0 && !probe.problem.includes('\n'), `one line: ${probe.problem}`);
    await assert.rejects(initBackend('webgpu'), (error: Error) => error.message === `no TensorFlow.js backend could start: webgpu: ${probe.problem}`);
    // The ladder records the reason and goes on to a rung that works.
    const report = await initBackend('auto');
    assert.ok(report.skipped.includes(`webgpu: ${probe.problem}`), report.skipped.join('; '));
    assert.notEqual(report.name, 'webgpu');
  });

  it('gives the cpu backend’s loss and gradients for a cnn-bn training step', async (t) => {
    if ('problem' in probe) {
      t.skip(`no WebGPU here: ${probe.problem}`);
      return;
    }
    await initBackend('cpu');
    const expected = trainingStep();
    await initBackend('webgpu');
    const actual = trainingStep(expected.weights);
    assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-4 * Math.max(1, Math.abs(expected.loss)), `loss ${actual.loss} vs ${expected.loss}`);
    expected.gradients.forEach((want, i) => {
      const got = actual.gradients[i];
      const scale = Math.max(...want.map(Math.abs), 1e-6);
      let worst = 0;
      for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]) / scale);
      // float32 on a GPU sums in another order: differences relative to the largest gradient stay below 1e-3.
      assert.ok(worst < 1e-3, `gradient ${i}: relative difference ${worst}`);
    });
    await initBackend('cpu');
  });
});
