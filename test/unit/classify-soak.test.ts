/** A worker that classifies again and again holds its memory: tensors and resident memory stay flat. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveFeatureConfig } from '../../src/core/audio/config';
import { computeFeatures, prepareClip } from '../../src/core/audio/features';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { buildModel } from '../../src/core/models';
import { synthesizeVoice } from '../../src/core/synth/voice';
import { initBackend } from '../../src/core/tf/backend';
import { WorkerClient } from '../../src/worker/client';
import { ROOT, tempDir } from '../helpers';
import { saveTestBundle } from '../helpers/bundles';

const LABELS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
const REQUESTS = 1000;

describe('classification soak', () => {
  let modelDir: string;
  let clip: string;
  let client: WorkerClient;

  before(async () => {
    await initBackend('cpu');
    const dir = tempDir();
    const config = resolveFeatureConfig({ nMels: 32, clipSeconds: 1 });
    const voice = synthesizeVoice({ sampleRate: 16000, durationSeconds: 1, seed: 4 });
    clip = path.join(dir, 'clip.wav');
    fs.writeFileSync(clip, encodeWav(voice, 16000));
    const matrix = computeFeatures(prepareClip(voice, config).samples, 'logmel', config);
    const inputShape: [number, number, number] = [matrix.bins, matrix.frames, 1];
    modelDir = path.join(dir, 'model');
    const model = buildModel('cnn', { inputShape, numClasses: LABELS.length, seed: 2 });
    await saveTestBundle(modelDir, model, { arch: 'cnn', labels: LABELS, config, inputShape, purpose: 'soak', datasetRoot: dir });
    model.dispose();
    client = new WorkerClient({ script: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 60_000 });
  });
  after(() => client?.dispose());

  it(`${REQUESTS} classify requests in a row leave the worker's tensor count unchanged and its memory flat`, async () => {
    const classify = async () => {
      const [result] = await client.request('classify', { modelDir, files: [clip], backend: 'wasm' });
      assert.ok('label' in result, 'the clip classifies');
      return result;
    };
    // Warm up: the backend, the model and the allocator reach their working size.
    for (let i = 0; i < 50; i++) await classify();
    const start = await client.request('ping', {});
    assert.ok(start.tensors !== undefined && start.tensors > 0, 'the worker holds the model');
    let first: string | undefined;
    for (let i = 0; i < REQUESTS; i++) {
      const result = await classify();
      first ??= JSON.stringify(result.probabilities);
      assert.equal(JSON.stringify(result.probabilities), first, 'the same clip gives the same probabilities every time');
    }
    const end = await client.request('ping', {});
    assert.equal(end.tensors, start.tensors, 'no tensor is left behind by a request');
    const growthMiB = (end.rssBytes - start.rssBytes) / 2 ** 20;
    assert.ok(growthMiB < 64, `resident memory grew ${growthMiB.toFixed(1)} MiB over ${REQUESTS} requests`);
  });
});
