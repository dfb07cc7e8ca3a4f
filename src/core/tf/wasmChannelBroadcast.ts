import * as tf from '@tensorflow/tfjs';
import { isPerChannel } from './wasmBatchNorm';
import { view, WasmFallback, WasmKernelScope } from './wasmKernelScope';

/** Below this many values the extra kernels of the depthwise form cost more than tfjs's broadcasting saves. */
const MIN_SIZE = 16384;

/** A 1×1 depthwise convolution over x seen as [1, rows, 1, C]: one factor and one bias per channel. */
const DEPTHWISE_1X1: tf.NamedAttrMap = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' };

type BinaryOp = 'Add' | 'Sub' | 'Multiply';

/**
 * `full op vector` (or `vector op full` when `vectorFirst`) with a per-channel vector as one 1×1 depthwise
 * convolution, x·factor + bias per channel: about 4× faster than tfjs's broadcasting kernels, and bit-identical
 * (x·1 + c, x·(−1) + c and x·c + 0 round exactly as x + c, c − x and x·c).
 */
function perChannel(scope: WasmKernelScope, op: BinaryOp, full: tf.TensorInfo, vector: tf.TensorInfo, vectorFirst: boolean): tf.TensorInfo {
  const channels = full.shape[full.shape.length - 1];
  const image = view(full, [1, tf.util.sizeFromShape(full.shape) / channels, 1, channels]);
  const values = view(vector, [channels]);
  if (op === 'Multiply') return scope.run('DepthwiseConv2dNative', { x: image, filter: view(vector, [1, 1, channels, 1]) }, DEPTHWISE_1X1);
  const sign = op === 'Sub' && vectorFirst ? -1 : 1;
  const filter = scope.run('Fill', {}, { shape: [1, 1, channels, 1], value: sign, dtype: 'float32' });
  const bias = op === 'Sub' && !vectorFirst ? scope.run('Neg', { x: values }) : scope.vector(vector, channels);
  return scope.run('FusedDepthwiseConv2D', { x: image, filter, bias }, DEPTHWISE_1X1);
}

/** An Add, Sub or Multiply kernel that takes float32 [.., C] ⊙ [C] broadcasts itself and leaves the rest to tfjs's. */
function channelBroadcastKernel(op: BinaryOp, fallback: WasmFallback): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const bothFloat = a.dtype === 'float32' && b.dtype === 'float32';
    const aFull = tf.util.sizeFromShape(a.shape) >= tf.util.sizeFromShape(b.shape);
    const [full, vector] = aFull ? [a, b] : [b, a];
    const channels = full.shape[full.shape.length - 1];
    const handled =
      bothFloat &&
      full.shape.length > 0 &&
      tf.util.sizeFromShape(full.shape) >= MIN_SIZE &&
      vector.shape.length <= full.shape.length &&
      vector.shape.length > 0 &&
      isPerChannel(vector, channels) &&
      tf.util.sizeFromShape(vector.shape) < tf.util.sizeFromShape(full.shape);
    if (!handled) return fallback.run(args);
    const scope = new WasmKernelScope(args.backend as tf.KernelBackend);
    try {
      return scope.keep(perChannel(scope, op, full, vector, !aFull), full.shape);
    } finally {
      scope.dispose();
    }
  };
}

/** tfjs's own wasm Add, Sub and Multiply, for everything but per-channel broadcasts. */
export const addFallback = new WasmFallback(tf.Add);
export const subFallback = new WasmFallback(tf.Sub);
export const multiplyFallback = new WasmFallback(tf.Multiply);

/** Kernel registrations of Add, Sub and Multiply for the 'wasm' backend, fast for a per-channel vector operand (BatchNorm moments). */
export const wasmAddConfig: tf.KernelConfig = { kernelName: tf.Add, backendName: 'wasm', kernelFunc: channelBroadcastKernel('Add', addFallback) };
export const wasmSubConfig: tf.KernelConfig = { kernelName: tf.Sub, backendName: 'wasm', kernelFunc: channelBroadcastKernel('Sub', subFallback) };
export const wasmMultiplyConfig: tf.KernelConfig = {
  kernelName: tf.Multiply,
  backendName: 'wasm',
  kernelFunc: channelBroadcastKernel('Multiply', multiplyFallback),
};
