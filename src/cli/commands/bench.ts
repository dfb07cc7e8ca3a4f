import type * as TF from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeFeatures, DEFAULT_FEATURE_CONFIG, mfccFromLogMel, readWav, resolveFeatureConfig } from '../../core/audio';
import { encodeWav } from '../../core/audio/wavWrite';
import { resample } from '../../core/audio/resample';
import { prosodySummary } from '../../core/audio/prosody';
import { preprocessDataset } from '../../core/cache/preprocess';
import { loadDataset } from '../../core/dataset';
import { UsageError } from '../../core/errors';
import { BACKEND_CHOICES, type BackendName } from '../../core/tf/choices';
import { ARCHITECTURES, type Architecture } from '../../core/train/config';
import { generateDemoCorpus } from '../../core/synth/corpus';
import { synthesizeVoice } from '../../core/synth/voice';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';

const OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'flag', description: 'print one JSON object per measurement: {name, value, unit}' },
  repeat: { type: 'integer', value: 'N', description: 'timed runs per measurement after one warm-up (default 7)' },
  only: { type: 'string', choices: ['features', 'preprocess', 'train', 'classify', 'extension', 'cancel'], description: 'run one group of measurements' },
  backends: { type: 'string', value: 'LIST', description: 'backends for the train group (default: wasm; add cpu, node, node-gpu, webgpu)' },
  archs: { type: 'string', value: 'LIST', description: 'architectures for the train group (default: all)' },
  actors: { type: 'integer', value: 'N', description: 'actors in the preprocessing corpus (default 24 = 1,440 files)' },
};

export const BENCH_USAGE = `usage: voice-emotion bench [--json] [--repeat N]

Measures feature extraction, dataset preprocessing, classification latency, training throughput and the extension's
bundle size and activation time on this machine (medians after warm-up), and prints BENCHMARKS.md rows.

${formatOptions(OPTIONS)}`;

