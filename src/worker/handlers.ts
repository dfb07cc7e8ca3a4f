import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeFeatures, fileFeatures, readWav, resolveFeatureConfig, toBinsMajor, waveformEnvelope, type FeatureConfig, type FeatureKind } from '../core/audio';
import { preprocessDataset } from '../core/cache/preprocess';
import { loadDataset, splitDataset } from '../core/dataset';
import { generateDemoCorpus } from '../core/synth/corpus';
import { loadBundle, type ModelBundle } from '../core/bundle/bundle';
import { CancelledError, FileError } from '../core/errors';
import { classifyFile } from '../core/infer/classify';
import { evaluateBundle } from '../core/infer/evaluate';
import { initBackend, type BackendChoice, type BackendReport } from '../core/tf/backend';
import { trainModel } from '../core/train/run';
import type { Handlers } from '../shared/rpc';
import type { SpectrogramView } from '../shared/panelProtocol';
import type { WorkerMethods } from '../shared/workerProtocol';

let backend: { choice: BackendChoice; report: BackendReport } | undefined;

/** Starts the backend once per process (again only when a different one is asked for). */
async function ensureBackend(choice: BackendChoice = 'auto'): Promise<BackendReport> {
  if (!backend || (choice !== 'auto' && choice !== backend.choice && choice !== backend.report.name)) {
    backend = { choice, report: await initBackend(choice) };
  }
  return backend.report;
}

/** Loaded models by folder, reloaded when the folder's emotion.json changes. */
const bundles = new Map<string, { bundle: ModelBundle; mtimeMs: number }>();

async function bundleFor(dir: string): Promise<ModelBundle> {
  let mtimeMs = 0;
  try {
    mtimeMs = fs.statSync(`${dir}/emotion.json`).mtimeMs;
  } catch {
    // loadBundle reports the missing file clearly.
  }
  const cached = bundles.get(dir);
  if (cached && cached.mtimeMs === mtimeMs) return cached.bundle;
  cached?.bundle.model.dispose();
  const bundle = await loadBundle(dir);
  bundles.set(dir, { bundle, mtimeMs });
  return bundle;
}

/** A file's waveform envelope and full-length features, with the axis facts the spectrogram view needs. */
function spectrogramView(file: string, kind: FeatureKind, overrides: Partial<FeatureConfig>, points: number): SpectrogramView {
  const config = resolveFeatureConfig({ ...overrides, trim: false, clipSeconds: null });
  const audio = readWav(file, { targetRate: config.sampleRate });
  const envelope = waveformEnvelope(audio.samples, points);
  const matrix = computeFeatures(audio.samples, kind, config);
  return {
    file,
    name: path.basename(file),
    waveform: {
      sampleRate: config.sampleRate,
      samplesPerPoint: envelope.samplesPerPoint,
      min: Array.from(envelope.min),
      max: Array.from(envelope.max),
      durationSeconds: audio.samples.length / config.sampleRate,
    },
    matrix: { kind, sampleRate: config.sampleRate, hopLength: config.hopLength, shape: [matrix.bins, matrix.frames], data: toBinsMajor(matrix) },
    ...(kind === 'mfcc' ? {} : { fMin: kind === 'logmel' ? config.fMin : 0, fMax: kind === 'logmel' ? config.fMax : config.sampleRate / 2 }),
    nMels: config.nMels,
  };
}

/** The worker's method implementations. */
export const workerHandlers: Handlers<WorkerMethods> = {
  ping: () => ({ pid: process.pid, node: process.version, rssBytes: process.memoryUsage().rss }),

  backend: ({ choice }) => ensureBackend(choice),

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
    bundles.delete(result.out);
    return result;
  },

  evaluate: async ({ modelDir, dataDir, speakers, cacheDir, backend: choice }) => {
    const report = await ensureBackend(choice);
    return { ...(await evaluateBundle(await bundleFor(modelDir), dataDir, { speakers, cacheDir })), backend: report.name };
  },

  classify: async ({ modelDir, files, backend: choice }, { signal }) => {
    const report = await ensureBackend(choice);
    const bundle = await bundleFor(modelDir);
    return files.map((file) => {
      if (signal.aborted) throw new CancelledError();
      try {
        return { ...classifyFile(bundle, file), backend: report.name };
      } catch (error) {
        if (error instanceof FileError) return { file, error: error.problem };
        throw error;
      }
    });
  },

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
