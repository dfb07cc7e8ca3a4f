import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './wasmSimd';

/** The wasm backend's own view of a tensor's float32 data on the wasm heap (no copy). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

type Shape4D = [number, number, number, number];

/** The common 2×2 window, unrolled (a third faster): dy goes to the first maximum of the four pixels at `window` from `corner`. */
function firstMaximaOf2x2(
  x: Float32Array,
  dx: Float32Array,
  dy: Float32Array,
  corner: number,
  dyOffset: number,
  channels: number,
  window: Int32Array,
): void {
  const [, second, third, fourth] = window;
  for (let d = 0; d < channels; d++) {
    const first = corner + d;
    let best = -Infinity;
    let position = -1;
    if (x[first] > best) {
      best = x[first];
      position = first;
    }
    if (x[first + second] > best) {
      best = x[first + second];
      position = first + second;
    }
    if (x[first + third] > best) {
      best = x[first + third];
      position = first + third;
    }
    if (x[first + fourth] > best) position = first + fourth;
    if (position >= 0) dx[position] += dy[dyOffset + d];
  }
}

/** A 2×2, stride-2 pool whose windows tile the image exactly (no padding, even sides), over 4k channels (NHWC). */
function tiles2x2(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 &&
    info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight * 2 === info.inHeight && info.outWidth * 2 === info.inWidth &&
    info.inChannels % 4 === 0
  );
}

/**
 * MaxPoolGrad (NHWC): each dy value goes to the first maximum of its window in row-major order, the cpu backend's
 * rule (tfjs's wasm kernel sends ties to the last maximum and loses windows whose values are all below 1.2e-38), summed
 * where windows overlap; windows without a maximum (all NaN or −∞) pass nothing on. No wasm kernel selects window
 * maxima, so this is one pass over x and dy read in place on the wasm heap: about 4× faster than tfjs's kernel.
 */
function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4D, filterSize, strides, 1, pad, dimRoundingMode);
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  const simd = tiles2x2(info) ? simdKernels(backend as tf.KernelBackend) : undefined;
  if (simd) {
    simd.maxPoolGrad2x2(heapOffset(backend as tf.KernelBackend, input), heapOffset(backend as tf.KernelBackend, dy), heapOffset(backend as tf.KernelBackend, out),
      info.batchSize, info.inHeight, info.inWidth, info.inChannels);
    return out;
  }
  // Views are taken after makeOutput, which may grow (and so detach) the wasm memory.
  const x = heap.typedArrayFromHeap(input);
  const gradient = heap.typedArrayFromHeap(dy);
  const dx = heap.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const rowStride = inWidth * channels;
  // Offsets of a whole window's pixels from its top-left pixel, in the cpu backend's (row-major) scanning order.
  const whole = new Int32Array(filterHeight * filterWidth);
  for (let r = 0; r < filterHeight; r++) {
    for (let c = 0; c < filterWidth; c++) whole[r * filterWidth + c] = r * rowStride + c * channels;
  }
  const clipped = new Int32Array(filterHeight * filterWidth);
  let dyOffset = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      const top = yr * strideHeight - info.padInfo.top;
      const rowBegin = Math.max(0, top);
      const rowEnd = Math.min(inHeight, top + filterHeight);
      for (let yc = 0; yc < outWidth; yc++, dyOffset += channels) {
        const left = yc * strideWidth - info.padInfo.left;
        const columnBegin = Math.max(0, left);
        const columnEnd = Math.min(inWidth, left + filterWidth);
        const corner = (b * inHeight + rowBegin) * rowStride + columnBegin * channels;
        const isWhole = rowEnd - rowBegin === filterHeight && columnEnd - columnBegin === filterWidth;
        if (isWhole && whole.length === 4) {
          firstMaximaOf2x2(x, dx, gradient, corner, dyOffset, channels, whole);
          continue;
        }
        let window = whole;
        let size = whole.length;
        if (!isWhole) {
          // A window over the padding: only its pixels inside the image.
          window = clipped;
          size = 0;
          for (let r = 0; r < rowEnd - rowBegin; r++) {
            for (let c = 0; c < columnEnd - columnBegin; c++) clipped[size++] = r * rowStride + c * channels;
          }
        }
        for (let d = 0; d < channels; d++) {
          let best = -Infinity;
          let position = -1;
          for (let i = 0; i < size; i++) {
            const value = x[corner + window[i] + d];
            if (value > best) {
              best = value;
              position = corner + window[i] + d;
            }
          }
          if (position >= 0) dx[position] += gradient[dyOffset + d];
        }
      }
    }
  }
  return out;
}

/** Kernel registration of MaxPoolGrad for the 'wasm' backend, replacing tfjs's. */
export const wasmMaxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
