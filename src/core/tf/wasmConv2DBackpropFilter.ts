import * as tf from '@tensorflow/tfjs';
import { view, WasmKernelScope } from './wasmKernelScope';
import { heapOffset, makeOutput, simdKernels, type SimdKernels } from './wasmSimd';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Shape4D = [number, number, number, number];

/**
 * dW as one convolution: x transposed to [inC, H, W, batch] (input channels as the batch, the batch as channels) is
 * convolved, stride 1 and dilation = the forward strides, with dy transposed to [outH, outW, batch, outC] as the
 * filter; the [inC, fh, fw, outC] result is transposed to [fh, fw, inC, outC]. XNNPACK packs dy as the filter, so this
 * suits layers whose dy is smaller than their patches (fh·fw·inC ≥ outC).
 */
function viaDilatedConvolution(scope: WasmKernelScope, x: tf.TensorInfo, dy: tf.TensorInfo, info: Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, inChannels: inC, outChannels: outC, outHeight: outH, outWidth: outW } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const channelsLast = info.dataFormat === 'channelsLast';
  // Rows and columns after the last window are never read (valid padding with a stride): crop them.
  const usedH = Math.min(info.inHeight, (outH - 1) * sh + fh - top);
  const usedW = Math.min(info.inWidth, (outW - 1) * sw + fw - left);
  let xUsed = x;
  if (usedH < info.inHeight || usedW < info.inWidth) {
    const size = channelsLast ? [n, usedH, usedW, inC] : [n, inC, usedH, usedW];
    xUsed = scope.run('Slice', { x }, { begin: [0, 0, 0, 0], size });
  }
  const pixels = usedH * usedW;
  const xT = channelsLast
    ? scope.run('Transpose', { x: view(xUsed, [n, pixels, inC]) }, { perm: [2, 1, 0] })
    : scope.run('Transpose', { x: view(xUsed, [n, inC, pixels]) }, { perm: [1, 2, 0] });
  const dyT = channelsLast
    ? scope.run('Transpose', { x: view(dy, [n, outH * outW, outC]) }, { perm: [1, 0, 2] })
    : scope.run('Transpose', { x: view(dy, [n, outC, outH * outW]) }, { perm: [2, 0, 1] });
  const bottom = (outH - 1) * sh + fh - top - usedH;
  const right = (outW - 1) * sw + fw - left - usedW;
  const product = scope.run(
    'Conv2D',
    { x: view(xT, [inC, usedH, usedW, n]), filter: view(dyT, [outH, outW, n, outC]) },
    { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: [sh, sw] },
  );
  return scope.run('Transpose', { x: view(product, [inC, fh * fw, outC]) }, { perm: [1, 0, 2] });
}

/**
 * dW by our SIMD kernel (wasm/simd-kernels.ts): x zero-padded once, then every output pixel's outer product of x
 * and dy summed in registers, four input × eight output channels at a time, over cache-sized chunks of rows. It reads
 * x and dy once per chunk where the formulations above re-pack or transpose them. NHWC, outC % 8 = 0.
 */
function viaSimdKernel(scope: WasmKernelScope, backend: tf.KernelBackend, kernels: SimdKernels, x: tf.TensorInfo, dy: tf.TensorInfo, info: Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, inHeight, inWidth, inChannels: inC, outChannels: outC, outHeight: outH, outWidth: outW } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Pad to exactly the rows and columns the windows cover (extra ones past the last window are left in place).
  const bottom = Math.max(0, (outH - 1) * sh + fh - top - inHeight);
  const right = Math.max(0, (outW - 1) * sw + fw - left - inWidth);
  const padded =
    top || bottom || left || right
      ? scope.run('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })
      : x;
  const dW = makeOutput(backend, info.filterShape);
  scope.adopt(dW);
  const hp = inHeight + top + bottom;
  const wp = inWidth + left + right;
  kernels.filterGradient(heapOffset(backend, padded), heapOffset(backend, dy), heapOffset(backend, dW), n, hp, wp, inC, outH, outW, outC, fh, fw, sh, sw);
  return dW;
}

