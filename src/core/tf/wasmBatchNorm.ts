import * as tf from '@tensorflow/tfjs';
import { view, WasmFallback, WasmKernelScope } from './wasmKernelScope';

/** A 1×1 depthwise convolution applies one factor and one bias per channel; XNNPACK does it ~5× faster than broadcasting Multiply/Add. */
const PER_CHANNEL: tf.NamedAttrMap = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' };

/** Whether `info` is absent or holds one value per channel of the last axis ([C], [1, 1, 1, C], …). */
export function isPerChannel(info: tf.TensorInfo | undefined, channels: number): boolean {
  if (!info) return true;
  const rank = info.shape.length;
  return tf.util.sizeFromShape(info.shape) === channels && rank > 0 && info.shape[rank - 1] === channels;
}

/** tfjs's own wasm FusedBatchNorm, for inputs whose statistics are not per channel of the last axis. */
export const fusedBatchNormFallback = new WasmFallback(tf.FusedBatchNorm);

/**
 * Batch normalisation y = (x − mean)·scale/√(variance + ε) + offset with per-channel statistics, as two per-channel
 * 1×1 depthwise convolutions over x seen as [1, rows, 1, C]: x + (−mean), then ·(scale/√(variance + ε)) + offset.
 * Subtracting the mean first keeps the result as exact as the cpu backend's when |mean| ≫ the spread of x.
 */
function fusedBatchNorm(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
  const channels = x!.shape[x!.shape.length - 1];
  const size = tf.util.sizeFromShape(x!.shape);
  const handled =
    x!.dtype === 'float32' && x!.shape.length > 0 && size > 0 && [mean, variance, offset, scale].every((t) => isPerChannel(t, channels));
  if (!handled) return fusedBatchNormFallback.run(args);
  const scope = new WasmKernelScope(args.backend as tf.KernelBackend);
  try {
    const perChannel = (t: tf.TensorInfo) => view(t, [channels]);
    const epsilon = scope.constant(Float32Array.of(varianceEpsilon), []);
    const inverseDeviation = scope.run('Rsqrt', { x: scope.run('Add', { a: perChannel(variance!), b: epsilon }) });
    const factor = scale ? scope.run('Multiply', { a: perChannel(scale), b: inverseDeviation }) : inverseDeviation;
    const rows = size / channels;
    const centred = scope.run(
      'FusedDepthwiseConv2D',
      {
        x: view(x!, [1, rows, 1, channels]),
        filter: scope.run('Fill', {}, { shape: [1, 1, channels, 1], value: 1, dtype: 'float32' }),
        bias: scope.run('Neg', { x: perChannel(mean!) }),
      },
      PER_CHANNEL,
    );
    const filter = view(factor, [1, 1, channels, 1]);
    const y = offset
      ? scope.run('FusedDepthwiseConv2D', { x: centred, filter, bias: scope.vector(offset, channels) }, PER_CHANNEL)
      : scope.run('DepthwiseConv2dNative', { x: centred, filter }, PER_CHANNEL);
    return scope.keep(y, x!.shape);
  } finally {
    scope.dispose();
  }
}

/** Kernel registration of FusedBatchNorm for the 'wasm' backend, replacing tfjs's (about 3× slower) for per-channel statistics. */
export const wasmFusedBatchNormConfig: tf.KernelConfig = {
  kernelName: tf.FusedBatchNorm,
  backendName: 'wasm',
  kernelFunc: fusedBatchNorm,
};
