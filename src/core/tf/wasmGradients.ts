import * as tf from '@tensorflow/tfjs';
import { isPerChannel } from './wasmBatchNorm';
import { contiguousReduction } from './wasmReductions';

type NamedGradients = ReturnType<tf.GradConfig['gradFunc']>;

/** A gradient for the wasm backend: the gradients it computes, or undefined to use tfjs's own for this case. */
type WasmGradFunc = (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => NamedGradients | undefined;

/** x seen as [1, rows, 1, C] for per-channel 1×1 depthwise convolutions. */
function asColumnImage(x: tf.Tensor, channels: number): tf.Tensor4D {
  return tf.reshape(x, [1, x.size / channels, 1, channels]);
}

/**
 * FusedBatchNorm's gradient with per-channel statistics, from two per-channel sums over the rows of dy, x seen as
 * [rows, C]: Σdy and Σdy·(x − mean). With r = 1/√(variance + ε): dx = dy·scale·r (a 1×1 depthwise convolution),
 * dmean = −scale·r·Σdy, dvariance = −½·scale·r³·Σdy·(x − mean), dscale = r·Σdy·(x − mean), doffset = Σdy — the same
 * formulas as tfjs-core's, without its Tile and its full-size broadcasting products.
 */
const batchNormGradient: WasmGradFunc = (dy, saved, attrs) => {
  const [x, mean, variance, scale] = saved;
  const channels = x.shape[x.rank - 1];
  if (x.rank === 0 || x.size === 0 || ![mean, variance, scale].every((t) => isPerChannel(t, channels))) return undefined;
  const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
  const rows = x.size / channels;
  const inverseDeviation = tf.rsqrt(tf.add(tf.reshape(variance, [channels]), varianceEpsilon));
  const scaleValue = scale ? tf.reshape(scale, [channels]) : tf.onesLike(inverseDeviation);
  const factor = tf.mul(scaleValue, inverseDeviation);
  const [dySum, dyCentredSum] = tf.tidy(() => {
    const dyRows = tf.reshape(dy, [rows, channels]);
    const centred = tf.fused.depthwiseConv2d({
      x: asColumnImage(x, channels),
      filter: tf.ones([1, 1, channels, 1]),
      strides: 1,
      pad: 'valid',
      bias: tf.neg(tf.reshape(mean, [channels])),
    });
    return [tf.sum(dyRows, 0), tf.sum(tf.mul(dyRows, tf.reshape(centred, [rows, channels])), 0)];
  });
  return {
    x: () => tf.reshape(tf.depthwiseConv2d(asColumnImage(dy, channels), tf.reshape(factor, [1, 1, channels, 1]), 1, 'valid'), x.shape),
    mean: () => tf.reshape(tf.neg(tf.mul(dySum, factor)), mean.shape),
    variance: () => tf.reshape(tf.mul(tf.mul(dyCentredSum, scaleValue), tf.mul(tf.pow(inverseDeviation, 3), -0.5)), mean.shape),
    scale: () => tf.reshape(tf.mul(dyCentredSum, inverseDeviation), mean.shape),
    offset: () => tf.reshape(dySum, mean.shape),
  };
};

/**
 * Mean's gradient over leading axes (BatchNorm moments): dy/n broadcast back to x's shape as one outer product
 * 1·(dy/n) on XNNPACK, where tfjs-core builds a full-size tensor of ones in JavaScript and multiplies and divides by it.
 * Bit-identical: each value is dy/n times 1.
 */
const meanGradient: WasmGradFunc = (dy, saved, attrs) => {
  const [x] = saved;
  const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, x.shape);
  const split = x.dtype === 'float32' ? contiguousReduction(x.shape, axes) : undefined;
  if (!split || split[0] > 1 || split[1] === 1) return undefined;
  const [, rows, columns] = split;
  return {
    x: () => tf.reshape(tf.matMul(tf.fill([rows, 1], 1), tf.div(tf.reshape(dy, [1, columns]), rows)), x.shape),
  };
};

/** The wasm gradients, by kernel name. */
const WASM_GRADIENTS: ReadonlyArray<[string, WasmGradFunc]> = [
  [tf.FusedBatchNorm, batchNormGradient],
  [tf.Mean, meanGradient],
];

/** The gradient configs registered here, to keep registration idempotent. */
const registered = new Set<tf.GradConfig>();

/**
 * Registers gradients that are faster on the wasm backend. Gradients are global in tfjs, so each one defers to the
 * gradient it replaces whenever the active backend is not wasm (or the case is not one it handles): other backends
 * compute exactly what they did before. Idempotent.
 */
export function registerWasmGradients(): void {
  for (const [kernelName, wasmGradFunc] of WASM_GRADIENTS) {
    const original = tf.getGradient(kernelName);
    if (!original || registered.has(original)) continue;
    const config: tf.GradConfig = {
      ...original,
      gradFunc: (dy, saved, attrs) => {
        const own = tf.getBackend() === 'wasm' && !Array.isArray(dy) ? wasmGradFunc(dy, saved, attrs) : undefined;
        return own ?? original.gradFunc(dy, saved, attrs);
      },
    };
    registered.add(config);
    tf.registerGradient(config);
  }
}