/** One benchmark result. */
export interface Measurement {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly backend?: string;
  readonly arch?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall time in seconds of `run` over `repeat` runs after one warm-up run. */
function time(run: () => void, repeat: number): number {
  run();
  const seconds: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = process.hrtime.bigint();
    run();
    seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return median(seconds);
}

/** Preprocessing a RAVDESS-shaped corpus on all cores: cold cache, then warm. */
async function benchPreprocess(dir: string, actors: number, measurements: Measurement[]): Promise<void> {
  const corpus = path.join(dir, 'corpus');
  generateDemoCorpus(corpus, { actors, seed: 1 });
  const index = loadDataset(corpus);
  const cacheDir = path.join(dir, 'cache');
  const cold = await preprocessDataset(index, { cacheDir });
  const warm = await preprocessDataset(index, { cacheDir });
  const files = index.items.length;
  measurements.push({ name: `preprocess: ${files} files at 48 kHz, cold cache, ${cold.threads} threads`, value: cold.seconds, unit: 's' });
  measurements.push({ name: `preprocess: ${files} files, warm cache`, value: warm.seconds, unit: 's' });
}

/**
 * How long Cancel takes to stop a job in the worker process, as the extension uses it: from the abort to the rejected
 * request, for preprocessing (a cold cache), training (mid-epoch) and a notebook cell running emo.train.
 */
async function benchCancel(dir: string, measurements: Measurement[]): Promise<void> {
  const { WorkerClient } = await import('../../worker/client');
  const corpus = path.join(dir, 'cancel-corpus');
  generateDemoCorpus(corpus, { actors: 4, seed: 2 });
  const client = new WorkerClient({ script: path.join(__dirname, 'worker.js'), timeoutMs: 0 });
  /**
   * Starts `start`, aborts once `ready` says so from its events, and returns the seconds from the abort until the
   * worker answers a ping: the request itself rejects at once on this side, so what is timed is the worker finishing
   * the step it was in (a batch, a file) and noticing the abort before it starts another.
   */
  const latency = async <E>(start: (signal: AbortSignal, onEvent: (event: E) => void) => Promise<unknown>, ready: (event: E) => boolean): Promise<number> => {
    const controller = new AbortController();
    let stopped: Promise<number> | undefined;
    const job = start(controller.signal, (event) => {
      if (!stopped && ready(event)) {
        const abortedAt = process.hrtime.bigint();
        controller.abort();
        stopped = client.request('ping', {}).then(() => Number(process.hrtime.bigint() - abortedAt) / 1e9);
      }
    });
    await job.then(
      () => {
        throw new Error('the job finished before it could be cancelled');
      },
      (error: unknown) => {
        if (!stopped) throw error;
      },
    );
    return stopped!;
  };
  try {
    const preprocess = await latency<{ done: number }>(
      (signal, onEvent) => client.request('preprocess', { dataDir: corpus, cacheDir: path.join(dir, 'cancel-cache-1') }, { signal, onEvent }),
      (event) => event.done >= 20,
    );
    measurements.push({ name: 'cancel: preprocessing (cold cache), abort → worker free', value: preprocess, unit: 's' });
    const config = { arch: 'cnn-bn' as const, epochs: 5, features: { clipSeconds: 1.5 } };
    const train = await latency<{ type: string; batch?: number }>(
      (signal, onEvent) => client.request('train', { dataDir: corpus, out: path.join(dir, 'cancel-model'), cacheDir: path.join(dir, 'cancel-cache-2'), config }, { signal, onEvent }),
      (event) => event.type === 'batch' && (event.batch ?? 0) >= 2,
    );
    measurements.push({ name: 'cancel: training cnn-bn mid-epoch, abort → worker free', value: train, unit: 's' });
    const code = `await emo.train({ data: ${JSON.stringify(corpus)}, out: ${JSON.stringify(path.join(dir, 'cancel-notebook-model'))}, arch: 'cnn-bn', epochs: 5 });`;
    const cell = await latency<{ type: string; mime?: string }>(
      (signal, onEvent) =>
        client.request('notebookExecute', { code, language: 'typescript', cellLabel: 'cell 1', cwd: dir }, { signal, onEvent }).then((result) => {
          if (!result.success) throw new Error(result.error?.message ?? 'the cell failed');
          return result;
        }),
      // The live training chart's second update comes once batches run.
      (() => {
        let updates = 0;
        return (event: { type: string }) => event.type === 'update' && ++updates >= 2;
      })(),
    );
    measurements.push({ name: 'cancel: notebook cell in emo.train, interrupt → worker free', value: cell, unit: 's' });
  } finally {
    client.dispose();
  }
}

/** Training throughput (forward + backward + Adam update) of each architecture on 128×128 inputs, batch 32. */
async function benchTrain(backends: readonly BackendName[], archs: readonly Architecture[], measurements: Measurement[]): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../../core/tf/backend');
  const { buildModel } = await import('../../core/models');
  const batch = 32;
  for (const backend of backends) {
    let report;
    try {
      report = await initBackend(backend);
    } catch (error) {
      measurements.push({ name: `train: ${backend} unavailable (${(error as Error).message.slice(0, 120)})`, backend, value: 0, unit: 'samples/s' });
      continue;
    }
    for (const arch of archs) {
      const model = buildModel(arch, { inputShape: [128, 128, 1], numClasses: 8, seed: 1 });
      const optimizer = tf.train.adam(1e-3);
      const x = tf.randomNormal([batch, 128, 128, 1], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 8), 'int32'), 8);
      const step = () => {
        const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as TF.Tensor) as TF.Scalar, true);
        cost?.dataSync();
        cost?.dispose();
      };
      let peak = 0;
      const seconds = time(() => {
        step();
        peak = Math.max(peak, process.memoryUsage().rss);
      }, arch === 'resnet18' ? 2 : 3);
      const on = report.device ? `${report.name} on ${report.device}` : report.name;
      measurements.push({ name: `train: ${arch}, 128×128, batch ${batch}, ${on}`, backend: report.name, arch, value: batch / seconds, unit: 'samples/s' });
      measurements.push({ name: `train: ${arch} peak resident memory, ${report.name}`, backend: report.name, arch, value: peak / 2 ** 20, unit: 'MiB' });
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    }
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Peak resident memory of a process in bytes (Linux VmHWM), or 0 where /proc is not available. */
function peakMemory(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Classification latency through the worker (warm and cold) and a one-hour file's time and peak memory. */
async function benchClassify(dir: string, measurements: Measurement[]): Promise<void> {
  const { WorkerClient } = await import('../../worker/client');
  const { saveBundle } = await import('../../core/bundle/bundle');
  const { buildModel } = await import('../../core/models');
  const { initBackend } = await import('../../core/tf/backend');
  const { DEFAULT_TRAIN_CONFIG } = await import('../../core/train/config');
  const backend = await initBackend('auto');
  // An untrained cnn-bn with the project's default features: latency does not depend on the weights.
  const config = resolveFeatureConfig();
  const frames = 1 + Math.floor((config.clipSeconds! * config.sampleRate) / config.hopLength);
  const modelDir = path.join(dir, 'model');
  const labels = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
  const model = buildModel('cnn-bn', { inputShape: [config.nMels, frames, 1], numClasses: 8 });
  await saveBundle(modelDir, model, {
    labels,
    feature: { kind: 'logmel', config },
    inputShape: [config.nMels, frames, 1],
    normalization: { mean: new Array(config.nMels).fill(-40), std: new Array(config.nMels).fill(20) },
    arch: 'cnn-bn',
    training: DEFAULT_TRAIN_CONFIG,
    split: { kind: 'actors', description: 'benchmark', speakerLeakage: false, seed: 1, speakers: { train: [], validation: [], test: [] }, train: [], validation: [], test: [] },
    history: [],
    bestEpoch: 0,
    metrics: {},
    backend,
    dataset: { root: dir, corpus: 'ravdess', files: 0, fingerprint: 'benchmark' },
  });
  model.dispose();
  const clip = path.join(dir, 'clip.wav');
  fs.writeFileSync(clip, encodeWav(synthesizeVoice({ sampleRate: 48000, durationSeconds: 3, seed: 5 }), 48000));
  const script = path.join(__dirname, 'worker.js');
  const worker = new WorkerClient({ script, timeoutMs: 0 });
  await worker.request('classify', { modelDir, files: [clip] });
  const warm: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = process.hrtime.bigint();
    await worker.request('classify', { modelDir, files: [clip] });
    warm.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  // Explanations of the same clip by the same warm worker: Grad-CAM is one forward and backward pass, occlusion a
  // batch of masked copies.
  for (const method of ['gradcam', 'occlusion'] as const) {
    await worker.request('explain', { modelDir, file: clip, method });
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = process.hrtime.bigint();
      await worker.request('explain', { modelDir, file: clip, method });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    measurements.push({ name: `explain: 3-s file by ${method === 'gradcam' ? 'Grad-CAM' : 'occlusion'}, warm worker, p50 of 10 (${backend.name})`, backend: backend.name, value: percentile(times, 50), unit: 'ms' });
  }
  worker.dispose();
  measurements.push({ name: `classify: 3-s file, warm worker, p50 (${backend.name})`, backend: backend.name, value: percentile(warm, 50), unit: 'ms' });
  measurements.push({ name: `classify: 3-s file, warm worker, p95 (${backend.name})`, backend: backend.name, value: percentile(warm, 95), unit: 'ms' });
  const cold: number[] = [];
  for (let i = 0; i < 20; i++) {
    const fresh = new WorkerClient({ script, timeoutMs: 0 });
    const started = process.hrtime.bigint();
    await fresh.request('classify', { modelDir, files: [clip] });
    cold.push(Number(process.hrtime.bigint() - started) / 1e6);
    fresh.dispose();
  }
  measurements.push({ name: `classify: 3-s file, cold (new worker, backend start, model load), p50 of 20 (${backend.name})`, backend: backend.name, value: percentile(cold, 50), unit: 'ms' });
  measurements.push({ name: `classify: 3-s file, cold, p95 of 20 (${backend.name})`, backend: backend.name, value: percentile(cold, 95), unit: 'ms' });
  // One hour at 16 kHz, written a minute at a time.
  const hour = path.join(dir, 'hour.wav');
  const minute = encodeWav(synthesizeVoice({ sampleRate: 16000, durationSeconds: 60, vowels: 'aiueoaiueoaiueo', seed: 9 }), 16000);
  const fd = fs.openSync(hour, 'w');
  const header = Buffer.from(minute.subarray(0, 44));
  header.writeUInt32LE(36 + (minute.length - 44) * 60, 4);
  header.writeUInt32LE((minute.length - 44) * 60, 40);
  fs.writeSync(fd, header);
  for (let i = 0; i < 60; i++) fs.writeSync(fd, minute.subarray(44));
  fs.closeSync(fd);
  const long = new WorkerClient({ script, timeoutMs: 0 });
  await long.request('ping', {});
  const started = Date.now();
  await long.request('classify', { modelDir, files: [hour] });
  measurements.push({ name: `classify: 1-hour file with timeline (${backend.name})`, backend: backend.name, value: (Date.now() - started) / 1000, unit: 's' });
  measurements.push({ name: 'classify: 1-hour file, worker peak resident memory', value: peakMemory(long.pid!) / 2 ** 20, unit: 'MiB' });
  long.dispose();
}

/** What each benchmark thread runs: the one-thread feature pipeline on a file, `count` times per message. */
const FEATURE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const core = require(workerData.core);
const config = core.resolveFeatureConfig({ trim: false, clipSeconds: null });
parentPort.on('message', (count) => {
  for (let i = 0; i < count; i++) {
    const audio = core.readWav(workerData.file, { targetRate: config.sampleRate });
    core.mfccFromLogMel(core.computeFeatures(audio.samples, 'logmel', config), { nMfcc: config.nMfcc });
  }
  parentPort.postMessage(count);
});`;

/** Feature extraction on every core: one thread per CPU, each running the one-thread pipeline on the 60-s file. */
async function benchFeaturesAllCores(file48: string, seconds: number, repeat: number, measurements: Measurement[]): Promise<void> {
  const { Worker } = await import('node:worker_threads');
  const core = path.join(__dirname, 'core.js');
  if (!fs.existsSync(core)) throw new Error(`${core} not found (run "npm run build")`);
  const threads = os.cpus().length;
  const workers = Array.from({ length: threads }, () => new Worker(FEATURE_THREAD, { eval: true, workerData: { core, file: file48 } }));
  const runAll = (count: number) =>
    Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once('message', () => resolve());
            worker.once('error', reject);
            worker.postMessage(count);
          }),
      ),
    );
  try {
    await runAll(1);
    const started = process.hrtime.bigint();
    await runAll(repeat);
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    measurements.push({
      name: `features: decode + resample 48→16 kHz + log-mel + MFCC, all ${threads} threads`,
      value: (threads * repeat * seconds) / wall,
      unit: 'audio s per s',
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** The vscode module's namespaces and classes the extension may touch while activating. */
const VSCODE_API_NAMES = [
  'commands', 'window', 'workspace', 'languages', 'notebooks', 'env', 'extensions', 'l10n', 'Uri', 'EventEmitter',
  'Disposable', 'Range', 'Position', 'ThemeIcon', 'ThemeColor', 'TreeItem', 'TreeItemCollapsibleState', 'MarkdownString',
  'NotebookCellOutput', 'NotebookCellOutputItem', 'NotebookCellData', 'NotebookData', 'NotebookCellKind', 'NotebookEdit',
  'WorkspaceEdit', 'ProgressLocation', 'ViewColumn', 'StatusBarAlignment', 'ConfigurationTarget', 'RelativePattern',
  'CancellationTokenSource', 'CancellationError', 'FileSystemError', 'FileType', 'ExtensionMode', 'LogLevel',
];

/** The script a fresh Node process runs to time loading the extension bundle and activating it. */
function extensionActivationScript(bundle: string): string {
  // A stand-in for the vscode module that accepts any call and returns itself, so activate() runs its real code
  // (module load, registrations) without an editor around it.
  return `
const Module = require('node:module');
const anything = new Proxy(function () {}, {
  get: (_t, key) => (key === 'then' || typeof key === 'symbol' ? undefined : anything),
  set: () => true,
  apply: () => anything,
  construct: () => anything,
});
const names = ${JSON.stringify(VSCODE_API_NAMES)};
const vscode = Object.fromEntries(names.map((name) => [name, anything]));
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const started = process.hrtime.bigint();
const extension = require(${JSON.stringify(bundle)});
Promise.resolve(extension.activate(anything)).then(() => {
  process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));
});`;
}

/** Host bundle size, and module load + activate() time of the built extension in fresh Node processes. */
async function benchExtension(repeat: number, measurements: Measurement[]): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  const bundle = path.join(__dirname, 'extension.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} not found (run "npm run build")`);
  measurements.push({ name: 'extension: host bundle dist/extension.js', value: fs.statSync(bundle).size / 1024, unit: 'KiB' });
  const times: number[] = [];
  for (let i = 0; i < Math.max(5, repeat); i++) {
    times.push(Number(execFileSync(process.execPath, ['-e', extensionActivationScript(bundle)], { encoding: 'utf8' })));
  }
  measurements.push({ name: `extension: bundle load + activate(), median of ${times.length} fresh processes`, value: median(times), unit: 'ms' });
}

