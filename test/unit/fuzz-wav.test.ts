/**
 * Fuzzing the audio path with malformed and unusual WAV files: every file decodes to finite features and valid
 * probabilities, or is refused with a FileError naming it; nothing else is thrown, and tensors and memory stay put.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { after, before, describe, it } from 'node:test';
import { resolveFeatureConfig } from '../../src/core/audio/config';
import { fileFeatures } from '../../src/core/audio/features';
import { readWav } from '../../src/core/audio/wav';
import { loadBundle, type ModelBundle } from '../../src/core/bundle/bundle';
import { FileError } from '../../src/core/errors';
import { classifyFile, type Classification } from '../../src/core/infer/classify';
import { buildModel } from '../../src/core/models';
import { initBackend } from '../../src/core/tf/backend';
import { workerHandlers } from '../../src/worker/handlers';
import { forgetBundle } from '../../src/worker/runtime';
import { VALID_PREFIX, wavFuzzCorpus, type WavFuzzCase } from '../fuzz/wavCorpus';
import { tempDir } from '../helpers';
import { saveTestBundle } from '../helpers/bundles';

const LABELS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
/** Resident memory the whole corpus may add, in MiB: a bound on leaks and runaway buffers, not on speed. */
const RSS_GROWTH_LIMIT_MIB = 400;

/** A full garbage collection: the exposed one, or one made available for this test. */
function collectGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** Why `probabilities` are not a distribution over the labels, or undefined when they are. */
function distributionProblem(probabilities: Readonly<Record<string, number>>): string | undefined {
  const values = LABELS.map((label) => probabilities[label]);
  if (Object.keys(probabilities).length !== LABELS.length) return `labels ${Object.keys(probabilities).join(', ')}`;
  if (!values.every((p) => Number.isFinite(p) && p >= 0)) return `probabilities ${values.join(', ')}`;
  const sum = values.reduce((a, b) => a + b, 0);
  return Math.abs(sum - 1) <= 1e-4 ? undefined : `probabilities sum to ${sum}`;
}

/** Why `classification` is not a valid result, or undefined when it is. */
function classificationProblem(classification: Classification): string | undefined {
  if (!LABELS.includes(classification.label)) return `label "${classification.label}"`;
  if (!(classification.durationSeconds >= 0)) return `duration ${classification.durationSeconds}`;
  const windows = [classification, ...(classification.timeline ?? [])];
  for (const window of windows) {
    const problem = distributionProblem(window.probabilities);
    if (problem) return problem;
  }
  return undefined;
}

