import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { resolveFeatureConfig } from '../../src/core/audio/config';
import { loadBundle, readBundleMeta, saveBundle } from '../../src/core/bundle/bundle';
import { FileError } from '../../src/core/errors';
import { buildModel } from '../../src/core/models';
import { initBackend } from '../../src/core/tf/backend';
import { DEFAULT_TRAIN_CONFIG } from '../../src/core/train/config';
import { tempDir } from '../helpers';

const LABELS = ['neutral', 'angry', 'sad'];

async function writeBundle(dir: string): Promise<tf.LayersModel> {
  const model = buildModel('cnn-bn', { inputShape: [16, 20, 1], numClasses: LABELS.length, seed: 3 });
  await saveBundle(dir, model, {
    labels: LABELS,
    feature: { kind: 'logmel', config: resolveFeatureConfig({ nMels: 16 }) },
    inputShape: [16, 20, 1],
    normalization: { mean: new Array(16).fill(-40), std: new Array(16).fill(10) },
    arch: 'cnn-bn',
    training: DEFAULT_TRAIN_CONFIG,
    split: { kind: 'actors', description: 'test', speakerLeakage: false, seed: 1, speakers: { train: [], validation: [], test: [] }, train: [], validation: [], test: [] },
    history: [],
    bestEpoch: 0,
    metrics: {},
    backend: { name: 'cpu', tfBackend: 'cpu', skipped: [] },
    dataset: { root: '/data', corpus: 'ravdess', files: 0, fingerprint: 'x' },
  });
  return model;
}

describe('model bundles', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('save → load gives the same predictions, and the folder loads with tf.loadLayersModel as well', async () => {
    const dir = path.join(tempDir(), 'model');
    const model = await writeBundle(dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['emotion.json', 'model.json', 'weights.bin']);
    const x = tf.randomNormal([2, 16, 20, 1], 0, 1, 'float32', 7);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const bundle = await loadBundle(dir);
    assert.deepEqual(bundle.meta.labels, LABELS);
    const actual = (bundle.model.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i] - actual[i]) < 1e-6);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const weights = new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin')));
    const plain = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights.buffer.slice(0) as ArrayBuffer }));
    assert.equal(plain.outputs[0].shape[1], 3);
    tf.dispose([x, model, bundle.model, plain] as unknown as tf.Tensor[]);
  });

  it('refuses tampered, truncated, mismatched and foreign folders with clear errors', async () => {
    const dir = path.join(tempDir(), 'model');
    (await writeBundle(dir)).dispose();
    const weights = path.join(dir, 'weights.bin');
    const original = fs.readFileSync(weights);
    const flipped = Buffer.from(original);
    flipped[100] ^= 0xff;
    fs.writeFileSync(weights, flipped);
    await assert.rejects(loadBundle(dir), (e: unknown) => e instanceof FileError && /do not match emotion\.json/.test(e.problem));
    fs.writeFileSync(weights, original.subarray(0, original.length - 8));
    await assert.rejects(loadBundle(dir), /weights\.bin.*is \d+ bytes but model\.json declares \d+/);
    fs.writeFileSync(weights, original);
    const metaFile = path.join(dir, 'emotion.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    fs.writeFileSync(metaFile, JSON.stringify({ ...meta, version: 99 }));
    assert.throws(() => readBundleMeta(dir), /version 99/);
    fs.writeFileSync(metaFile, JSON.stringify({ ...meta, labels: ['a', 'b'] }));
    await assert.rejects(loadBundle(dir), /3 classes but emotion\.json says 16×20×1 → 2/);
    await assert.rejects(loadBundle(tempDir()), /not a trained model folder/);
  });
});
