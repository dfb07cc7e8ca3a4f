import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelBundle } from '../core/bundle/bundle';
import type { BackendChoice, BackendReport } from '../core/tf/choices';

/** The worker's TensorFlow.js state, shared by its methods and the notebook kernel; TensorFlow.js loads on first use. */
let backend: { choice: BackendChoice; report: Promise<BackendReport> } | undefined;
const bundles = new Map<string, { bundle: ModelBundle; mtimeMs: number }>();

/** Starts the backend once per process (again only when a different one is asked for). */
export async function ensureBackend(choice: BackendChoice = 'auto'): Promise<BackendReport> {
  const current = backend;
  if (current && (choice === 'auto' || choice === current.choice || choice === (await current.report.catch(() => undefined))?.name)) {
    return current.report;
  }
  const { initBackend } = await import('../core/tf/backend');
  const report = initBackend(choice);
  backend = { choice, report };
  report.catch(() => {
    if (backend?.report === report) backend = undefined;
  });
  return report;
}

/** Tensors alive in TensorFlow.js (models included), or undefined before TensorFlow.js has been loaded. */
export async function liveTensors(): Promise<number | undefined> {
  if (!backend) return undefined;
  const tf = await import('@tensorflow/tfjs');
  return tf.memory().numTensors;
}

/** A model folder's bundle, loaded once and again when its emotion.json changes. */
export async function bundleFor(dir: string): Promise<ModelBundle> {
  let mtimeMs = 0;
  try {
    mtimeMs = fs.statSync(path.join(dir, 'emotion.json')).mtimeMs;
  } catch {
    // loadBundle reports the missing file clearly.
  }
  const cached = bundles.get(dir);
  if (cached && cached.mtimeMs === mtimeMs) return cached.bundle;
  const { loadBundle } = await import('../core/bundle/bundle');
  const bundle = await loadBundle(dir);
  cached?.bundle.model.dispose();
  bundles.set(dir, { bundle, mtimeMs });
  return bundle;
}

/** Forgets a model folder's bundle (it was just written again). */
export function forgetBundle(dir: string): void {
  bundles.get(dir)?.bundle.model.dispose();
  bundles.delete(dir);
}