/** Feature-extraction throughput on one thread. */
function benchFeatures(dir: string, repeat: number, measurements: Measurement[]): void {
  const seconds = 60;
  const voice = synthesizeVoice({ sampleRate: 48000, durationSeconds: seconds, vowels: 'aiueoaiueo', seed: 3 });
  const file48 = path.join(dir, 'voice-48k.wav');
  const file16 = path.join(dir, 'voice-16k.wav');
  fs.writeFileSync(file48, encodeWav(voice, 48000));
  fs.writeFileSync(file16, encodeWav(resample(voice, 48000, 16000), 16000));
  const config = resolveFeatureConfig({ trim: false, clipSeconds: null });
  const pipeline = (file: string) => () => {
    const audio = readWav(file, { targetRate: DEFAULT_FEATURE_CONFIG.sampleRate });
    const logmel = computeFeatures(audio.samples, 'logmel', config);
    mfccFromLogMel(logmel, { nMfcc: config.nMfcc });
  };
  measurements.push({
    name: 'features: decode + resample 48→16 kHz + log-mel + MFCC, one thread',
    value: seconds / time(pipeline(file48), repeat),
    unit: 'audio s per s',
  });
  measurements.push({
    name: 'features: decode 16 kHz + log-mel + MFCC, one thread',
    value: seconds / time(pipeline(file16), repeat),
    unit: 'audio s per s',
  });
  const samples16 = readWav(file16).samples;
  measurements.push({
    name: 'features: log-mel + MFCC from 16 kHz samples in memory, one thread',
    value: seconds / time(() => mfccFromLogMel(computeFeatures(samples16, 'logmel', config), { nMfcc: config.nMfcc }), repeat),
    unit: 'audio s per s',
  });
  measurements.push({
    name: 'prosody: F0 (YIN), energy, HNR, jitter and shimmer from 16 kHz samples in memory, one thread',
    value: seconds / time(() => prosodySummary(samples16, config), repeat),
    unit: 'audio s per s',
  });
  measurements.push({
    name: 'resample 48→16 kHz, one thread',
    value: seconds / time(() => resample(voice, 48000, 16000), repeat),
    unit: 'audio s per s',
  });
}

