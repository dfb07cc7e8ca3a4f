/**
 * The torchvision-compatible ResNet-18 and the .safetensors reader against PyTorch: the formula weights of
 * test/reference/resnet18_reference.py are rebuilt here, written as .safetensors, imported with a summed 1-channel stem
 * and must give the logits PyTorch computed (test/fixtures/resnet18-reference.json).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FileError } from '../../src/core/errors';
import { buildResNet18, loadPretrainedResNet18, resNet18StateDictShapes, setResNet18Weights } from '../../src/core/models/resnet18';
import { readSafetensors, writeSafetensors, type Float32TensorData } from '../../src/core/models/safetensors';
import { ROOT, tempDir } from '../helpers';

interface Reference {
  inputShapeNchw: [number, number, number, number];
  stateDict: Array<[string, number[]]>;
  logits: number[][];
}

const reference = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'resnet18-reference.json'), 'utf8')) as Reference;
const [BATCH, , HEIGHT, WIDTH] = reference.inputShapeNchw;
/** Trainable parameters of torchvision's resnet18 (11,689,512) less the 2 × 64 × 7 × 7 conv1 weights of dropped channels. */
const ONE_CHANNEL_PARAMETERS = 11_689_512 - 2 * 64 * 7 * 7;

/** The reference script's formula tensor for state-dict entry `k` (float64 arithmetic, rounded to float32). */
function formulaTensor(name: string, shape: number[], k: number): Float32Array {
  const count = shape.reduce((product, size) => product * size, 1);
  const out = new Float32Array(count);
  if (name.endsWith('num_batches_tracked')) return out;
  for (let i = 0; i < count; i++) {
    const x = 43758.5453 * Math.sin(0.37 * i + 1.3 * k);
    const h = x - Math.floor(x);
    const u = 2 * h - 1;
    if (shape.length === 4) out[i] = u * Math.sqrt(6 / (shape[1] * shape[2] * shape[3]));
    else if (name === 'fc.weight') out[i] = u * Math.sqrt(3 / shape[1]);
    else if (name.endsWith('running_var')) out[i] = 1 + 0.5 * h;
    else if (name.endsWith('.weight')) out[i] = 1 + 0.2 * u;
    else out[i] = 0.1 * u;
  }
  return out;
}

/** Every state-dict entry (num_batches_tracked as an F32 scalar 0) filled by the formula. */
function formulaStateDict(): Map<string, Float32TensorData> {
  return new Map(reference.stateDict.map(([name, shape], k) => [name, { shape, data: formulaTensor(name, shape, k) }]));
}

/** The reference input, NHWC with `channels` equal channels, rounded to float32. */
function formulaInput(channels: number): tf.Tensor4D {
  const data = new Float32Array(BATCH * HEIGHT * WIDTH * channels);
  for (let n = 0; n < BATCH; n++) {
    for (let h = 0; h < HEIGHT; h++) {
      for (let w = 0; w < WIDTH; w++) {
        const value = Math.sin(0.21 * h + 0.13 * (n + 1) * w) + 0.5 * Math.cos(0.017 * h * w + 0.9 * n);
        for (let c = 0; c < channels; c++) data[((n * HEIGHT + h) * WIDTH + w) * channels + c] = value;
      }
    }
  }
  return tf.tensor4d(data, [BATCH, HEIGHT, WIDTH, channels]);
}

/** max |a − b| / max |b| over the logits. */
function relativeDifference(actual: number[][], expected: number[][]): number {
  let worst = 0;
  let scale = 0;
  for (let n = 0; n < expected.length; n++) {
    assert.equal(actual[n].length, expected[n].length, 'number of logits');
    for (let j = 0; j < expected[n].length; j++) {
      worst = Math.max(worst, Math.abs(actual[n][j] - expected[n][j]));
      scale = Math.max(scale, Math.abs(expected[n][j]));
    }
  }
  return worst / scale;
}

/** Logits of `model` on the reference input with `channels` channels. */
function logitsOf(model: tf.LayersModel, channels: number): number[][] {
  return tf.tidy(() => (model.predict(formulaInput(channels)) as tf.Tensor).arraySync() as number[][]);
}

/** Asserts `fn` throws a FileError whose message contains every fragment. */
function assertFileError(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FileError, `expected FileError, got ${String(error)}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should mention "${fragment}"`);
    return true;
  });
}

