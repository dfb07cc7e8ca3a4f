import * as tf from '@tensorflow/tfjs';

/** The same data seen with another shape (no copy, no reference taken): only for passing to a kernel as an input. */
export function view(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * Runs registered wasm kernels from inside another wasm kernel and frees every intermediate result they produced, so
 * a composite kernel neither reads data back to JavaScript nor leaks backend memory, even when it throws.
 */
export class WasmKernelScope {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(private readonly backend: tf.KernelBackend) {}

  /** Runs wasm kernel `name`; its result is freed by `dispose()` unless handed out with `keep()`. */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(name, 'wasm');
    if (!kernel) throw new Error(`the wasm backend has no '${name}' kernel`);
    const result = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(result)) throw new Error(`wasm kernel '${name}' returned several tensors`);
    this.intermediates.push(result);
    return result;
  }

  /** Uploads a small float32 constant (e.g. an identity filter); freed by `dispose()`. */
  constant(values: Float32Array, shape: number[]): tf.TensorInfo {
    const info: tf.TensorInfo = { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    this.intermediates.push(info);
    return info;
  }

  /** Takes `info` out of the scope (the composite kernel's result) and returns it with `shape`. */
  keep(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    const index = this.intermediates.indexOf(info);
    if (index >= 0) this.intermediates.splice(index, 1);
    return view(info, shape);
  }

  /** Frees every intermediate result that was not kept. */
  dispose(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }
}
