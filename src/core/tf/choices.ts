/** The rungs of the backend ladder, fastest first. */
export type BackendName = 'node-gpu' | 'webgpu' | 'node' | 'wasm' | 'cpu';
/** What the user may ask for: a rung, or the first one that works. */
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'node-gpu', 'webgpu', 'node', 'wasm', 'cpu'];
export const BACKEND_LADDER: readonly BackendName[] = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'];

/** Which backend runs, and why each faster rung was skipped. */
export interface BackendReport {
  readonly name: BackendName;
  /** The TensorFlow.js backend id in use ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  readonly tfBackend: string;
  /** The GPU in use, when the backend says (webgpu: the adapter's vendor, architecture and description). */
  readonly device?: string;
  /** One line per skipped rung: "node-gpu: …". */
  readonly skipped: readonly string[];
}
