/**
 * The wasm training kernels and gradients (src/core/tf/wasmKernels.ts) against the cpu backend: Conv2DBackpropFilter
 * and Conv2DBackpropInput over strides, paddings, filter sizes, batches and channel counts; MaxPoolGrad with ties,
 * NaN and −∞; FusedBatchNorm, Sum, Mean and per-channel Add/Sub/Multiply; the BatchNorm and Mean gradients; a whole
 * training step of a tiny CNN, cnn-bn and resnet-blocks; and no tensors, backend buffers or wasm heap left behind.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { simdKernels } from '../../src/core/tf/wasmSimd';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildModel } from '../../src/core/models';
import { Random } from '../../src/core/random';
import { registerWasmTrainingKernels } from '../../src/core/tf/wasmKernels';
import { modelStep } from '../helpers/training';

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

/**
 * Shapes for the SIMD filter-gradient kernel (outC % 8 = 0; input channels in fours, then one by one): uneven explicit
 * padding, unequal strides, ceil rounding, rows longer than one chunk of pixels and many short rows per chunk. The dX
 * tests use them too.
 */
const SIMD_KERNEL_CASES: GradientCase[] = [
  { batch: 2, height: 13, width: 17, inChannels: 8, outChannels: 16, filter: [3, 5], strides: [2, 1], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { batch: 2, height: 13, width: 17, inChannels: 4, outChannels: 8, filter: [3, 3], strides: [2, 2], pad: 1, dimRoundingMode: 'ceil' },
  { batch: 1, height: 3, width: 301, inChannels: 4, outChannels: 8, filter: [3, 3], strides: [1, 1], pad: 'same' },
  { batch: 3, height: 40, width: 5, inChannels: 12, outChannels: 24, filter: [2, 2], strides: [1, 1], pad: 'valid' },
  { batch: 2, height: 13, width: 17, inChannels: 7, outChannels: 16, filter: [3, 3], strides: [2, 2], pad: 'same' },
];

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
  ...SIMD_KERNEL_CASES,
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

  it('finds the built SIMD kernels on the wasm backend (NHWC cases with outC % 8 = 0 use them)', async () => {
    await use('wasm');
    assert.ok(simdKernels(tf.backend()), 'dist/simd-kernels.wasm is built and instantiates on the backend memory');
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

/** `f` on the cpu backend, then on wasm: [expected, actual]. */
async function onBoth<T>(f: () => T): Promise<[T, T]> {
  await use('cpu');
  const expected = f();
  await use('wasm');
  return [expected, f()];
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  const error = relativeError(actual, expected);
  assert.ok(error <= TOLERANCE, `${what}: relative error ${error.toExponential(2)}`);
}

/** dX of `c` on the current backend, through the Conv2DBackpropInput kernel itself. */
function inputGradient(c: GradientCase, filterValues: Float32Array, dyValues: Float32Array): Float32Array {
  const shapes = shapesOf(c);
  return tf.tidy(() => {
    const inputs = { dy: tf.tensor4d(dyValues, shapes.dy), filter: tf.tensor4d(filterValues, shapes.filter) };
    const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', inputShape: shapes.x };
    if (c.dimRoundingMode) attrs.dimRoundingMode = c.dimRoundingMode;
    const dX = tf.engine().runKernel(tf.Conv2DBackpropInput, inputs, attrs) as tf.Tensor;
    assert.deepEqual(dX.shape, shapes.x);
    return dX.dataSync() as Float32Array;
  });
}

/** Every filter size × stride × padding (same, valid, explicit), with batch 4 and 1→8 channels, and batch 1 and 16→24. */
function inputGridCases(): GradientCase[] {
  const cases: GradientCase[] = [];
  const explicit: Pad = [[0, 0], [2, 1], [1, 3], [0, 0]];
  for (const size of [1, 3, 7]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid', explicit] as Pad[]) {
        for (const [batch, inChannels, outChannels] of [[4, 1, 8], [1, 16, 24]]) {
          cases.push({ batch, height: 13, width: 17, inChannels, outChannels, filter: [size, size], strides: [stride, stride], pad });
        }
      }
    }
  }
  return cases;
}

const INPUT_EXTRA_CASES: GradientCase[] = [
  { batch: 4, height: 14, width: 16, inChannels: 16, outChannels: 32, filter: [3, 3], strides: [2, 2], pad: 'same' },
  { batch: 4, height: 14, width: 16, inChannels: 32, outChannels: 16, filter: [1, 1], strides: [2, 2], pad: 'same' },
  { batch: 2, height: 12, width: 12, inChannels: 4, outChannels: 6, filter: [2, 2], strides: [2, 2], pad: 'valid' },
  { batch: 2, height: 13, width: 17, inChannels: 3, outChannels: 8, filter: [3, 5], strides: [1, 2], pad: 'same' },
  { batch: 2, height: 13, width: 17, inChannels: 3, outChannels: 5, filter: [3, 3], strides: [3, 3], pad: 'same' },
  { batch: 2, height: 13, width: 17, inChannels: 5, outChannels: 6, filter: [3, 3], strides: [2, 2], pad: 1, dimRoundingMode: 'ceil' },
  { batch: 2, height: 9, width: 11, inChannels: 1, outChannels: 4, filter: [1, 1], strides: [3, 3], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { batch: 4, height: 13, width: 17, inChannels: 16, outChannels: 32, filter: [3, 3], strides: [2, 2], pad: 'same', dataFormat: 'NCHW' },
  ...SIMD_KERNEL_CASES,
];

/** d(Σ maxPool(x)·weights)/dx on the current backend (weights make every window's dy distinct). */
function maxPoolGradient(xValues: Float32Array, shape: Shape4D, size: number, stride: number, pad: 'same' | 'valid' | number): Float32Array {
  return tf.tidy(() => {
    const loss = (x: tf.Tensor) => {
      const pooled = tf.maxPool(x as tf.Tensor4D, size, stride, pad);
      return tf.sum(tf.mul(pooled, tf.reshape(tf.range(1, pooled.size + 1), pooled.shape)));
    };
    return tf.grad(loss)(tf.tensor4d(xValues, shape)).dataSync() as Float32Array;
  });
}

/** Values with ties (small integers), NaN and −∞ — the cases where tie-breaking rules show. */
function tiedValues(count: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count }, () => {
    const v = random.next();
    if (v < 0.05) return Number.NaN;
    if (v < 0.1) return Number.NEGATIVE_INFINITY;
    return Math.floor(v * 4) - 2;
  });
}

