/**
 * The wasm backend's Conv2DBackpropFilter (src/core/tf/wasmKernels.ts) against the cpu backend's: dW over strides,
 * paddings, filter sizes, batches and channel counts; tf.grad and a whole training step of a tiny CNN; and no tensors,
 * backend buffers or wasm heap left behind.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '../../src/core/random';
import { registerWasmTrainingKernels } from '../../src/core/tf/wasmKernels';

type Shape4D = [number, number, number, number];
type Pad = tf.Conv2DBackpropFilterAttrs['pad'];

interface GradientCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filter: [number, number];
  strides: [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const TOLERANCE = 1e-4;

/** Switches backend; the cpu backend's one-time advertisement for tfjs-node is silenced. */
async function use(name: 'cpu' | 'wasm'): Promise<void> {
  assert.ok(await tf.setBackend(name), `backend ${name} did not start`);
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

function randomValues(count: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count }, () => random.normal());
}

/** max |actual − expected| / max |expected| over all elements. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / (scale || 1);
}

function shapesOf(c: GradientCase): { x: Shape4D; dy: Shape4D; filter: Shape4D } {
  const nchw = c.dataFormat === 'NCHW';
  const x: Shape4D = nchw ? [c.batch, c.inChannels, c.height, c.width] : [c.batch, c.height, c.width, c.inChannels];
  const filter: Shape4D = [...c.filter, c.inChannels, c.outChannels];
  const format = nchw ? 'channelsFirst' : 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(x, filter, c.strides, 1, c.pad, c.dimRoundingMode, false, format);
  return { x, dy: info.outShape, filter };
}

/** dW of `c` on the current backend, through the Conv2DBackpropFilter kernel itself. */
function filterGradient(c: GradientCase, xValues: Float32Array, dyValues: Float32Array): Float32Array {
  const shapes = shapesOf(c);
  return tf.tidy(() => {
    const inputs = { x: tf.tensor4d(xValues, shapes.x), dy: tf.tensor4d(dyValues, shapes.dy) };
    const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', filterShape: shapes.filter };
    if (c.dimRoundingMode) attrs.dimRoundingMode = c.dimRoundingMode;
    const dW = tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, attrs) as tf.Tensor;
    assert.deepEqual(dW.shape, shapes.filter);
    return dW.dataSync() as Float32Array;
  });
}

function describeCase(c: GradientCase): string {
  const pad = typeof c.pad === 'string' || typeof c.pad === 'number' ? c.pad : JSON.stringify(c.pad);
  const extra = [c.dataFormat, c.dimRoundingMode].filter(Boolean).join(' ');
  return `${c.filter.join('×')} stride ${c.strides.join('×')} pad ${pad}, batch ${c.batch}, ${c.height}×${c.width}, ` +
    `${c.inChannels}→${c.outChannels}${extra ? ` ${extra}` : ''}`;
}

/** Every filter size × stride × padding, once with batch 4 and 1→16 channels and once with batch 1 and 16→32. */
function gridCases(): GradientCase[] {
  const cases: GradientCase[] = [];
  for (const size of [1, 3, 7]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        for (const [batch, inChannels, outChannels] of [[4, 1, 16], [1, 16, 32]]) {
          cases.push({ batch, height: 13, width: 17, inChannels, outChannels, filter: [size, size], strides: [stride, stride], pad });
        }
      }
    }
  }
  return cases;
}

