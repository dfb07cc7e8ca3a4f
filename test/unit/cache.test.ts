import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { readWav } from '../../src/core/audio/wav';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { readCacheEntry, readCacheEntryHeader } from '../../src/core/cache/entry';
import { preprocessDataset } from '../../src/core/cache/preprocess';
import { loadDataset, splitDataset, type DatasetIndex } from '../../src/core/dataset';
import { generateDemoCorpus } from '../../src/core/synth/corpus';
import { ROOT, tempDir } from '../helpers';

/** Every file below `dir`. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('demo corpus', () => {
  it('is RAVDESS-shaped, deterministic per seed, with distinct voices and emotions', () => {
    const a = path.join(tempDir(), 'a');
    const b = path.join(tempDir(), 'b');
    const summary = generateDemoCorpus(a, { actors: 2, seed: 5 });
    generateDemoCorpus(b, { actors: 2, seed: 5 });
    assert.equal(summary.files, 120);
    const index = loadDataset(a);
    assert.equal(index.corpus, 'ravdess');
    assert.equal(index.items.length, 120);
    assert.equal(index.skipped.length, 0);
    assert.deepEqual(index.speakers, ['01', '02']);
    const file = 'Actor_02/03-01-05-02-01-01-02.wav';
    assert.deepEqual(fs.readFileSync(path.join(a, file)), fs.readFileSync(path.join(b, file)));
    const audio = readWav(path.join(a, file));
    assert.equal(audio.sampleRate, 48000);
    assert.equal(audio.info.bitsPerSample, 16);
    assert.ok(audio.info.durationSeconds > 2 && audio.info.durationSeconds < 5);
    // Emotions change loudness: strong anger is louder than sadness for the same speaker and statement.
    const rms = (f: string) => {
      const s = readWav(path.join(a, f)).samples;
      return Math.sqrt(s.reduce((sum, v) => sum + v * v, 0) / s.length);
    };
    assert.ok(rms('Actor_01/03-01-05-02-01-01-01.wav') > 2 * rms('Actor_01/03-01-04-01-01-01-01.wav'));
  });
});

describe('preprocessDataset and the feature cache', () => {
  let root: string;
  let index: DatasetIndex;

  before(() => {
    root = path.join(tempDir(), 'corpus');
    generateDemoCorpus(root, { actors: 2, seed: 2 });
    index = loadDataset(root);
  });

  it('computes every file once in parallel, then reuses all of it', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const progress: number[] = [];
    const first = await preprocessDataset(index, { cacheDir, threads: 2, onProgress: (p) => progress.push(p.done) });
    assert.equal(first.threads, 2);
    assert.equal(first.computed, 120);
    assert.equal(first.reused, 0);
    assert.equal(first.skipped.length, 0);
    assert.equal(first.examples.length, 120);
    assert.equal(progress.at(-1), 120);
    assert.equal(first.perClass.neutral, 8);
    assert.equal(first.perClass.angry, 16);
    const entry = readCacheEntry(first.examples[0].file);
    assert.deepEqual([entry.features.bins, entry.features.frames], [128, 188]);
    assert.equal(entry.clip.length, 48000);
    assert.equal(entry.header.id, first.examples[0].id);
    assert.ok(fs.existsSync(first.reportFile));

    const second = await preprocessDataset(index, { cacheDir, threads: 2 });
    assert.equal(second.computed, 0);
    assert.equal(second.reused, 120);
    assert.deepEqual(second.examples.map((e) => e.file), first.examples.map((e) => e.file));
  });

  it('recomputes only a changed file, and everything when the feature settings change', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    await preprocessDataset(index, { cacheDir, threads: 2 });
    const changed = index.items[7];
    const samples = readWav(changed.path).samples.map((v) => v * 0.5);
    fs.writeFileSync(changed.path, encodeWav(samples, 48000));
    fs.utimesSync(changed.path, new Date(), new Date(Date.now() + 5000));
    const again = await preprocessDataset(index, { cacheDir, threads: 0 });
    assert.equal(again.computed, 1);
    assert.equal(again.reused, 119);
    const mfcc = await preprocessDataset(index, { cacheDir, threads: 2, kind: 'mfcc', config: { nMfcc: 20 } });
    assert.equal(mfcc.computed, 120);
    assert.deepEqual([readCacheEntry(mfcc.examples[0].file).features.bins], [20]);
  });

  it('tells apart two different recordings of the same size and modification time', async () => {
    const dir = path.join(tempDir(), 'twins');
    const tone = (hz: number) => Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / 16000));
    for (const [label, hz] of [['happy', 300], ['sad', 2000]] as const) {
      fs.mkdirSync(path.join(dir, label), { recursive: true });
      fs.writeFileSync(path.join(dir, label, 'take.wav'), encodeWav(tone(hz), 16000));
    }
    const when = new Date('2026-01-01T00:00:00Z');
    for (const label of ['happy', 'sad']) fs.utimesSync(path.join(dir, label, 'take.wav'), when, when);
    const twins = loadDataset(dir);
    assert.equal(fs.statSync(twins.items[0].path).size, fs.statSync(twins.items[1].path).size);
    const report = await preprocessDataset(twins, { cacheDir: path.join(tempDir(), 'cache'), threads: 0 });
    assert.equal(report.computed, 2);
    const [a, b] = report.examples.map((e) => readCacheEntry(e.file).features.data);
    assert.notDeepEqual(a, b);
  });

  it("leaves another process's entries in progress alone, and clears a dead run's leftovers", async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    await preprocessDataset(index, { cacheDir, threads: 0 });
    const bucket = path.join(cacheDir, 'entries', '00');
    fs.mkdirSync(bucket, { recursive: true });
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.once('exit', resolve));
    const inProgress = path.join(bucket, `.00aa.vec.${process.pid}.1a2b.tmp`);
    const abandoned = path.join(bucket, `.00bb.vec.${dead.pid}.3c4d.tmp`);
    fs.writeFileSync(inProgress, 'being written');
    fs.writeFileSync(abandoned, 'half a file');
    await preprocessDataset(index, { cacheDir, threads: 0 });
    assert.ok(fs.existsSync(inProgress), 'a live writer keeps its temporary file');
    assert.ok(!fs.existsSync(abandoned), "a dead run's temporary file is removed");
  });

  it('materialises seeded augmented copies for the training split only', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const split = splitDataset(index, { kind: 'random', seed: 1 });
    const train = new Set(split.train);
    const report = await preprocessDataset(index, { cacheDir, threads: 2, augment: 'light', copies: 2, augmentIds: train });
    assert.equal(report.copies, 2);
    assert.equal(report.examples.length, 120 + 2 * train.size);
    const id = split.train[0];
    const [original, copy1, copy2] = report.examples.filter((e) => e.id === id).map((e) => readCacheEntry(e.file));
    assert.equal(copy1.header.copy, 1);
    assert.match(copy1.header.augment ?? '', /gain/);
    assert.notDeepEqual(copy1.features.data, original.features.data);
    assert.notDeepEqual(copy1.features.data, copy2.features.data);
    assert.equal(report.examples.filter((e) => !train.has(e.id) && e.copy > 0).length, 0);
    const again = await preprocessDataset(index, { cacheDir, threads: 2, augment: 'light', copies: 2, augmentIds: train });
    assert.equal(again.computed, 0);
  });

  it('skips a file that fails to decode, with its reason, and carries on', async () => {
    const dir = path.join(tempDir(), 'with-bad');
    fs.cpSync(root, dir, { recursive: true });
    const bad = path.join(dir, 'Actor_01', '03-01-03-01-01-01-01.wav');
    fs.writeFileSync(bad, encodeWav(Float32Array.from([0, Number.NaN, 0]), 48000, { bitDepth: '32f' }));
    const report = await preprocessDataset(loadDataset(dir), { cacheDir: path.join(tempDir(), 'cache'), threads: 2 });
    assert.equal(report.computed, 119);
    assert.equal(report.skipped.length, 1);
    assert.equal(report.skipped[0].path, bad);
    assert.match(report.skipped[0].problem, /non-finite/);
  });

  it('cancels promptly, leaving only complete entries, and the next run finishes the rest', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const controller = new AbortController();
    const report = await preprocessDataset(index, {
      cacheDir,
      threads: 2,
      signal: controller.signal,
      onProgress: (p) => p.done >= 10 && controller.abort(),
    });
    assert.ok(report.cancelled);
    assert.ok(report.computed >= 10 && report.computed < 120, `${report.computed} computed`);
    const files = listFiles(path.join(cacheDir, 'entries'));
    assert.equal(files.length, report.computed);
    for (const file of files) readCacheEntryHeader(file);
    const rest = await preprocessDataset(index, { cacheDir, threads: 2 });
    assert.equal(rest.reused, report.computed);
    assert.equal(rest.computed, 120 - report.computed);
  });

  it('a killed preprocess run leaves a usable cache', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'voice-emotion.js'), 'preprocess', root, '--cache', cacheDir, '--threads', '2'], { stdio: 'ignore' });
    const entries = path.join(cacheDir, 'entries');
    const deadline = Date.now() + 60_000;
    while (listFiles(entries).filter((f) => f.endsWith('.vec')).length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const complete = listFiles(entries).filter((f) => f.endsWith('.vec'));
    assert.ok(complete.length >= 20 && complete.length < 120, `${complete.length} entries`);
    for (const file of complete) readCacheEntryHeader(file);
    const resumed = await preprocessDataset(index, { cacheDir, threads: 2 });
    assert.equal(resumed.reused, complete.length);
    assert.equal(resumed.computed + resumed.reused, 120);
    assert.equal(listFiles(entries).filter((f) => f.endsWith('.tmp')).length, 0);
  });
});
