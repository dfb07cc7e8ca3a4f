import * as fs from 'node:fs';
import { fileFeatures, toBinsMajor } from '../core/audio';
import { preprocessDataset } from '../core/cache/preprocess';
import { loadDataset, splitDataset } from '../core/dataset';
import { generateDemoCorpus } from '../core/synth/corpus';
import { CancelledError, FileError } from '../core/errors';
import { exportBundle } from '../core/bundle/export';
import { classifyFile } from '../core/infer/classify';
import { evaluateBundle } from '../core/infer/evaluate';
import { explainFile } from '../core/infer/explain';
import { trainModel } from '../core/train/run';
import { trainKFold } from '../core/train/kfold';
import type { Handlers } from '../shared/rpc';
import type { WorkerMethods } from '../shared/workerProtocol';
import { clipViews, spectrogramView } from './notebook/clips';
import { notebookKernel } from './notebook/kernel';
import { bundleFor, ensureBackend, forgetBundle, liveTensors } from './runtime';

/** The worker's method implementations. */
export const workerHandlers: Handlers<WorkerMethods> = {
  ping: async () => ({ pid: process.pid, node: process.version, rssBytes: process.memoryUsage().rss, tensors: await liveTensors() }),

  backend: ({ choice }) => ensureBackend(choice),

  backendCheck: async ({ choice }) => {
    const report = await ensureBackend(choice);
    const { checkTrainingStep } = await import('../core/tf/selfTest');
    return { ...report, ...checkTrainingStep() };
  },

  features: ({ file, kind, config, full }) => {
    const result = fileFeatures(file, kind, config ?? {}, { full });
    return {
      kind,
      sampleRate: result.config.sampleRate,
      hopLength: result.config.hopLength,
      shape: [result.matrix.bins, result.matrix.frames],
      data: toBinsMajor(result.matrix),
    };
  },

  demoCorpus: ({ outDir, actors, seed }, { signal, emit }) => generateDemoCorpus(outDir, { actors, seed, signal, onProgress: (done, total) => emit({ done, total }) }),

  spectrogram: ({ file, kind, config, points }) => spectrogramView(file, kind, config ?? {}, points ?? 4000),

  preprocess: async ({ dataDir, cacheDir, kind, config, augment, copies, split: splitKind, seed }, { signal, emit }) => {
    const index = loadDataset(dataDir);
    const split = splitDataset(index, { kind: splitKind, seed });
    return preprocessDataset(index, {
      cacheDir,
      kind,
      config,
      augment: augment || undefined,
      copies: augment ? copies : undefined,
      augmentIds: new Set(split.train),
      split,
      seed,
      signal,
      onProgress: emit,
    });
  },

  train: async (params, { signal, emit }) => {
    await ensureBackend(params.config?.backend ?? 'auto');
    const result = await trainModel({ ...params, signal, onEvent: emit });
    forgetBundle(result.out);
    return result;
  },

  trainKFold: async (params, { signal, emit }) => {
    await ensureBackend(params.config?.backend ?? 'auto');
    const result = await trainKFold({ ...params, signal, onEvent: emit });
    for (const fold of result.folds) forgetBundle(fold.modelDir);
    return result;
  },

  evaluate: async ({ modelDir, dataDir, speakers, cacheDir, backend: choice }) => {
    const report = await ensureBackend(choice);
    return { ...(await evaluateBundle(await bundleFor(modelDir), dataDir, { speakers, cacheDir })), backend: report.name };
  },

  classify: async ({ modelDir, files, backend: choice }, { signal }) => {
    const report = await ensureBackend(choice);
    const bundle = await bundleFor(modelDir);
    const results: WorkerMethods['classify']['result'] = [];
    for (const file of files) {
      // Yield between files: a cancel, and other requests, get through during a long batch.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) throw new CancelledError();
      try {
        results.push({ ...classifyFile(bundle, file), backend: report.name });
      } catch (error) {
        // Any failure stays with its file, as one line: the rest of the batch is still classified.
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        results.push({ file, error: error instanceof FileError ? error.problem : `could not be classified (${message || 'unknown error'})` });
      }
    }
    return results;
  },

  explain: async ({ modelDir, file, method, label, backend: choice }, { signal }) => {
    const report = await ensureBackend(choice);
    const bundle = await bundleFor(modelDir);
    return { ...(await explainFile(bundle, file, { method, label, signal })), backend: report.name };
  },

  exportModel: ({ modelDir, outDir, force }) => exportBundle(modelDir, outDir, { force }),

  notebookExecute: (params, { signal, emit }) => {
    // Like a Jupyter kernel, the worker runs in the notebook's folder: relative paths of cells (fs too) start there.
    if (params.cwd && params.cwd !== process.cwd() && fs.existsSync(params.cwd)) process.chdir(params.cwd);
    return notebookKernel().execute(params, signal, emit);
  },

  notebookClip: ({ file }) => clipViews(file),

  sleep: ({ ms }, { signal, emit }) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const tick = setInterval(() => emit({ elapsedMs: Date.now() - started }), 10);
      const done = setTimeout(() => {
        clearInterval(tick);
        resolve({ sleptMs: Date.now() - started });
      }, ms);
      signal.addEventListener('abort', () => {
        clearInterval(tick);
        clearTimeout(done);
        reject(new CancelledError());
      });
    }),
};