const EXTRA_CASES: GradientCase[] = [
  { batch: 4, height: 13, width: 17, inChannels: 16, outChannels: 32, filter: [3, 3], strides: [1, 1], pad: 'same' },
  { batch: 4, height: 13, width: 17, inChannels: 16, outChannels: 32, filter: [3, 3], strides: [2, 2], pad: 'same' },
  // Even sizes: the last row/column is never read by a stride-2 window, and 'same' pads more at the bottom/right.
  { batch: 4, height: 14, width: 16, inChannels: 16, outChannels: 32, filter: [3, 3], strides: [2, 2], pad: 'valid' },
  { batch: 4, height: 14, width: 16, inChannels: 32, outChannels: 16, filter: [1, 1], strides: [2, 2], pad: 'same' },
  { batch: 2, height: 32, width: 32, inChannels: 1, outChannels: 64, filter: [7, 7], strides: [2, 2], pad: 'same' },
  { batch: 2, height: 13, width: 17, inChannels: 3, outChannels: 8, filter: [3, 5], strides: [1, 2], pad: 'same' },
  { batch: 2, height: 13, width: 17, inChannels: 5, outChannels: 6, filter: [3, 3], strides: [2, 2], pad: 1, dimRoundingMode: 'ceil' },
  { batch: 2, height: 13, width: 17, inChannels: 5, outChannels: 6, filter: [3, 5], strides: [2, 2], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { batch: 4, height: 13, width: 17, inChannels: 16, outChannels: 32, filter: [3, 3], strides: [2, 2], pad: 'same', dataFormat: 'NCHW' },
];

/** The tiny CNN's parameters: conv 3×3 1→8, conv 3×3 stride 2 8→16, dense 16→4. */
const WEIGHT_SHAPES: Record<string, number[]> = {
  conv1: [3, 3, 1, 8],
  bias1: [8],
  conv2: [3, 3, 8, 16],
  bias2: [16],
  dense: [16, 4],
  bias3: [4],
};

/** conv 3×3 → relu → 2×2 max-pool → conv 3×3 stride 2 → global average pool → dense; softmax cross-entropy. */
function tinyCnnLoss(w: Record<string, tf.Tensor>, images: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  let h = tf.relu(tf.add(tf.conv2d(images, w.conv1 as tf.Tensor4D, 1, 'same'), w.bias1));
  h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'same');
  h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, w.conv2 as tf.Tensor4D, 2, 'same'), w.bias2));
  const pooled = tf.mean(h, [1, 2]);
  const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, w.dense as tf.Tensor2D), w.bias3);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

interface StepResult {
  loss: number;
  gradients: Record<string, Float32Array>;
  updated: Record<string, Float32Array>;
}

/** One SGD step of the tiny CNN from fixed weights and data on the current backend. */
function trainingStep(): StepResult {
  return tf.tidy(() => {
    const variables: Record<string, tf.Variable> = {};
    Object.entries(WEIGHT_SHAPES).forEach(([name, shape], i) => {
      const count = shape.reduce((a, b) => a * b, 1);
      const scale = 1 / Math.sqrt(count / shape[shape.length - 1]);
      variables[name] = tf.variable(tf.tensor(randomValues(count, 100 + i).map((v) => v * scale), shape), true, `tiny_${name}`);
    });
    const images = tf.tensor4d(randomValues(4 * 13 * 17, 7), [4, 13, 17, 1]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4) as tf.Tensor2D;
    const { value, grads } = tf.variableGrads(() => tinyCnnLoss(variables, images, labels), Object.values(variables));
    const gradients: Record<string, Float32Array> = {};
    for (const name of Object.keys(WEIGHT_SHAPES)) gradients[name] = grads[`tiny_${name}`].dataSync() as Float32Array;
    const optimizer = tf.train.sgd(0.1);
    optimizer.applyGradients(grads);
    optimizer.dispose();
    const updated: Record<string, Float32Array> = {};
    for (const [name, variable] of Object.entries(variables)) updated[name] = variable.dataSync() as Float32Array;
    const loss = value.dataSync()[0];
    Object.values(variables).forEach((variable) => variable.dispose());
    return { loss, gradients, updated };
  });
}

/** Gradients of a conv2d loss with respect to input and filter, through tf.grads on the current backend. */
function convGrads(xValues: Float32Array, wValues: Float32Array): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const x = tf.tensor4d(xValues, [2, 13, 17, 16]);
    const w = tf.tensor4d(wValues, [3, 3, 16, 32]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
    const [dx, dw] = tf.grads(f)([x, w]);
    return [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
  });
}