describe('safetensors reader and writer', () => {
  const dir = tempDir('voice-emotion-safetensors-');

  it('reads back what it writes', () => {
    const file = path.join(dir, 'round.safetensors');
    const tensors = new Map<string, Float32TensorData>([
      ['a.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-8, -0, 65504]) }],
      ['scalar', { shape: [], data: Float32Array.from([7]) }],
    ]);
    writeSafetensors(file, tensors);
    const read = readSafetensors(file);
    assert.deepEqual([...read.keys()], ['a.weight', 'scalar']);
    assert.deepEqual(read.get('a.weight'), { dtype: 'F32', shape: [2, 3], data: tensors.get('a.weight')!.data });
    assert.deepEqual(read.get('scalar')?.shape, []);
    assert.equal(fs.readFileSync(file).readBigUInt64LE(0) % 8n, 0n, 'header padded to 8 bytes');
  });

  it('converts F16, BF16, F64 and I64 to float32 and skips __metadata__', () => {
    const data = Buffer.alloc(2 * 3 + 2 * 2 + 8 * 2 + 8);
    [0x3c00, 0xc000, 0x0001].forEach((bits, i) => data.writeUInt16LE(bits, 2 * i));
    [0x3f80, 0xc0a0].forEach((bits, i) => data.writeUInt16LE(bits, 6 + 2 * i));
    data.writeDoubleLE(0.1, 10);
    data.writeDoubleLE(-1e300, 18);
    data.writeBigInt64LE(1234n, 26);
    const file = rawFile('dtypes.safetensors', {
      __metadata__: { format: 'pt' },
      half: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      brain: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
      double: { dtype: 'F64', shape: [2], data_offsets: [10, 26] },
      steps: { dtype: 'I64', shape: [], data_offsets: [26, 34] },
    }, data);
    const read = readSafetensors(file);
    assert.deepEqual([...read.keys()], ['half', 'brain', 'double', 'steps']);
    assert.deepEqual([...read.get('half')!.data], [1, -2, Math.fround(2 ** -24)]);
    assert.deepEqual([...read.get('brain')!.data], [1, -5]);
    assert.deepEqual([...read.get('double')!.data], [Math.fround(0.1), -Infinity]);
    assert.deepEqual([...read.get('steps')!.data], [1234]);
    assert.equal(read.get('brain')!.dtype, 'BF16');
  });

  it('names the file and the problem for malformed files', () => {
    const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const short = path.join(dir, 'short.safetensors');
    fs.writeFileSync(short, Buffer.from([1, 2, 3]));
    assertFileError(() => readSafetensors(short), short, 'truncated');
    const cut = rawFile('cut.safetensors', ok, Buffer.alloc(8));
    fs.truncateSync(cut, 20);
    assertFileError(() => readSafetensors(cut), cut, 'truncated');
    const huge = path.join(dir, 'huge.safetensors');
    const header = Buffer.alloc(16);
    header.writeBigUInt64LE(2n ** 40n, 0);
    fs.writeFileSync(huge, header);
    assertFileError(() => readSafetensors(huge), huge, 'header too large');
    const beyond = rawFile('beyond.safetensors', { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, Buffer.alloc(4));
    assertFileError(() => readSafetensors(beyond), beyond, '"t"', 'out of range');
    const mismatch = rawFile('mismatch.safetensors', { t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8));
    assertFileError(() => readSafetensors(mismatch), mismatch, '"t"', 'needs 12');
    const exotic = rawFile('exotic.safetensors', { t: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, Buffer.alloc(2));
    assertFileError(() => readSafetensors(exotic), exotic, 'unsupported dtype "F8_E4M3"');
    const garbage = path.join(dir, 'garbage.safetensors');
    const bytes = Buffer.concat([Buffer.alloc(8), Buffer.from('{nope')]);
    bytes.writeBigUInt64LE(5n, 0);
    fs.writeFileSync(garbage, bytes);
    assertFileError(() => readSafetensors(garbage), garbage, 'not valid JSON');
  });

  /** A file with this exact header object and data section. */
  function rawFile(name: string, header: object, data: Buffer): string {
    const file = path.join(dir, name);
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length), 0);
    fs.writeFileSync(file, Buffer.concat([length, json, data]));
    return file;
  }
});

describe('ResNet-18 vs. PyTorch (torchvision layout, formula weights)', () => {
  const dir = tempDir('voice-emotion-resnet18-');
  const weightsFile = path.join(dir, 'resnet18.safetensors');
  let startTensors = 0;

  before(async () => {
    await tf.setBackend('cpu');
    startTensors = tf.memory().numTensors;
    writeSafetensors(weightsFile, formulaStateDict());
  });

  it('names a layer weight for every torchvision state-dict entry, with matching shapes', () => {
    const model = buildResNet18({ inputShape: [HEIGHT, WIDTH, 3], numClasses: 1000, seed: 1 });
    try {
      const expected = reference.stateDict.filter(([name]) => !name.endsWith('num_batches_tracked'));
      assert.deepEqual(resNet18StateDictShapes(model), new Map(expected));
      const layerNames = new Set(model.layers.map((layer) => layer.name));
      for (const [name] of expected) assert.ok(layerNames.has(name.slice(0, name.lastIndexOf('.'))), `layer for ${name}`);
    } finally {
      model.dispose();
    }
  });

  it('gives PyTorch\'s logits with a summed 1-channel stem, and with the 3-channel stem', () => {
    const mono = loadPretrainedResNet18(weightsFile, { inputChannels: 1, inputShape: [HEIGHT, WIDTH] });
    const stereo = loadPretrainedResNet18(weightsFile, { inputShape: [HEIGHT, WIDTH] });
    try {
      assert.deepEqual(mono.outputs[0].shape, [null, 1000]);
      const monoDifference = relativeDifference(logitsOf(mono, 1), reference.logits);
      const stereoDifference = relativeDifference(logitsOf(stereo, 3), reference.logits);
      console.warn(`ResNet-18 max relative logit difference: 1-channel ${monoDifference.toExponential(2)}, 3-channel ${stereoDifference.toExponential(2)}`);
      assert.ok(monoDifference < 1e-4, `1-channel relative difference ${monoDifference}`);
      assert.ok(stereoDifference < 1e-4, `3-channel relative difference ${stereoDifference}`);
      const trainable = mono.trainableWeights.reduce((sum, weight) => sum + tf.util.sizeFromShape(weight.shape as number[]), 0);
      assert.equal(trainable, ONE_CHANNEL_PARAMETERS, 'about 11.7 M trainable parameters');
      assert.equal(mono.countParams(), ONE_CHANNEL_PARAMETERS + 2 * 4800, 'plus the BN moving mean and variance');
    } finally {
      mono.dispose();
      stereo.dispose();
    }
  });

  it('replaces the head for another number of classes and keeps the backbone', () => {
    const model = loadPretrainedResNet18(weightsFile, { inputChannels: 1, numClasses: 8, inputShape: [HEIGHT, WIDTH], seed: 5 });
    try {
      assert.deepEqual(model.outputs[0].shape, [null, 8]);
      const logits = logitsOf(model, 1);
      assert.equal(logits.length, BATCH);
      assert.equal(logits[0].length, 8);
      const stateDict = formulaStateDict();
      const [kernel] = model.getLayer('layer4.1.conv2').getWeights();
      const torchKernel = stateDict.get('layer4.1.conv2.weight')!;
      const hwio = tf.tidy(() => tf.tensor(torchKernel.data, torchKernel.shape).transpose([2, 3, 1, 0]).dataSync());
      assert.deepEqual(kernel.dataSync(), hwio);
      const [, , , variance] = model.getLayer('layer3.1.bn2').getWeights();
      assert.deepEqual(variance.dataSync(), stateDict.get('layer3.1.bn2.running_var')!.data);
      const [fcKernel] = model.getLayer('fc').getWeights();
      assert.deepEqual(fcKernel.shape, [512, 8]);
    } finally {
      model.dispose();
    }
  });

  it('names the file and the tensor for truncated files and missing or mis-shaped tensors', () => {
    const truncated = path.join(dir, 'truncated.safetensors');
    fs.copyFileSync(weightsFile, truncated);
    fs.truncateSync(truncated, fs.statSync(weightsFile).size - 100);
    assertFileError(() => loadPretrainedResNet18(truncated), truncated, '"fc.bias"', 'out of range', 'truncated');

    const wrong = formulaStateDict();
    wrong.set('layer3.0.conv2.weight', { shape: [256, 256, 1, 1], data: new Float32Array(256 * 256) });
    const wrongFile = path.join(dir, 'wrong-shape.safetensors');
    writeSafetensors(wrongFile, wrong);
    assertFileError(() => loadPretrainedResNet18(wrongFile), wrongFile, '"layer3.0.conv2.weight"', '[256, 256, 1, 1]', '[256, 256, 3, 3]');

    const missing = formulaStateDict();
    missing.delete('layer1.1.bn1.running_mean');
    const missingFile = path.join(dir, 'missing.safetensors');
    writeSafetensors(missingFile, missing);
    assertFileError(() => loadPretrainedResNet18(missingFile, { inputChannels: 1 }), missingFile, 'missing tensor "layer1.1.bn1.running_mean"');
  });

  it('rejects tensors of other architectures and changes nothing when an import fails', () => {
    const model = buildResNet18({ inputShape: [HEIGHT, WIDTH, 1], numClasses: 1000, seed: 2 });
    try {
      const gammaBefore = model.getLayer('bn1').getWeights()[0].dataSync().slice();
      const resnet34 = formulaStateDict();
      resnet34.set('layer1.2.conv1.weight', { shape: [64, 64, 3, 3], data: new Float32Array(64 * 64 * 9) });
      assertFileError(() => setResNet18Weights(model, resnet34, { file: 'resnet34.safetensors' }), 'resnet34.safetensors', 'unexpected tensor "layer1.2.conv1.weight"');
      const badHead = formulaStateDict();
      badHead.set('fc.bias', { shape: [999], data: new Float32Array(999) });
      assertFileError(() => setResNet18Weights(model, badHead, { file: 'head.safetensors' }), '"fc.bias"', '[999]', '[1000]');
      assert.deepEqual(model.getLayer('bn1').getWeights()[0].dataSync(), gammaBefore, 'bn1.weight untouched');
    } finally {
      model.dispose();
    }
  });

  it('leaves no tensors behind once the models are disposed, failed imports included', () => {
    assert.equal(tf.memory().numTensors, startTensors);
  });
});
