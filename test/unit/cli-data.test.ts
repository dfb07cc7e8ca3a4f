/** The dataset-side commands as a user runs them: demo-data, dataset, preprocess. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers';

describe('voice-emotion demo-data, dataset, preprocess', () => {
  let corpus: string;

  before(() => {
    corpus = path.join(tempDir(), 'demo corpus');
    const result = runCli(['demo-data', corpus, '--actors', '3', '--seed', '4']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /180 clips from 3 actors, .*not RAVDESS/);
  });

  it('demo-data writes Actor_NN folders of RAVDESS-named files', () => {
    assert.deepEqual(fs.readdirSync(corpus).sort(), ['Actor_01', 'Actor_02', 'Actor_03']);
    assert.equal(fs.readdirSync(path.join(corpus, 'Actor_02')).length, 60);
    assert.equal(runCli(['demo-data', corpus, '--actors', '30']).code, 2);
  });

  it('dataset --json lists every file with labels, speaker and split', () => {
    const result = runCli(['dataset', corpus, '--json', '--test-actors', '3', '--val-actors', '2']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      corpus: string;
      items: { id: string; label: string; speaker: string; gender: string; split: string; ravdess: { statement: number } }[];
      split: { kind: string; speakers: { test: string[] } };
    };
    assert.equal(json.corpus, 'ravdess');
    assert.equal(json.items.length, 180);
    assert.deepEqual(json.split.speakers.test, ['03']);
    for (const item of json.items) {
      assert.equal(item.split, item.speaker === '03' ? 'test' : item.speaker === '02' ? 'validation' : 'train');
      assert.equal(item.gender, Number(item.speaker) % 2 ? 'male' : 'female');
    }
  });

  it('dataset prints per-class counts per split, and --split random says it leaks speakers', () => {
    const text = runCli(['dataset', corpus]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /speaker-independent/);
    assert.match(text.stdout, /angry\s+\d+\s+\d+\s+\d+/);
    assert.match(runCli(['dataset', corpus, '--split', 'random']).stdout, /random split \(speaker leakage\)/);
    const bad = runCli(['dataset', corpus, '--test-actors', '7']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /speakers not in the dataset: 07/);
  });

  it('preprocess reports work, reuse, per-class counts and throughput; a second run reuses everything', () => {
    const cache = path.join(tempDir(), 'cache');
    const first = runCli(['preprocess', corpus, '--cache', cache, '--json', '--augment', 'light', '--copies', '1']);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as { computed: number; reused: number; perClass: Record<string, number>; examples: unknown[]; audioSecondsPerSecond: number };
    assert.equal(report.computed, 180);
    assert.equal(report.perClass.angry, 24);
    assert.ok(report.examples.length > 180 && report.examples.length < 360);
    assert.ok(report.audioSecondsPerSecond > 0);
    const second = runCli(['preprocess', corpus, '--cache', cache, '--augment', 'light', '--copies', '1']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /0 computed, 180 reused from the cache, 0 skipped/);
    assert.match(second.stdout, /per class: neutral 12, calm 24/);
  });

  it('preprocess explains a bad augmentation spec and a missing folder', () => {
    const spec = runCli(['preprocess', corpus, '--augment', 'noise:snr=30..10']);
    assert.equal(spec.code, 2);
    assert.match(spec.stderr, /^error: .*snr/);
    const missing = runCli(['preprocess', path.join(corpus, 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: .*nope: dataset folder not found/);
  });

  it('train, evaluate and classify through the worker, with JSON contracts and clear errors', () => {
    const model = path.join(tempDir(), 'model');
    const cache = path.join(tempDir(), 'cache');
    const train = runCli(['train', corpus, '--out', model, '--cache', cache, '--epochs', '1', '--n-mels', '32', '--duration', '1', '--json']);
    assert.equal(train.code, 0, train.stderr);
    const trained = JSON.parse(train.stdout) as { epochs: number; backend: { name: string }; test: { uar: number } };
    assert.equal(trained.epochs, 1);
    assert.ok(trained.test.uar >= 0);
    const evaluation = runCli(['evaluate', model, corpus, '--actors', '1-2', '--cache', cache, '--json']);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    const metrics = JSON.parse(evaluation.stdout) as Record<string, unknown>;
    for (const key of ['n', 'accuracy', 'uar', 'macroF1', 'labels', 'confusion']) assert.ok(key in metrics, key);
    assert.equal(metrics.n, 120);
    const clip = path.join(corpus, 'Actor_03', '03-01-04-01-02-01-03.wav');
    const classified = runCli(['classify', model, clip, '--json']);
    assert.equal(classified.code, 0, classified.stderr);
    const result = JSON.parse(classified.stdout) as { file: string; label: string; probabilities: Record<string, number> };
    assert.equal(result.file, clip);
    assert.ok(Math.abs(Object.values(result.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-4);
    const corrupt = path.join(tempDir(), 'corrupt.wav');
    fs.writeFileSync(corrupt, 'RIFF....WAVEjunk');
    const bad = runCli(['classify', model, corrupt]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`^error: ${corrupt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    assert.equal(runCli(['train', corpus]).code, 2);
    assert.match(runCli(['train', corpus, '--out', model, '--arch', 'transformer']).stderr, /--arch must be one of cnn, cnn-bn, resnet-blocks, resnet18/);
    const notModel = runCli(['classify', corpus, clip]);
    assert.equal(notModel.code, 1);
    assert.match(notModel.stderr, /is not a trained model folder/);
  });
});