/** Why `error` is not a clear FileError about `file`, or undefined when it is. */
function refusalProblem(error: unknown, file: string): string | undefined {
  if (!(error instanceof FileError)) {
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of a FileError`;
  }
  if (error.file !== file || !error.message.includes(file)) return `FileError names "${error.file}"`;
  if (!error.problem.trim()) return 'FileError with an empty problem';
  if (/\n\s+at /.test(error.problem)) return 'FileError problem carries a stack trace';
  return undefined;
}

describe('fuzzed WAV files', () => {
  const corpus = wavFuzzCorpus();
  const dir = tempDir('voice-emotion-fuzz-');
  const corpusDir = path.join(dir, 'corpus');
  const modelDir = path.join(dir, 'model');
  const fileOf = (c: WavFuzzCase) => path.join(corpusDir, c.name);
  let bundle: ModelBundle;

  before(async () => {
    await initBackend('cpu');
    fs.mkdirSync(corpusDir);
    for (const c of corpus) fs.writeFileSync(fileOf(c), c.bytes);
    // A small untrained model: half-second log-mel clips of 32 bands, so files over 0.75 s take the timeline path.
    const config = resolveFeatureConfig({ nMels: 32, clipSeconds: 0.5 });
    const inputShape: [number, number, number] = [32, 1 + Math.floor((0.5 * config.sampleRate) / config.hopLength), 1];
    const model = buildModel('cnn', { inputShape, numClasses: LABELS.length, seed: 5 });
    await saveTestBundle(modelDir, model, { arch: 'cnn', labels: LABELS, config, inputShape, purpose: 'fuzz', datasetRoot: dir });
    model.dispose();
    bundle = await loadBundle(modelDir);
  });
  after(() => bundle?.model.dispose());

  it('has at least 200 distinct files, under 30 MB, built the same way every time', () => {
    assert.ok(corpus.length >= 200, `${corpus.length} files`);
    assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length);
    const bytes = corpus.reduce((sum, c) => sum + c.bytes.length, 0);
    assert.ok(bytes < 30 * 2 ** 20, `${bytes} bytes`);
    const again = wavFuzzCorpus();
    assert.ok(again.every((c, i) => c.name === corpus[i].name && Buffer.compare(c.bytes, corpus[i].bytes) === 0), 'deterministic');
  });

  it('every file decodes, gives finite features and a valid classification, or is refused with a FileError naming it', { timeout: 600_000 }, (t) => {
    // Warm up on the base file so the backend's and allocator's first-use memory is not counted as growth.
    const control = corpus.find((c) => c.name.startsWith(VALID_PREFIX))!;
    classifyFile(bundle, fileOf(control));
    collectGarbage();
    const tensorsBefore = tf.memory().numTensors;
    const rssBefore = process.memoryUsage().rss;

    const failures: string[] = [];
    let accepted = 0;
    for (const c of corpus) {
      const file = fileOf(c);
      const fail = (stage: string, problem: string) => failures.push(`${c.name} (${c.note}) — ${stage}: ${problem}`);
      const valid = c.name.startsWith(VALID_PREFIX);
      /** Runs one stage: a valid result, or a clear refusal (which a valid file may not give). */
      const stage = <T>(name: string, run: () => T, problem: (result: T) => string | undefined): void => {
        let result: T;
        try {
          result = run();
        } catch (error) {
          const refusal = refusalProblem(error, file);
          if (refusal) fail(name, refusal);
          else if (valid) fail(name, `a valid file was refused: ${(error as FileError).problem}`);
          return;
        }
        const invalid = problem(result);
        if (invalid) fail(name, invalid);
        else if (name === 'classifyFile') accepted++;
      };
      stage('readWav', () => readWav(file), (audio) => (allFinite(audio.samples) ? undefined : 'non-finite samples'));
      for (const kind of ['logmel', 'mfcc'] as const) {
        stage(`fileFeatures ${kind}`, () => fileFeatures(file, kind), (features) => {
          const { bins, frames, data } = features.matrix;
          if (bins <= 0 || frames <= 0 || data.length !== bins * frames) return `matrix ${bins}×${frames} with ${data.length} values`;
          return allFinite(data) ? undefined : 'non-finite feature values';
        });
      }
      stage('classifyFile', () => classifyFile(bundle, file), classificationProblem);
    }
    assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.join('\n')}`);
    const controls = corpus.filter((c) => c.name.startsWith(VALID_PREFIX)).length;
    assert.ok(controls >= 50 && accepted >= controls, `${accepted} files classified, ${controls} valid files`);

    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor is left behind');
    collectGarbage();
    const growthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    t.diagnostic(`${corpus.length} files: ${accepted} classified, ${corpus.length - accepted} refused; resident memory ${growthMiB >= 0 ? '+' : ''}${growthMiB.toFixed(0)} MiB`);
    assert.ok(growthMiB < RSS_GROWTH_LIMIT_MIB, `resident memory grew ${growthMiB.toFixed(0)} MiB over the corpus`);
  });

  it("the worker's classify answers the whole corpus in one batch, one entry per file, and keeps serving", { timeout: 600_000 }, async () => {
    const files = corpus.map(fileOf);
    const tensorsBefore = tf.memory().numTensors;
    const context = { signal: new AbortController().signal, emit: () => undefined };
    const results = await workerHandlers.classify({ modelDir, files, backend: 'cpu' }, context);
    assert.equal(results.length, files.length);
    const failures: string[] = [];
    results.forEach((result, i) => {
      const c = corpus[i];
      if (result.file !== files[i]) failures.push(`${c.name}: entry is for ${result.file}`);
      else if ('error' in result) {
        if (!result.error.trim() || result.error.includes('\n')) failures.push(`${c.name}: error ${JSON.stringify(result.error)}`);
        if (c.name.startsWith(VALID_PREFIX)) failures.push(`${c.name}: a valid file was refused: ${result.error}`);
      } else {
        const problem = classificationProblem(result);
        if (problem) failures.push(`${c.name}: ${problem}`);
      }
    });
    assert.deepEqual(failures, [], failures.join('\n'));
    assert.ok(results.some((r) => 'error' in r) && results.some((r) => 'label' in r), 'both results and errors');
    const pong = await workerHandlers.ping({}, context);
    assert.equal(pong.pid, process.pid);
    forgetBundle(modelDir);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the worker released its copy of the model');
  });
});
