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

  /** Runs tfjs's own kernel behind a replacement (e.g. the copying Identity); freed by `dispose()` unless kept. */
  runOriginal(original: WasmFallback, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const result = original.run({ inputs, backend: this.backend, attrs });
    if (Array.isArray(result)) throw new Error('a fallback kernel returned several tensors');
    this.intermediates.push(result);
    return result;
  }

  /** Uploads a small float32 or int32 constant (an identity filter, gather indices); freed by `dispose()`. */
  constant(values: Float32Array | Int32Array, shape: number[]): tf.TensorInfo {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    const info: tf.TensorInfo = { dataId: this.backend.write(values, shape, dtype), shape, dtype };
    this.intermediates.push(info);
    return info;
  }

  /**
   * A rank-1 copy of the `length` values of `info`, for kernels that check the shape a tensor was stored with rather
   * than the one they are given (FusedDepthwiseConv2D's bias); meant for short vectors.
   */
  vector(info: tf.TensorInfo, length: number): tf.TensorInfo {
    return this.run('Slice', { x: view(info, [length]) }, { begin: [0], size: [length] });
  }

  /** Puts a tensor the caller allocated on the backend under the scope: freed by `dispose()` unless kept. */
  adopt(info: tf.TensorInfo): tf.TensorInfo {
    this.intermediates.push(info);
    return info;
  }

  /** Takes `info` (or a view of it) out of the scope (the composite kernel's result) and returns it with `shape`. */
  keep(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    const index = this.intermediates.findIndex((candidate) => candidate.dataId === info.dataId);
    if (index >= 0) this.intermediates.splice(index, 1);
    return view(info, shape);
  }

  /** Frees every intermediate result that was not kept. */
  dispose(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }
}

/**
 * tfjs's own wasm kernel that a faster replacement falls back to for the cases it leaves alone (e.g. NCHW), captured
 * when the replacement is registered. Its setup (binding the wasm function) is run once per backend before first use,
 * since a kernel unregistered before the backend started was never set up.
 */
export class WasmFallback {
  private config: tf.KernelConfig | undefined;
  private readonly setUp = new WeakSet<object>();

  constructor(private readonly kernelName: string) {}

  /** Remembers the kernel being replaced (undefined when there was none). */
  capture(config: tf.KernelConfig | undefined): void {
    this.config = config;
  }

  /** Runs the original kernel with the replacement's arguments. */
  run(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
    if (!this.config) throw new Error(`the wasm backend has no '${this.kernelName}' kernel to fall back to`);
    if (this.config.setupFunc && !this.setUp.has(args.backend)) {
      this.config.setupFunc(args.backend);
      this.setUp.add(args.backend);
    }
    return this.config.kernelFunc(args);
  }
}