/** The k×k identity matrix, the filter that turns a convolution into patch extraction (im2col). */
function identityMatrix(k: number): Float32Array {
  const values = new Float32Array(k * k);
  for (let i = 0; i < k; i++) values[i * k + i] = 1;
  return values;
}

/**
 * dW as im2col + one matrix product: a convolution with an identity filter gathers the patches
 * [batch·outH·outW, fh·fw·inC] (it applies the forward stride and padding itself), then
 * dWᵀ [outC, fh·fw·inC] = dyᵀ · patches. XNNPACK packs the patches, so this suits layers whose patches are smaller than
 * their dy (fh·fw·inC < outC: a one-channel first layer, 1×1 projections). NHWC only. A non-finite x spreads NaN over
 * its whole patch (∞·0), where the cpu kernel confines it to the entries it touches.
 */
function viaPatches(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: Conv2DInfo,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.TensorInfo {
  const { inChannels: inC, outChannels: outC, filterHeight: fh, filterWidth: fw } = info;
  const patchSize = fh * fw * inC;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const identity = scope.constant(identityMatrix(patchSize), [fh, fw, inC, patchSize]);
  const patchAttrs: tf.NamedAttrMap = { strides: attrs.strides, pad: attrs.pad, dataFormat: 'NHWC', dilations: [1, 1] };
  if (attrs.dimRoundingMode) patchAttrs.dimRoundingMode = attrs.dimRoundingMode;
  const patches = scope.run('Conv2D', { x, filter: identity }, patchAttrs);
  const dyT = scope.run('Transpose', { x: view(dy, [rows, outC]) }, { perm: [1, 0] });
  const product = scope.run(
    'BatchMatMul',
    { a: view(dyT, [1, outC, rows]), b: view(patches, [1, rows, patchSize]) },
    { transposeA: false, transposeB: false },
  );
  return scope.run('Transpose', { x: view(product, [outC, patchSize]) }, { perm: [1, 0] });
}

/** The wasm Conv2DBackpropFilter kernel: dW [fh, fw, inC, outC] of a 2-D convolution from x and dy, on wasm kernels only. */
function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const conv = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const dataFormat = tf.backend_util.convertConv2DDataFormat(conv.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4D, conv.filterShape, conv.strides, 1, conv.pad, conv.dimRoundingMode, false, dataFormat,
  );
  const scope = new WasmKernelScope(backend as tf.KernelBackend);
  try {
    const readsNothing =
      tf.util.sizeFromShape(x.shape) === 0 ||
      tf.util.sizeFromShape(dy.shape) === 0 ||
      (info.outHeight - 1) * info.strideHeight + info.filterHeight <= info.padInfo.top ||
      (info.outWidth - 1) * info.strideWidth + info.filterWidth <= info.padInfo.left;
    let dW: tf.TensorInfo;
    let kernels: SimdKernels | undefined;
    if (readsNothing) {
      dW = scope.run('Fill', {}, { shape: info.filterShape, value: 0, dtype: 'float32' });
    } else if (dataFormat === 'channelsLast' && info.outChannels % 8 === 0 && (kernels = simdKernels(backend as tf.KernelBackend))) {
      dW = viaSimdKernel(scope, backend as tf.KernelBackend, kernels, x, dy, info);
    } else if (dataFormat === 'channelsLast' && info.filterHeight * info.filterWidth * info.inChannels < info.outChannels) {
      dW = viaPatches(scope, x, dy, info, conv);
    } else {
      dW = viaDilatedConvolution(scope, x, dy, info);
    }
    return scope.keep(dW, info.filterShape);
  } finally {
    scope.dispose();
  }
}

/** Kernel registration of Conv2DBackpropFilter for the 'wasm' backend. */
export const wasmConv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
