import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormFallback, wasmFusedBatchNormConfig } from './wasmBatchNorm';
import { addFallback, multiplyFallback, subFallback, wasmAddConfig, wasmMultiplyConfig, wasmSubConfig } from './wasmChannelBroadcast';
import { wasmConv2DBackpropFilterConfig } from './wasmConv2DBackpropFilter';
import { conv2DBackpropInputFallback, wasmConv2DBackpropInputConfig } from './wasmConv2DBackpropInput';
import { registerWasmGradients } from './wasmGradients';
import { castFallback, identityFallback, wasmCastConfig, wasmIdentityConfig } from './wasmIdentity';
import type { WasmFallback } from './wasmKernelScope';
import { wasmMaxPoolGradConfig } from './wasmMaxPoolGrad';
import { meanFallback, sumFallback, wasmMeanConfig, wasmSumConfig } from './wasmReductions';

/** Kernels that CNN training needs and @tensorflow/tfjs-backend-wasm 4.22 lacks. */
const TRAINING_KERNELS: readonly tf.KernelConfig[] = [wasmConv2DBackpropFilterConfig];

/** Faster replacements of wasm kernels tfjs has, each with the holder of the original it falls back to (if any). */
const REPLACEMENT_KERNELS: ReadonlyArray<[tf.KernelConfig, WasmFallback?]> = [
  [wasmConv2DBackpropInputConfig, conv2DBackpropInputFallback],
  [wasmIdentityConfig, identityFallback],
  [wasmCastConfig, castFallback],
  [wasmSumConfig, sumFallback],
  [wasmMeanConfig, meanFallback],
  [wasmFusedBatchNormConfig, fusedBatchNormFallback],
  [wasmMaxPoolGradConfig],
  [wasmAddConfig, addFallback],
  [wasmSubConfig, subFallback],
  [wasmMultiplyConfig, multiplyFallback],
];

/**
 * Makes CNN training on the tfjs wasm backend fast: registers the kernel it lacks (Conv2DBackpropFilter); replaces the
 * slow kernels training uses (Conv2DBackpropInput, MaxPoolGrad, Identity, Cast, Sum, Mean, FusedBatchNorm, and
 * Add/Sub/Multiply with a per-channel operand) with faster ones that fall back to the originals for cases they leave
 * alone; and registers BatchNorm and Mean gradients that apply on wasm only. Idempotent; a missing kernel the backend
 * already has (a later tfjs release's) is left as it is.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of TRAINING_KERNELS) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  for (const [config, fallback] of REPLACEMENT_KERNELS) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    fallback?.capture(current);
    if (current) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
  registerWasmGradients();
}
