import * as tf from '@tensorflow/tfjs';
import { wasmConv2DBackpropFilterConfig } from './wasmConv2DBackpropFilter';
import { conv2DBackpropInputFallback, wasmConv2DBackpropInputConfig } from './wasmConv2DBackpropInput';
import type { WasmFallback } from './wasmKernelScope';

/** Kernels that CNN training needs and @tensorflow/tfjs-backend-wasm 4.22 lacks. */
const TRAINING_KERNELS: readonly tf.KernelConfig[] = [wasmConv2DBackpropFilterConfig];

/** Faster replacements of wasm kernels tfjs has, each told the original it falls back to for the cases it leaves. */
const REPLACEMENT_KERNELS: ReadonlyArray<[tf.KernelConfig, WasmFallback]> = [
  [wasmConv2DBackpropInputConfig, conv2DBackpropInputFallback],
];

/**
 * Registers the training kernels the tfjs wasm backend lacks (Conv2DBackpropFilter), built from its own kernels, and
 * replaces slow ones used by training (Conv2DBackpropInput) with faster compositions, keeping the originals as
 * fallbacks. Idempotent; a missing kernel the backend already has (a later tfjs release's) is left as it is.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of TRAINING_KERNELS) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  for (const [config, fallback] of REPLACEMENT_KERNELS) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    fallback.capture(current);
    if (current) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