/**
 * BatchNorm in training, as tfjs-layers computes it (moments over all axes but the last, then batchNorm), through a
 * weighted sum: the loss and its gradients with respect to x, gamma and beta on the current backend. (tfjs-core cannot
 * differentiate batchNorm without a scale on any backend, so there is always one.)
 */
function batchNormGradients(xValues: Float32Array, shape: number[]): Float32Array[] {
  return tf.tidy(() => {
    const channels = shape[shape.length - 1];
    const x = tf.tensor(xValues, shape);
    const gamma = tf.tensor1d(randomValues(channels, 31).map((v) => 1 + v / 4));
    const beta = tf.tensor1d(randomValues(channels, 32));
    const weights = tf.tensor(randomValues(xValues.length, 33), shape);
    const axes = shape.slice(0, -1).map((_, i) => i);
    const loss = (input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
      const { mean, variance } = tf.moments(input, axes);
      return tf.sum(tf.mul(tf.batchNorm(input, mean, variance, offset, scale, 1e-5), weights));
    };
    const { value, grads } = tf.valueAndGrads(loss)([x, gamma, beta]);
    return [value, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe('wasm Conv2DBackpropInput', () => {
  before(async () => {
    await use('wasm');
    registerWasmTrainingKernels();
  });

  [...inputGridCases(), ...INPUT_EXTRA_CASES].forEach((c, i) => {
    it(`dX equals the cpu backend's: ${describeCase(c)}`, async () => {
      const shapes = shapesOf(c);
      const filterValues = randomValues(shapes.filter.reduce((a, b) => a * b, 1), 3 * i + 1);
      const dyValues = randomValues(shapes.dy.reduce((a, b) => a * b, 1), 3 * i + 2);
      const [expected, actual] = await onBoth(() => inputGradient(c, filterValues, dyValues));
      assertClose(actual, expected, 'dX');
    });
  });

  it('an input no dy value reaches gets a zero gradient', async () => {
    await use('wasm');
    const c: GradientCase = { batch: 1, height: 5, width: 5, inChannels: 2, outChannels: 3, filter: [1, 1], strides: [2, 2], pad: 'valid' };
    const dX = inputGradient({ ...c, height: 5, width: 5 }, randomValues(6, 1), randomValues(9 * 3, 2));
    assert.equal(dX.length, 5 * 5 * 2);
    const empty = inputGradient({ ...c, batch: 0 }, randomValues(6, 1), new Float32Array(0));
    assert.equal(empty.length, 0);
  });
});

describe('wasm MaxPoolGrad', () => {
  const pools: Array<[number, number, 'same' | 'valid' | number]> = [[2, 2, 'same'], [2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [3, 2, 1]];
  for (const [size, stride, pad] of pools) {
    for (const ties of [false, true]) {
      it(`dx equals the cpu backend's: ${size}×${size} stride ${stride} pad ${pad}${ties ? ', with ties, NaN and −∞' : ''}`, async () => {
        // [2, 14, 16, 8]: a 2×2 stride-2 pool tiles it exactly, which the SIMD kernel handles.
        for (const shape of [[2, 13, 17, 5], [2, 14, 16, 3], [2, 14, 16, 8]] as Shape4D[]) {
          const count = shape.reduce((a, b) => a * b, 1);
          const values = ties ? tiedValues(count, 5) : randomValues(count, 6);
          const [expected, actual] = await onBoth(() => maxPoolGradient(values, shape, size, stride, pad));
          assert.deepEqual(Array.from(actual), Array.from(expected));
        }
      });
    }
  }
});

describe('wasm FusedBatchNorm, Sum, Mean and per-channel Add/Sub/Multiply', () => {
  it('batchNorm equals the cpu backend\'s with [C] and [1, 1, 1, C] statistics, with and without scale and offset', async () => {
    const x = randomValues(4 * 9 * 11 * 6, 51).map((v) => 3 + 2 * v);
    const statistics = [randomValues(6, 52).map((v) => 3 + v), randomValues(6, 53).map((v) => 4 + v), randomValues(6, 54), randomValues(6, 55)];
    for (const shape of [[6], [1, 1, 1, 6]]) {
      for (const affine of [true, false]) {
        const [expected, actual] = await onBoth(() =>
          tf.tidy(() => {
            const [mean, variance, offset, scale] = statistics.map((values) => tf.tensor(values, shape));
            const input = tf.tensor4d(x, [4, 9, 11, 6]);
            const y = affine ? tf.batchNorm(input, mean, variance, offset, scale, 1e-3) : tf.batchNorm(input, mean, variance, undefined, undefined, 1e-3);
            return y.dataSync() as Float32Array;
          }),
        );
        assertClose(actual, expected, `batchNorm ${JSON.stringify(shape)} affine ${affine}`);
      }
    }
  });

  it('Sum and Mean equal the cpu backend\'s over leading, middle, innermost and all axes', async () => {
    const reductions: Array<[number[], number[], boolean]> = [
      [[4, 5, 6, 7], [0, 1, 2], false],
      [[4, 5, 6, 7], [1, 2], true],
      [[4, 5, 6, 7], [0], false],
      [[4, 5, 6, 7], [3], false],
      [[4, 5, 7, 1], [2], false],
      [[4, 5, 6, 7], [0, 2], false],
      [[3, 600, 11], [0, 1], false],
      [[4, 5, 6, 7], [0, 1, 2, 3], false],
    ];
    for (const [shape, axes, keepDims] of reductions) {
      const values = randomValues(shape.reduce((a, b) => a * b, 1), 61).map((v) => 50 + v);
      for (const op of [tf.sum, tf.mean]) {
        const [expected, actual] = await onBoth(() => tf.tidy(() => op(tf.tensor(values, shape), axes, keepDims).dataSync() as Float32Array));
        assertClose(actual, expected, `${op === tf.sum ? 'sum' : 'mean'} of ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`);
      }
    }
    await use('wasm');
    assert.deepEqual(Array.from(tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).dataSync())), [4, 6]);
  });

  it('Sum and Mean over a long leading axis of 16,384+ columns are right and leave the wasm heap intact', async () => {
    // XNNPACK's average pooling overruns its stack for pools of 8+ values with this many channels; the reduction must
    // not take that path. A damaged heap shows up on the next allocations.
    await use('wasm');
    for (const op of [tf.sum, tf.mean]) {
      const got = tf.tidy(() => op(tf.ones([64, 1, 16384]), 0).dataSync() as Float32Array);
      assert.equal(got.length, 16384);
      assert.ok(got.every((v) => v === (op === tf.sum ? 64 : 1)), 'every column reduced');
      const after = tf.tidy(() => tf.sum(tf.add(tf.ones([1 << 20]), tf.ones([1 << 20]))).dataSync()[0]);
      assert.equal(after, 2 ** 21);
    }
  });

  it('per-channel Add, Sub and Multiply equal the cpu backend\'s in both operand orders', async () => {
    const full = randomValues(4 * 32 * 32 * 8, 71);
    const vector = randomValues(8, 72);
    for (const shape of [[8], [1, 1, 1, 8]]) {
      for (const op of [tf.add, tf.sub, tf.mul]) {
        const [expected, actual] = await onBoth(() =>
          tf.tidy(() => {
            const x = tf.tensor4d(full, [4, 32, 32, 8]);
            const c = tf.tensor(vector, shape);
            return [op(x, c), op(c, x)].map((t) => t.dataSync() as Float32Array);
          }),
        );
        expected.forEach((e, i) => assert.deepEqual(Array.from(actual[i]), Array.from(e)));
      }
    }
  });

  it('a clone shares the data and outlives its original', async () => {
    await use('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const buffers = tf.backend().numDataIds();
    const copy = tf.clone(x);
    const same = tf.cast(x, 'float32');
    assert.equal(tf.backend().numDataIds(), buffers);
    x.dispose();
    assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(same.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(tf.tidy(() => tf.cast(copy, 'int32').dataSync())), [1, 2, 3]);
    tf.dispose([copy, same]);
  });
});

describe('wasm gradients and training steps', () => {
  before(async () => {
    await use('wasm');
    registerWasmTrainingKernels();
  });

  it('registerWasmTrainingKernels is idempotent for replaced kernels and gradients', () => {
    const kernels = [tf.Conv2DBackpropInput, tf.MaxPoolGrad, tf.Sum].map((name) => tf.getKernel(name, 'wasm'));
    const gradients = [tf.FusedBatchNorm, tf.Mean].map((name) => tf.getGradient(name));
    registerWasmTrainingKernels();
    assert.deepEqual([tf.Conv2DBackpropInput, tf.MaxPoolGrad, tf.Sum].map((name) => tf.getKernel(name, 'wasm')), kernels);
    assert.deepEqual([tf.FusedBatchNorm, tf.Mean].map((name) => tf.getGradient(name)), gradients);
  });

  for (const shape of [[4, 9, 11, 6], [40, 5]]) {
    it(`BatchNorm training gradients equal the cpu backend's: ${JSON.stringify(shape)}`, async () => {
      const values = randomValues(shape.reduce((a, b) => a * b, 1), 81).map((v) => 2 + 3 * v);
      const [expected, actual] = await onBoth(() => batchNormGradients(values, shape));
      expected.forEach((e, i) => assertClose(actual[i], e, ['loss', 'dx', 'dgamma', 'dbeta'][i]));
    });
  }

  for (const arch of ['cnn-bn', 'resnet-blocks'] as const) {
    it(`a training step of ${arch} gives the cpu backend's loss and gradients`, async () => {
      await use('cpu');
      const cpu = modelStep(arch, [16, 24, 1], randomValues(4 * 16 * 24, 41));
      await use('wasm');
      const wasm = modelStep(arch, [16, 24, 1], randomValues(4 * 16 * 24, 41), cpu.weights);
      assert.ok(Math.abs(wasm.loss - cpu.loss) <= TOLERANCE * Math.abs(cpu.loss), `loss ${wasm.loss} vs ${cpu.loss}`);
      cpu.gradients.forEach((g, i) => assertClose(wasm.gradients[i], g, `gradient ${i}`));
    });
  }

  it('repeated cnn-bn Adam steps and kernel calls leave no tensors, backend buffers or wasm heap behind', async () => {
    await use('wasm');
    const model = buildModel('cnn-bn', { inputShape: [16, 24, 1], numClasses: 8, seed: 5 });
    const optimizer = tf.train.adam(1e-3);
    const images = tf.tensor4d(randomValues(4 * 16 * 24, 91), [4, 16, 24, 1]);
    const labels = tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 8) as tf.Tensor2D;
    const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const strided: GradientCase = { batch: 2, height: 13, width: 17, inChannels: 4, outChannels: 6, filter: [3, 3], strides: [2, 2], pad: 'same' };
    const shapes = shapesOf(strided);
    const filterValues = randomValues(shapes.filter.reduce((a, b) => a * b, 1), 92);
    const dyValues = randomValues(shapes.dy.reduce((a, b) => a * b, 1), 93);
    const step = () => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar, false, variables);
      inputGradient(strided, filterValues, dyValues);
      inputGradient({ ...strided, dataFormat: 'NCHW' }, filterValues, dyValues);
    };
    const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    step();
    step();
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    const heap = heapBytes();
    for (let i = 0; i < 5; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.backend().numDataIds(), buffers);
    assert.equal(heapBytes(), heap);
    tf.dispose([images, labels]);
    optimizer.dispose();
    model.dispose();
  });
});
