/** Training end to end on the wasm backend: bundles, reproducibility, resume, cancel, leaks, inference. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { loadBundle } from '../../src/core/bundle/bundle';
import { CancelledError } from '../../src/core/errors';
import { classifyFile } from '../../src/core/infer/classify';
import { evaluateBundle } from '../../src/core/infer/evaluate';
import { initBackend } from '../../src/core/tf/backend';
import { loadCheckpoint } from '../../src/core/train/checkpoint';
import type { TrainConfig } from '../../src/core/train/config';
import { trainModel, type TrainEvent } from '../../src/core/train/run';
import { WorkerClient } from '../../src/worker/client';
import { ROOT, tempDir } from '../helpers';
import { wasmTrainingSetup } from '../helpers/training';

/** Small, fast settings: 32 mel bands × 1-s clips. */
const FAST: Partial<TrainConfig> = { arch: 'cnn', backend: 'wasm', batchSize: 16, features: { nMels: 32, clipSeconds: 1 }, augment: 'specaugment', seed: 5 };

describe('training on the wasm backend', () => {
  let corpus: string;
  let cacheDir: string;

  before(async () => {
    ({ corpus, cacheDir } = await wasmTrainingSetup());
  });

  it('the backend ladder says why each faster rung was skipped', async () => {
    const report = await initBackend('auto');
    assert.equal(report.name, 'wasm');
    assert.deepEqual(
      report.skipped.map((line) => line.split(':')[0]),
      ['node-gpu', 'webgpu', 'node'],
    );
    for (const line of report.skipped) assert.ok(!line.includes('\n') && line.length > 'webgpu: '.length, line);
    await assert.rejects(initBackend('node'), /no TensorFlow\.js backend could start: node: /);
    await initBackend('wasm');
  });

  it('cnn-bn learns the demo corpus speaker-independently, well above chance, and writes a valid bundle', async () => {
    const out = path.join(tempDir(), 'model');
    const result = await trainModel({ dataDir: corpus, out, cacheDir, config: { ...FAST, arch: 'cnn-bn', epochs: 8, features: { nMels: 64, clipSeconds: 1.5 } } });
    assert.equal(result.backend.name, 'wasm');
    assert.ok(result.test, 'test metrics');
    // Chance is 1/8 = 12.5% UAR on eight emotions.
    assert.ok(result.test.uar > 0.3, `test UAR ${result.test.uar}`);
    const bundle = await loadBundle(out);
    assert.equal(bundle.meta.arch, 'cnn-bn');
    assert.equal(bundle.meta.history.length, result.epochs);
    assert.deepEqual(bundle.meta.inputShape, [64, 94, 1]);
    assert.equal(bundle.meta.split.speakerLeakage, false);
    assert.ok(bundle.meta.split.test.length > 0 && bundle.meta.metrics.test);
    assert.equal(bundle.meta.backend.name, 'wasm');
    bundle.model.dispose();
  });

  /** Each epoch's training loss and validation UAR, as the bundle records them. */
  const history = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'emotion.json'), 'utf8')).history.map((r: { trainLoss: number; validationUar: number }) => [r.trainLoss, r.validationUar]);
  /** The bundle's weights, byte for byte. */
  const weights = (dir: string) => fs.readFileSync(path.join(dir, 'weights.bin'));
  /** The uninterrupted 3-epoch run the resumed ones must equal (made by the reproducibility test). */
  let full = '';

  it('is reproducible, does not leak tensors across epochs, and resumes to exactly the uninterrupted result', async () => {
    const tensors: number[] = [];
    full = path.join(tempDir(), 'full');
    const fullResult = await trainModel({
      dataDir: corpus,
      out: full,
      cacheDir,
      config: { ...FAST, epochs: 3, earlyStopping: 0 },
      onEvent: (e: TrainEvent) => e.type === 'epoch' && tensors.push(tf.memory().numTensors),
    });
    assert.equal(fullResult.epochs, 3);
    assert.equal(new Set(tensors).size, 1, `tensors per epoch ${tensors}`);

    const again = path.join(tempDir(), 'again');
    await trainModel({ dataDir: corpus, out: again, cacheDir, config: { ...FAST, epochs: 3, earlyStopping: 0 } });
    assert.deepEqual(history(again), history(full));
    assert.ok(weights(again).equals(weights(full)));

    const interrupted = path.join(tempDir(), 'interrupted');
    const controller = new AbortController();
    await assert.rejects(
      trainModel({ dataDir: corpus, out: interrupted, cacheDir, signal: controller.signal, config: { ...FAST, epochs: 3, earlyStopping: 0 }, onEvent: (e) => e.type === 'batch' && e.epoch === 1 && e.batch === 2 && controller.abort() }),
      CancelledError,
    );
    const checkpoint = await loadCheckpoint(path.join(interrupted, 'checkpoint'));
    assert.equal(checkpoint.state.epochsDone, 1);
    checkpoint.model.dispose();
    checkpoint.optimizerWeights.forEach((w) => w.tensor.dispose());
    const resumed = await trainModel({ dataDir: corpus, out: interrupted, cacheDir, resume: true, config: { ...FAST, epochs: 3, earlyStopping: 0 } });
    assert.equal(resumed.epochs, 3);
    assert.deepEqual(history(interrupted), history(full));
    assert.ok(weights(interrupted).equals(weights(full)));
    await assert.rejects(trainModel({ dataDir: corpus, out: interrupted, cacheDir, resume: true, config: { ...FAST, epochs: 3, seed: 6 } }), /belongs to a different run/);
  });

  it('fine-tunes an imported ResNet-18: head only first (backbone unchanged), then every layer', async () => {
    const { buildResNet18, resNet18StateDictShapes, writeSafetensors } = await import('../../src/core/models');
    const reference = buildResNet18({ inputShape: [224, 224, 3], numClasses: 1000, seed: 9 });
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    let k = 0;
    for (const [name, shape] of resNet18StateDictShapes(reference)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      const isVariance = name.endsWith('running_var');
      for (let i = 0; i < size; i++) data[i] = isVariance ? 1 + 0.1 * Math.abs(Math.sin(i + k)) : 0.05 * Math.sin(0.37 * i + 1.3 * k);
      tensors.set(name, { shape, data });
      k++;
    }
    reference.dispose();
    const weights = path.join(tempDir(), 'resnet18.safetensors');
    writeSafetensors(weights, tensors);
    const out = path.join(tempDir(), 'r18');
    const config = { ...FAST, arch: 'resnet18' as const, pretrained: weights, headEpochs: 1, epochs: 2, earlyStopping: 0, augment: 'none', batchSize: 32 };
    const controller = new AbortController();
    await assert.rejects(trainModel({ dataDir: corpus, out, cacheDir, config, signal: controller.signal, onEvent: (e) => e.type === 'epoch' && controller.abort() }), CancelledError);
    const conv1 = tensors.get('conv1.weight')!;
    // OIHW [64, 3, 7, 7] summed over the 3 input channels → HWIO [7, 7, 1, 64].
    const expected = (o: number, h: number, w: number) => [0, 1, 2].reduce((sum, c) => sum + conv1.data[((o * 3 + c) * 7 + h) * 7 + w], 0);
    const kernelOf = async (dir: string) => {
      const { model } = dir.endsWith('checkpoint') ? await loadCheckpoint(dir) : await loadBundle(dir);
      const layer = model.getLayer('conv1');
      const values = layer.getWeights()[0].dataSync();
      model.dispose();
      return values;
    };
    const afterHead = await kernelOf(path.join(out, 'checkpoint'));
    assert.ok(Math.abs(afterHead[(3 * 7 + 4) * 64 + 10] - expected(10, 3, 4)) < 1e-6, 'backbone frozen during the head-only epoch');
    await trainModel({ dataDir: corpus, out, cacheDir, config, resume: true });
    const afterAll = await kernelOf(path.join(out, 'checkpoint'));
    assert.ok(Math.abs(afterAll[(3 * 7 + 4) * 64 + 10] - expected(10, 3, 4)) > 1e-7, 'backbone trained after the head-only epoch');
  });

  it('classifies short files once and long files as a timeline; evaluates chosen speakers', async () => {
    const out = path.join(tempDir(), 'model');
    await trainModel({ dataDir: corpus, out, cacheDir, config: { ...FAST, epochs: 1 } });
    const bundle = await loadBundle(out);
    const clip = path.join(corpus, 'Actor_01', '03-01-05-02-01-01-01.wav');
    const { readWav } = await import('../../src/core/audio/wav');
    const samples = readWav(clip).samples;
    const excerpt = path.join(tempDir(), 'excerpt.wav');
    fs.writeFileSync(excerpt, encodeWav(samples.subarray(24000, 24000 + 60000), 48000));
    const short = classifyFile(bundle, excerpt);
    assert.ok(bundle.meta.labels.includes(short.label));
    const sum = Object.values(short.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4);
    assert.equal(short.timeline, undefined);
    // A 12-s file: three clips back to back with silence between.
    const long = path.join(tempDir(), 'long.wav');
    const joined = new Float32Array(samples.length * 3 + 48000 * 2);
    joined.set(samples, 0);
    joined.set(samples, samples.length + 48000);
    joined.set(samples, 2 * samples.length + 96000);
    fs.writeFileSync(long, encodeWav(joined, 48000));
    const timeline = classifyFile(bundle, long);
    assert.ok(timeline.timeline && timeline.timeline.length >= 15, `${timeline.timeline?.length} windows`);
    assert.equal(timeline.timeline[0].start, 0);
    assert.ok(timeline.timeline.some((w) => !w.voiced), 'silent windows are marked');
    const evaluation = await evaluateBundle(bundle, corpus, { speakers: ['01'], cacheDir });
    assert.equal(evaluation.n, 60);
    assert.match(evaluation.selection, /speakers 01/);
    bundle.model.dispose();
  });

  it('a worker killed mid-epoch reports an error, leaves the last checkpoint intact, and --resume reaches the uninterrupted result', async () => {
    assert.ok(full, 'the uninterrupted reference run exists');
    const out = path.join(tempDir(), 'killed');
    const client = new WorkerClient({ script: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 0 });
    let killed = false;
    const config = { ...FAST, epochs: 3, earlyStopping: 0 };
    const job = client.request('train', { dataDir: corpus, out, cacheDir, config }, {
      onEvent: (e) => {
        if (!killed && e.type === 'batch' && e.epoch === 1 && e.batch === 3) {
          killed = true;
          process.kill(client.pid!, 'SIGKILL');
        }
      },
    });
    await assert.rejects(job, /worker process was killed \(SIGKILL\)/);
    const checkpoint = await loadCheckpoint(path.join(out, 'checkpoint'));
    assert.equal(checkpoint.state.epochsDone, 1);
    checkpoint.model.dispose();
    checkpoint.optimizerWeights.forEach((w) => w.tensor.dispose());
    const bundle = await loadBundle(out);
    bundle.model.dispose();
    // A fresh worker (the same backend and seed) continues from the checkpoint to the run that was never killed.
    const resumed = await client.request('train', { dataDir: corpus, out, cacheDir, resume: true, config });
    assert.equal(resumed.epochs, 3);
    assert.deepEqual(history(out), history(full));
    assert.ok(weights(out).equals(weights(full)), 'the resumed bundle has the uninterrupted weights');
    client.dispose();
  });
});
