import type * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import { findBuiltFile } from '../builtFile';

/** The wasm module the build compiles from wasm/simd-kernels.ts (AssemblyScript, SIMD): training kernels. */
export const SIMD_MODULE_FILE = 'simd-kernels.wasm';

/** Functions of our SIMD module; pointers are byte offsets into TensorFlow.js's wasm memory. */
export interface SimdKernels {
  filterGradient(
    x: number, dy: number, dw: number,
    n: number, hp: number, wp: number, ci: number,
    oh: number, ow: number, co: number,
    fh: number, fw: number, sh: number, sw: number,
  ): void;
  maxPoolGrad2x2(x: number, dy: number, dx: number, n: number, h: number, w: number, c: number): void;
}

/** What the tfjs wasm backend exposes that our kernels use: its memory and where each tensor lives in it. */
interface WasmBackendInternals {
  wasm?: { asm?: { memory?: WebAssembly.Memory } };
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const file = findBuiltFile(SIMD_MODULE_FILE);
  try {
    compiled = file ? new WebAssembly.Module(fs.readFileSync(file)) : null;
  } catch {
    compiled = null; // a runtime without wasm SIMD: the kernels fall back to their tfjs formulations
  }
  return compiled;
}

/**
 * Our SIMD kernels bound to the backend's wasm memory (they read and write tensors in place), or undefined where the
 * module was not built, wasm SIMD is missing or the backend does not expose its memory.
 */
export function simdKernels(backend: tf.KernelBackend): SimdKernels | undefined {
  const memory = (backend as unknown as WasmBackendInternals).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (!kernels) {
    const module = compile();
    if (!module) return undefined;
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** Byte offset of a tensor's data in the backend's wasm memory. */
export function heapOffset(backend: tf.KernelBackend, info: tf.TensorInfo): number {
  const entry = (backend as unknown as WasmBackendInternals).dataIdMap?.get(info.dataId);
  if (!entry) throw new Error('tensor data is not on the wasm backend');
  return entry.memoryOffset;
}

/** A new float32 tensor on the backend's heap, uninitialised, for a kernel to write into. */
export function makeOutput(backend: tf.KernelBackend, shape: number[]): tf.TensorInfo {
  return (backend as unknown as WasmBackendInternals).makeOutput(shape, 'float32');
}
