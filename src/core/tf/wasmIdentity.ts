import * as tf from '@tensorflow/tfjs';
import { WasmFallback } from './wasmKernelScope';

/** The input's data with one more reference, as the cpu backend's Identity does (tensor data is never written twice). */
function shareData(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** tfjs's own wasm Identity, for strings (kept outside the wasm heap). */
export const identityFallback = new WasmFallback(tf.Identity);

/**
 * Identity without a copy. tfjs clones every tensor it keeps for the backward pass through this kernel; tfjs's wasm
 * Identity copies the data each time (a third of a millisecond per million values), the cpu backend only counts a
 * reference.
 */
function identity(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') return identityFallback.run(args);
  return shareData(args.backend as tf.KernelBackend, x);
}

/** tfjs's own wasm Cast, for casts that change the dtype. */
export const castFallback = new WasmFallback(tf.Cast);

/** Cast that shares the data when the dtype does not change (tfjs-core casts float32 to float32 in moments and in gradients). */
function cast(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (dtype === x.dtype && dtype !== 'string') return shareData(args.backend as tf.KernelBackend, x);
  return castFallback.run(args);
}

/** Kernel registration of Identity for the 'wasm' backend, replacing tfjs's copying one. */
export const wasmIdentityConfig: tf.KernelConfig = { kernelName: tf.Identity, backendName: 'wasm', kernelFunc: identity };

/** Kernel registration of Cast for the 'wasm' backend, replacing tfjs's one for same-dtype casts. */
export const wasmCastConfig: tf.KernelConfig = { kernelName: tf.Cast, backendName: 'wasm', kernelFunc: cast };
