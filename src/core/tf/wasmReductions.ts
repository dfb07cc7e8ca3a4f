import * as tf from '@tensorflow/tfjs';
import { view, WasmFallback, WasmKernelScope } from './wasmKernelScope';

/**
 * x seen as [outer, reduced, inner] when the reduced axes are contiguous (axes of size 1 aside) — e.g. Sum over
 * [0, 1, 2] of [N, H, W, C] is [1, N·H·W, C], a global pool over [1, 2] is [N, H·W, C]; undefined otherwise.
 */
export function contiguousReduction(shape: number[], axes: number[]): [number, number, number] | undefined {
  const sizes = [1, 1, 1];
  let part = 0;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const reduced = axes.includes(i);
    if (part === 0 && reduced) part = 1;
    else if (part === 1 && !reduced) part = 2;
    else if (part === 2 && reduced) return undefined;
    sizes[part] *= shape[i];
  }
  return sizes as [number, number, number];
}

/**
 * The most columns the pooling path reduces at once. XNNPACK's average pooling over more than 7 values keeps a
 * channels-long float buffer on the 64 KiB wasm stack: from about 16,000 channels it writes past the stack and damages
 * the heap. Wider reductions go to tfjs's kernel.
 */
const MAX_POOLED_COLUMNS = 8192;

/** The largest divisor of n not above √n (1 for a prime). */
function divisorNearRoot(n: number): number {
  for (let d = Math.floor(Math.sqrt(n)); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/**
 * Means over the middle axis of x seen as [outer, reduced, inner], [outer, 1, 1, inner]: XNNPACK average pooling of x
 * seen as an image (about 20× faster than transposing). A single pass accumulates the whole axis in float32, so long
 * axes are averaged in two passes of about √reduced values each (means of equal groups, then their mean).
 */
function middleMeans(scope: WasmKernelScope, x: tf.TensorInfo, [outer, reduced, inner]: [number, number, number]): tf.TensorInfo {
  const group = divisorNearRoot(reduced);
  let source = x;
  let remaining = reduced;
  if (group > 1) {
    remaining = reduced / group;
    const image = view(x, [outer, remaining, group, inner]);
    source = scope.run('AvgPool', { x: image }, { filterSize: [1, group], strides: [1, group], pad: 'valid' });
  }
  const image = view(source, [outer, remaining, 1, inner]);
  return scope.run('AvgPool', { x: image }, { filterSize: [remaining, 1], strides: [remaining, 1], pad: 'valid' });
}

/** The output shape of a reduction of `shape` over `axes`. */
function reducedShape(shape: number[], axes: number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((size, i) => (axes.includes(i) ? 1 : size)) : shape.filter((_, i) => !axes.includes(i));
}

/**
 * A Sum or Mean kernel for float32 reductions over contiguous axes: followed by kept axes, by average pooling (tfjs's
 * kernels transpose such inputs first, about 4 ms per million values); innermost ones by tfjs's kernel on x seen as
 * [outer, reduced] (so that trailing axes of size 1 do not cause a transpose either). Other cases go to tfjs's kernel.
 */
function contiguousReductionKernel(fallback: WasmFallback, mean: boolean): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const split = x.dtype === 'float32' ? contiguousReduction(x.shape, axes) : undefined;
    if (!split || split[1] === 1 || split[2] > MAX_POOLED_COLUMNS) return fallback.run(args);
    const [outer, reduced, inner] = split;
    const scope = new WasmKernelScope(args.backend as tf.KernelBackend);
    try {
      let result: tf.TensorInfo;
      if (inner === 1) {
        result = scope.runOriginal(fallback, { x: view(x, [outer, reduced]) }, { axis: [1], keepDims: false });
      } else {
        result = middleMeans(scope, x, split);
        if (!mean) result = scope.run('Multiply', { a: result, b: scope.constant(Float32Array.of(reduced), []) });
      }
      return scope.keep(result, reducedShape(x.shape, axes, keepDims));
    } finally {
      scope.dispose();
    }
  };
}

/** tfjs's own wasm Sum and Mean, for the reductions the replacements leave to them. */
export const sumFallback = new WasmFallback(tf.Sum);
export const meanFallback = new WasmFallback(tf.Mean);

/** Kernel registration of Sum for the 'wasm' backend: float32 sums over contiguous axes (bias and BatchNorm gradients) without a transpose. */
export const wasmSumConfig: tf.KernelConfig = { kernelName: tf.Sum, backendName: 'wasm', kernelFunc: contiguousReductionKernel(sumFallback, false) };

/** Kernel registration of Mean for the 'wasm' backend: float32 means over contiguous axes (BatchNorm moments, global pooling) without a transpose. */
export const wasmMeanConfig: tf.KernelConfig = { kernelName: tf.Mean, backendName: 'wasm', kernelFunc: contiguousReductionKernel(meanFallback, true) };