/** `voice-emotion bench`: every group of measurements, or the one `--only` names. */
export async function runBench(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length) throw new UsageError('bench takes no positional arguments');
  const repeat = (options.repeat as number | undefined) ?? 7;
  if (repeat < 1) throw new UsageError('--repeat must be at least 1');
  const actors = (options.actors as number | undefined) ?? 24;
  if (actors < 1 || actors > 24) throw new UsageError('--actors must be 1–24');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-emotion-bench-'));
  const measurements: Measurement[] = [];
  try {
    const only = options.only as string | undefined;
    if (!only || only === 'features') {
      benchFeatures(dir, repeat, measurements);
      await benchFeaturesAllCores(path.join(dir, 'voice-48k.wav'), 60, repeat, measurements);
    }
    if (!only || only === 'extension') await benchExtension(repeat, measurements);
    if (!only || only === 'preprocess') await benchPreprocess(dir, actors, measurements);
    if (!only || only === 'classify') await benchClassify(dir, measurements);
    if (!only || only === 'cancel') await benchCancel(dir, measurements);
    if (!only || only === 'train') {
      const backends = ((options.backends as string | undefined) ?? 'wasm').split(',').map((b) => b.trim()) as BackendName[];
      for (const b of backends) if (!BACKEND_CHOICES.includes(b) || (b as string) === 'auto') throw new UsageError(`unknown backend "${b}" in --backends`);
      const archs = ((options.archs as string | undefined) ?? ARCHITECTURES.join(',')).split(',').map((a) => a.trim()) as Architecture[];
      for (const a of archs) if (!ARCHITECTURES.includes(a)) throw new UsageError(`unknown architecture "${a}" in --archs`);
      await benchTrain(backends, archs, measurements);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (options.json) {
    for (const m of measurements) io.stdout(JSON.stringify(m) + '\n');
    return 0;
  }
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const date = new Date().toISOString().slice(0, 10);
  io.stdout(`Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${date}\n\n`);
  io.stdout('| Measurement | Value | Unit |\n|---|---:|---|\n');
  for (const m of measurements) io.stdout(`| ${m.name} | ${m.value < 10 ? m.value.toFixed(2) : m.value.toFixed(0)} | ${m.unit} |\n`);
  return 0;
}
