import * as tf from '@tensorflow/tfjs';
import * as util from 'node:util';
import { BACKEND_LADDER, type BackendChoice, type BackendName, type BackendReport } from './choices';

export * from './choices';

/** tfjs-node uses util.isNullOrUndefined, which Node 23 removed; put it back before loading it. */
function polyfillForNativeBackends(): void {
  const legacy = util as unknown as { isNullOrUndefined?: (value: unknown) => boolean };
  if (typeof legacy.isNullOrUndefined !== 'function') {
    try {
      legacy.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
    } catch {
      // Frozen module namespace: native backends will report their own error.
    }
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

async function tryNative(name: 'node-gpu' | 'node'): Promise<string | undefined> {
  const module = name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    require.resolve(module);
  } catch {
    return `${module} is not installed`;
  }
  polyfillForNativeBackends();
  try {
    await import(module);
  } catch (error) {
    const detail = firstLine(error);
    const hint = name === 'node-gpu' ? ' (the GPU build needs CUDA 11.2 and cuDNN 8.1)' : '';
    return `${module} failed to load: ${detail}${hint}`;
  }
  if (!tf.findBackend('tensorflow')) return `${module} loaded, but registered its backend with a different TensorFlow.js copy`;
  if (!(await tf.setBackend('tensorflow'))) return `${module} loaded, but its backend did not initialise`;
  return undefined;
}

async function tryWasm(): Promise<string | undefined> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return `@tensorflow/tfjs-backend-wasm failed to load: ${firstLine(error)}`;
  }
  if (!(await tf.setBackend('wasm'))) return 'the wasm backend did not initialise';
  const { registerWasmTrainingKernels } = await import('./wasmKernels');
  registerWasmTrainingKernels();
  return undefined;
}

/** The GPU the last WebGPU start found. */
let webGpuDevice: string | undefined;

async function tryWebGpu(): Promise<string | undefined> {
  const { startWebGpu } = await import('./webgpu');
  const started = await startWebGpu();
  if ('problem' in started) return started.problem;
  webGpuDevice = started.device;
  return undefined;
}

async function tryRung(name: BackendName): Promise<string | undefined> {
  if (name === 'node-gpu' || name === 'node') return tryNative(name);
  if (name === 'webgpu') return tryWebGpu();
  if (name === 'wasm') return tryWasm();
  if (!(await tf.setBackend('cpu'))) return 'the cpu backend did not initialise';
  // The cpu backend prints an advertisement for tfjs-node on first use; the ladder already reports why it is used.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return undefined;
}

/**
 * Selects the TensorFlow.js backend: 'auto' walks node-gpu (CUDA) → webgpu (Dawn) → node (native CPU) → wasm → cpu and takes the
 * first that works, recording a one-line reason for each skipped rung; an explicit choice that fails throws with
 * its reason.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendReport> {
  const rungs = choice === 'auto' ? BACKEND_LADDER : [choice];
  const skipped: string[] = [];
  for (const rung of rungs) {
    const problem = await tryRung(rung);
    if (!problem) {
      await tf.ready();
      return { name: rung, tfBackend: tf.getBackend(), ...(rung === 'webgpu' && webGpuDevice ? { device: webGpuDevice } : {}), skipped };
    }
    skipped.push(`${rung}: ${problem}`);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}
