import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { resolveFeatureConfig } from '../../src/core/audio/config';
import { loadBundle, MAX_BUNDLE_META_BYTES, readBundleMeta } from '../../src/core/bundle/bundle';
import { MAX_MODEL_JSON_BYTES, serializeModel, sha256 } from '../../src/core/bundle/modelFiles';
import { checkModelTopology } from '../../src/core/bundle/topology';
import { FileError } from '../../src/core/errors';
import { buildModel } from '../../src/core/models';
import { initBackend } from '../../src/core/tf/backend';
import { ARCHITECTURES } from '../../src/core/train/config';
import { tempDir } from '../helpers';
import { saveTestBundle } from '../helpers/bundles';

const LABELS = ['neutral', 'angry', 'sad'];

async function writeBundle(dir: string): Promise<tf.LayersModel> {
  const model = buildModel('cnn-bn', { inputShape: [16, 20, 1], numClasses: LABELS.length, seed: 3 });
  await saveTestBundle(dir, model, { arch: 'cnn-bn', labels: LABELS, config: resolveFeatureConfig({ nMels: 16 }), inputShape: [16, 20, 1], purpose: 'test', datasetRoot: '/data' });
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

  it('accepts the topology of every architecture', async () => {
    for (const arch of ARCHITECTURES) {
      const model = buildModel(arch, { inputShape: [32, 24, 1], numClasses: 4, seed: 1 });
      const json = JSON.parse((await serializeModel(model)).modelJson);
      assert.doesNotThrow(() => checkModelTopology(json.modelTopology, json.weightsManifest[0].weights, 'model.json'), arch);
      model.dispose();
    }
  });

  interface LayerJson {
    name: string;
    class_name: string;
    config: Record<string, unknown>;
    inbound_nodes: unknown[];
  }
  interface ModelJson {
    modelTopology: { class_name: string; config: { layers: LayerJson[] } };
    weightsManifest: { weights: unknown[] }[];
  }

  /** Rewrites model.json with `edit` applied (and emotion.json's hash to match, as a forger would). */
  function forge(dir: string, edit: (json: ModelJson) => void, text?: (json: string) => string): void {
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(json);
    const modelJson = (text ?? ((t) => t))(JSON.stringify(json));
    fs.writeFileSync(file, modelJson);
    const metaFile = path.join(dir, 'emotion.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    fs.writeFileSync(metaFile, JSON.stringify({ ...meta, hashes: { ...meta.hashes, model: sha256(modelJson) } }));
  }

  it('refuses hostile topologies naming model.json, before building anything', async () => {
    const dir = path.join(tempDir(), 'model');
    (await writeBundle(dir)).dispose();
    const original = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
    const layer = (json: ModelJson, name: string) => json.modelTopology.config.layers.find((l) => l.name === name)!;
    const cases: Array<[string, Parameters<typeof forge>[1], RegExp, ((json: string) => string)?]> = [
      ['units 1e9', (j) => (layer(j, 'logits').config.units = 1e9), /layer "logits" has an invalid number of units/],
      ['units within bounds but not the declared weights', (j) => (layer(j, 'logits').config.units = 60_000), /declares weight "logits\/kernel" as float32 \[128, 3\] but its layer makes float32 \[128, 60000\]/],
      ['a custom layer class', (j) => (layer(j, 'block1_relu').class_name = 'MyCustomLayer'), /uses layer "MyCustomLayer"/],
      ['a Lambda layer', (j) => (layer(j, 'block1_relu').class_name = 'Lambda'), /uses layer "Lambda"/],
      ['an unknown initialiser', (j) => (layer(j, 'logits').config.kernel_initializer = { class_name: 'Evil', config: {} }), /uses class "Evil"/],
      ['a Sequential wrapper', (j) => (j.modelTopology.class_name = 'Sequential'), /uses model "Sequential"/],
      ['layers wider than 2 GiB', (j) => {
        for (const name of ['block2_conv', 'block3_conv']) Object.assign(layer(j, name).config, { filters: 4096, kernel_size: [15, 15] });
      }, /more than 2 GiB of weights/],
      ['a kernel of 1000', (j) => (layer(j, 'block1_conv').config.kernel_size = [1000, 1000]), /invalid kernel_size/],
      ['a prototype key', (j) => j, /has a "__proto__" key/, (t) => t.replace('"trainable":true', '"__proto__":{"trainable":true}')],
      ['an infinite number', (j) => (layer(j, 'block1_bn').config.epsilon = 12345), /not finite/, (t) => t.replace('12345', '1e999')],
      ['a layer using a later one', (j) => (layer(j, 'block1_conv').inbound_nodes = [[['logits', 0, 0, {}]]]), /uses "logits", which is not an earlier layer/],
      ['a huge input', (j) => (j.modelTopology.config.layers[0].config.batch_input_shape = [null, 1 << 20, 1 << 20, 1]), /larger than \d+ cells/],
      ['an undeclared weight', (j) => j.weightsManifest[0].weights.pop(), /declares \d+ weights but its layers have \d+/],
    ];
    const tensors = tf.memory().numTensors;
    for (const [what, edit, problem, text] of cases) {
      fs.writeFileSync(path.join(dir, 'model.json'), original);
      forge(dir, edit, text);
      const started = Date.now();
      await assert.rejects(loadBundle(dir), (e: unknown) => e instanceof FileError && e.file === path.join(dir, 'model.json') && problem.test(e.problem), what);
      assert.ok(Date.now() - started < 1000, `${what} is refused at once`);
    }
    assert.equal(tf.memory().numTensors, tensors);
  });

  it('checks the size of model.json and emotion.json before reading them, and reads only regular files', async () => {
    const dir = path.join(tempDir(), 'model');
    (await writeBundle(dir)).dispose();
    const modelFile = path.join(dir, 'model.json');
    const metaFile = path.join(dir, 'emotion.json');
    const modelJson = fs.readFileSync(modelFile);
    const meta = fs.readFileSync(metaFile);
    fs.truncateSync(modelFile, MAX_MODEL_JSON_BYTES + 1);
    await assert.rejects(loadBundle(dir), (e: unknown) => e instanceof FileError && e.file === modelFile && /is 16777217 bytes; at most 16777216 are read/.test(e.problem));
    fs.writeFileSync(modelFile, modelJson);
    fs.truncateSync(metaFile, MAX_BUNDLE_META_BYTES + 1);
    assert.throws(() => readBundleMeta(dir), (e: unknown) => e instanceof FileError && e.file === metaFile && /at most 8388608 are read/.test(e.problem));
    fs.rmSync(metaFile);
    fs.mkdirSync(metaFile);
    assert.throws(() => readBundleMeta(dir), /emotion\.json: is not a regular file/);
    fs.rmdirSync(metaFile);
    fs.writeFileSync(metaFile, '[1, 2]');
    assert.throws(() => readBundleMeta(dir), /is not a JSON object/);
    fs.writeFileSync(metaFile, meta);
    if (process.platform !== 'win32') {
      fs.rmSync(modelFile);
      fs.symlinkSync('/dev/zero', modelFile);
      await assert.rejects(loadBundle(dir), /model\.json: is not a regular file/);
    }
  });
});
