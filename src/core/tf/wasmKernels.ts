import * as tf from '@tensorflow/tfjs';
import { wasmConv2DBackpropFilterConfig } from './wasmConv2DBackpropFilter';

/** Kernels that CNN training needs and @tensorflow/tfjs-backend-wasm 4.22 lacks. */
const TRAINING_KERNELS: readonly tf.KernelConfig[] = [wasmConv2DBackpropFilterConfig];

/**
 * Registers the training kernels the tfjs wasm backend lacks (Conv2DBackpropFilter), built from its own kernels.
 * Idempotent; a kernel the backend already has (ours or a later tfjs release's) is left as it is.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of TRAINING_KERNELS) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
}