describe('wasm Conv2DBackpropFilter', () => {
  before(async () => {
    await use('wasm');
    registerWasmTrainingKernels();
  });

  it('registerWasmTrainingKernels is idempotent and registers the kernel for wasm', () => {
    const first = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
    assert.ok(first, 'kernel not registered');
    registerWasmTrainingKernels();
    assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'), first);
  });

  [...gridCases(), ...EXTRA_CASES].forEach((c, i) => {
    it(`dW equals the cpu backend's: ${describeCase(c)}`, async () => {
      const shapes = shapesOf(c);
      const xValues = randomValues(shapes.x.reduce((a, b) => a * b, 1), 2 * i + 1);
      const dyValues = randomValues(shapes.dy.reduce((a, b) => a * b, 1), 2 * i + 2);
      await use('cpu');
      const expected = filterGradient(c, xValues, dyValues);
      await use('wasm');
      const actual = filterGradient(c, xValues, dyValues);
      const error = relativeError(actual, expected);
      assert.ok(error <= TOLERANCE, `relative error ${error.toExponential(2)}`);
    });
  });

  it('an empty batch gives a zero gradient', async () => {
    await use('wasm');
    const c: GradientCase = { batch: 0, height: 5, width: 5, inChannels: 2, outChannels: 3, filter: [3, 3], strides: [1, 1], pad: 'same' };
    const dW = filterGradient(c, new Float32Array(0), new Float32Array(0));
    assert.deepEqual(Array.from(dW), new Array(3 * 3 * 2 * 3).fill(0));
  });

  it('tf.grads of a stride-2 conv2d gives the cpu backend\'s dx and dW', async () => {
    const xValues = randomValues(2 * 13 * 17 * 16, 11);
    const wValues = randomValues(3 * 3 * 16 * 32, 12);
    await use('cpu');
    const [dxCpu, dwCpu] = convGrads(xValues, wValues);
    await use('wasm');
    const [dxWasm, dwWasm] = convGrads(xValues, wValues);
    assert.ok(relativeError(dxWasm, dxCpu) <= TOLERANCE, 'dx differs');
    assert.ok(relativeError(dwWasm, dwCpu) <= TOLERANCE, 'dW differs');
  });

  it('a training step of a tiny CNN gives the cpu backend\'s loss, gradients and updated weights', async () => {
    await use('cpu');
    const cpu = trainingStep();
    await use('wasm');
    const wasm = trainingStep();
    assert.ok(Math.abs(wasm.loss - cpu.loss) <= TOLERANCE * Math.abs(cpu.loss), `loss ${wasm.loss} vs ${cpu.loss}`);
    for (const name of Object.keys(WEIGHT_SHAPES)) {
      const error = relativeError(wasm.gradients[name], cpu.gradients[name]);
      assert.ok(error <= TOLERANCE, `gradient of ${name}: relative error ${error.toExponential(2)}`);
      assert.ok(relativeError(wasm.updated[name], cpu.updated[name]) <= TOLERANCE, `updated ${name} differs`);
    }
  });

  it('20 gradient computations leave no tensors, backend buffers or wasm heap behind', async () => {
    await use('wasm');
    const xValues = randomValues(2 * 13 * 17 * 16, 21);
    const wValues = randomValues(3 * 3 * 16 * 32, 22);
    // fh·fw·inC < outC: the im2col path (the other two computations take the dilated-convolution path).
    const patchesCase: GradientCase = {
      batch: 4, height: 13, width: 17, inChannels: 1, outChannels: 16, filter: [3, 3], strides: [2, 2], pad: 'same',
    };
    const shapes = shapesOf(patchesCase);
    const patchX = randomValues(shapes.x.reduce((a, b) => a * b, 1), 23);
    const patchDy = randomValues(shapes.dy.reduce((a, b) => a * b, 1), 24);
    const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    convGrads(xValues, wValues);
    trainingStep();
    filterGradient(patchesCase, patchX, patchDy);
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    const heap = heapBytes();
    for (let i = 0; i < 20; i++) {
      convGrads(xValues, wValues);
      trainingStep();
      filterGradient(patchesCase, patchX, patchDy);
    }
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.backend().numDataIds(), buffers);
    assert.equal(heapBytes(), heap);
  });
});
