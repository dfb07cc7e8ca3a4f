/** The user's work is never half-written or clobbered: full disks, two writers, cancelled and killed runs. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
// The module object itself (not a namespace copy), so that replacing a function here replaces it for the product code.
import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { resolveFeatureConfig } from '../../src/core/audio/config';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { loadBundle, saveBundle } from '../../src/core/bundle/bundle';
import { readCacheEntry, writeCacheEntry, type CacheEntryHeader } from '../../src/core/cache/entry';
import { preprocessDataset } from '../../src/core/cache/preprocess';
import { loadDataset } from '../../src/core/dataset';
import { CancelledError, FileError } from '../../src/core/errors';
import { isTemporaryFileName, writeFileAtomic } from '../../src/core/fsutil';
import { buildModel } from '../../src/core/models';
import { initBackend } from '../../src/core/tf/backend';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from '../../src/core/train/checkpoint';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/core/train/config';
import { LOCK_FILE, lockModelFolder } from '../../src/core/train/lock';
import { trainModel } from '../../src/core/train/run';
import { ROOT, sine, tempDir } from '../helpers';
import { wasmTrainingSetup } from '../helpers/training';

type Syscall = 'write' | 'fsync';

/**
 * Runs `action` with a disk that fills up: the `failAt`-th write (or flush) to a temporary file below `dir` writes half
 * its bytes and then fails with ENOSPC. Counts the calls either way; the real functions are back afterwards.
 */
async function withFullDisk<T>(dir: string, syscall: Syscall, failAt: number, action: () => T | Promise<T>): Promise<{ result?: T; error?: unknown; calls: number }> {
  const { openSync, closeSync, writeSync, fsyncSync } = fs;
  const tracked = new Set<number>();
  let calls = 0;
  const enospc = () => Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
  const fault = (fd: number) => tracked.has(fd) && ++calls === failAt;
  const patched = fs as unknown as Record<string, unknown>;
  patched.openSync = (file: fs.PathLike, ...rest: unknown[]) => {
    const fd = (openSync as (...args: unknown[]) => number)(file, ...rest);
    const name = String(file);
    if (name.startsWith(dir) && isTemporaryFileName(path.basename(name))) tracked.add(fd);
    return fd;
  };
  patched.closeSync = (fd: number) => {
    tracked.delete(fd);
    closeSync(fd);
  };
  patched.writeSync = (fd: number, buffer: Uint8Array, offset = 0, length = buffer.length - offset, ...rest: unknown[]) => {
    if (syscall === 'write' && fault(fd)) {
      (writeSync as (...args: unknown[]) => number)(fd, buffer, offset, Math.floor(length / 2), ...rest);
      throw enospc();
    }
    return (writeSync as (...args: unknown[]) => number)(fd, buffer, offset, length, ...rest);
  };
  patched.fsyncSync = (fd: number) => {
    if (syscall === 'fsync' && fault(fd)) throw enospc();
    fsyncSync(fd);
  };
  try {
    return { result: await action(), calls };
  } catch (error) {
    return { error, calls };
  } finally {
    Object.assign(fs, { openSync, closeSync, writeSync, fsyncSync });
  }
}

/** Every file below `dir`, relative to it. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Temporary files of atomic writes below `dir`. */
const temporaries = (dir: string) => listFiles(dir).filter((f) => isTemporaryFileName(path.basename(f)));

/** Asserts a failed write reports the file and a full disk in words, as a FileError. */
function assertDiskFull(error: unknown, dir: string): void {
  assert.ok(error instanceof FileError, `expected a FileError, got ${String(error)}`);
  assert.ok(error.file.startsWith(dir) && !isTemporaryFileName(path.basename(error.file)), `names the target file: ${error.file}`);
  assert.match(error.message, /could not be written: the disk is full/);
}

/** How many write and flush calls `action` makes on temporary files below `dir` when nothing fails. */
async function countCalls(dir: string, syscall: Syscall, action: () => unknown): Promise<number> {
  const { calls, error } = await withFullDisk(dir, syscall, Number.POSITIVE_INFINITY, action);
  assert.equal(error, undefined);
  return calls;
}

describe('writeFileAtomic', () => {
  it('flushes the folder after the rename, and carries on where the platform refuses to open a folder', () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.txt');
    const { openSync, fsyncSync } = fs;
    const synced: string[] = [];
    const fds = new Map<number, string>();
    const patched = fs as unknown as Record<string, unknown>;
    patched.openSync = (p: string, ...rest: unknown[]) => {
      const fd = (openSync as (...args: unknown[]) => number)(p, ...rest);
      fds.set(fd, p);
      return fd;
    };
    patched.fsyncSync = (fd: number) => {
      synced.push(fds.get(fd) ?? '?');
      fsyncSync(fd);
    };
    try {
      writeFileAtomic(file, 'first');
    } finally {
      Object.assign(fs, { openSync, fsyncSync });
    }
    assert.equal(synced.length, 2);
    assert.ok(isTemporaryFileName(path.basename(synced[0])), 'the data is flushed before the rename');
    assert.equal(synced[1], dir, 'then the folder holding the new name');

    for (const code of ['EISDIR', 'EPERM']) {
      patched.openSync = (p: string, ...rest: unknown[]) => {
        if (p === dir) throw Object.assign(new Error(`${code}: illegal operation on a directory, open`), { code });
        return (openSync as (...args: unknown[]) => number)(p, ...rest);
      };
      try {
        writeFileAtomic(file, code);
      } finally {
        Object.assign(fs, { openSync });
      }
      assert.equal(fs.readFileSync(file, 'utf8'), code);
    }
    assert.deepEqual(fs.readdirSync(dir), ['notes.txt']);
  });

  it('gives every write its own temporary name', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    const { renameSync } = fs;
    const names: string[] = [];
    (fs as unknown as Record<string, unknown>).renameSync = (from: string, to: string) => {
      names.push(path.basename(from));
      renameSync(from, to);
    };
    try {
      for (let i = 0; i < 200; i++) writeFileAtomic(file, String(i));
    } finally {
      Object.assign(fs, { renameSync });
    }
    assert.equal(new Set(names).size, 200);
    assert.ok(names.every(isTemporaryFileName) && names.every((n) => n.startsWith(`.state.json.${process.pid}.`)));
    assert.equal(fs.readFileSync(file, 'utf8'), '199');
  });
});

describe('a full disk while saving', () => {
  const labels = ['neutral', 'angry', 'sad'];
  const bundleMeta = {
    labels,
    feature: { kind: 'logmel' as const, config: resolveFeatureConfig({ nMels: 16 }) },
    inputShape: [16, 20, 1] as [number, number, number],
    normalization: { mean: new Array(16).fill(-40), std: new Array(16).fill(10) },
    arch: 'cnn' as const,
    training: DEFAULT_TRAIN_CONFIG,
    split: { kind: 'actors' as const, description: 'test', speakerLeakage: false, seed: 1, speakers: { train: [], validation: [], test: [] }, train: [], validation: [], test: [] },
    history: [],
    bestEpoch: 0,
    metrics: {},
    backend: { name: 'cpu' as const, tfBackend: 'cpu', skipped: [] },
    dataset: { root: '/data', corpus: 'ravdess', files: 0, fingerprint: 'x' },
  };

  before(async () => {
    await initBackend('cpu');
  });

  it('a model bundle keeps its previous version, whichever write fails', async () => {
    const dir = path.join(tempDir(), 'model');
    const old = buildModel('cnn', { inputShape: [16, 20, 1], numClasses: 3, seed: 3 });
    await saveBundle(dir, old, bundleMeta);
    old.dispose();
    const weightsBefore = fs.readFileSync(path.join(dir, 'weights.bin'));
    const hashesBefore = readHashes(dir);
    const replacement = buildModel('cnn', { inputShape: [16, 20, 1], numClasses: 3, seed: 4 });
    for (const syscall of ['write', 'fsync'] as const) {
      const probe = path.join(tempDir(), 'probe');
      fs.cpSync(dir, probe, { recursive: true });
      const total = await countCalls(probe, syscall, () => saveBundle(probe, replacement, bundleMeta));
      assert.ok(total >= 3, `${total} ${syscall} calls`);
      for (let failAt = 1; failAt <= total; failAt++) {
        const { error } = await withFullDisk(dir, syscall, failAt, () => saveBundle(dir, replacement, bundleMeta));
        assertDiskFull(error, dir);
        const bundle = await loadBundle(dir);
        assert.deepEqual(bundle.meta.hashes, hashesBefore, `${syscall} ${failAt} of ${total}`);
        bundle.model.dispose();
        assert.ok(fs.readFileSync(path.join(dir, 'weights.bin')).equals(weightsBefore));
        assert.deepEqual(listFiles(dir), ['emotion.json', 'model.json', 'weights.bin']);
      }
    }
    await saveBundle(dir, replacement, bundleMeta);
    assert.notDeepEqual(readHashes(dir), hashesBefore, 'with space again the new version is saved');
    replacement.dispose();
  });

  it('a feature-cache entry keeps its previous version', async () => {
    const dir = path.join(tempDir(), 'cache', 'entries', 'ab');
    const file = path.join(dir, 'abcdef.vec');
    const entry = (value: number) => {
      const header: CacheEntryHeader = { version: 1, key: 'abcdef', id: 'clip', kind: 'logmel', bins: 4, frames: 8, sampleRate: 16000, clipSamples: 1000, copy: 0 };
      return [header, new Float32Array(1000).fill(value / 4), { bins: 4, frames: 8, data: new Float32Array(32).fill(value) }] as const;
    };
    writeCacheEntry(file, ...entry(1));
    for (const syscall of ['write', 'fsync'] as const) {
      const { error, calls } = await withFullDisk(dir, syscall, 1, () => writeCacheEntry(file, ...entry(2)));
      assert.equal(calls, 1);
      assertDiskFull(error, dir);
      assert.equal((error as FileError).file, file);
      assert.deepEqual([...readCacheEntry(file).features.data], new Array(32).fill(1));
      assert.deepEqual(listFiles(dir), ['abcdef.vec']);
    }
  });

  it('preprocessing stops with the reason instead of skipping files, and the next run reuses what was written', async () => {
    // One speaker's eight emotions, as tones of about a second.
    const root = path.join(tempDir(), 'corpus');
    fs.mkdirSync(path.join(root, 'Actor_01'), { recursive: true });
    for (let emotion = 1; emotion <= 8; emotion++) {
      fs.writeFileSync(path.join(root, 'Actor_01', `03-01-0${emotion}-01-01-01-01.wav`), encodeWav(sine(150 + 40 * emotion, 16000, 0.8 + 0.05 * emotion), 16000));
    }
    const index = loadDataset(root);
    const cacheDir = path.join(tempDir(), 'cache');
    const config = { nMels: 32, clipSeconds: 1 };
    const { error } = await withFullDisk(cacheDir, 'write', 5, () => preprocessDataset(index, { cacheDir, config, threads: 0 }));
    assertDiskFull(error, path.join(cacheDir, 'entries'));
    assert.deepEqual(temporaries(cacheDir), []);
    const again = await preprocessDataset(index, { cacheDir, config, threads: 0 });
    assert.equal(again.reused, 4);
    assert.equal(again.computed + again.reused, index.items.length);
    assert.equal(again.skipped.length, 0);
  });

  it('a training checkpoint stays resumable', async () => {
    const dir = path.join(tempDir(), 'checkpoint');
    const model = buildModel('cnn', { inputShape: [16, 20, 1], numClasses: 3, seed: 3 });
    const optimizer = tf.train.adam(0.01);
    const step = () => {
      const x = tf.randomNormal([4, 16, 20, 1], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor) as tf.Scalar);
      tf.dispose([x, y]);
    };
    const state = (epochsDone: number): TrainingState => ({ epochsDone, history: [], bestUar: 0.5, bestEpoch: 0, sinceBest: epochsDone - 1, runKey: 'run' });
    step();
    await saveCheckpoint(dir, model, optimizer, state(1));
    const weightsBefore = fs.readFileSync(path.join(dir, 'weights.bin'));
    const optimizerBefore = fs.readFileSync(path.join(dir, 'optimizer.bin'));
    step();
    for (const syscall of ['write', 'fsync'] as const) {
      const probe = path.join(tempDir(), 'probe');
      const total = await countCalls(probe, syscall, () => saveCheckpoint(probe, model, optimizer, state(2)));
      assert.equal(total, 5);
      for (let failAt = 1; failAt <= total; failAt++) {
        const { error } = await withFullDisk(dir, syscall, failAt, () => saveCheckpoint(dir, model, optimizer, state(2)));
        assertDiskFull(error, dir);
        const checkpoint = await loadCheckpoint(dir);
        assert.equal(checkpoint.state.epochsDone, 1, `${syscall} ${failAt} of ${total}`);
        checkpoint.model.dispose();
        checkpoint.optimizerWeights.forEach((w) => w.tensor.dispose());
        assert.ok(fs.readFileSync(path.join(dir, 'weights.bin')).equals(weightsBefore));
        assert.ok(fs.readFileSync(path.join(dir, 'optimizer.bin')).equals(optimizerBefore));
        assert.deepEqual(listFiles(dir), ['model.json', 'optimizer.bin', 'optimizer.json', 'state.json', 'weights.bin']);
      }
    }
    model.dispose();
    optimizer.dispose();
  });
});

/** The model hashes a bundle's emotion.json vouches for. */
function readHashes(dir: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(dir, 'emotion.json'), 'utf8')).hashes;
}

/** Small, fast settings: 32 mel bands × 1-s clips, a small CNN. */
const FAST: Partial<TrainConfig> = { arch: 'cnn', backend: 'wasm', batchSize: 16, features: { nMels: 32, clipSeconds: 1 }, augment: 'none', seed: 5, earlyStopping: 0 };

describe('one training run per model folder', () => {
  let corpus: string;
  let cacheDir: string;

  before(async () => {
    ({ corpus, cacheDir } = await wasmTrainingSetup());
  });

  it('a second run into the same folder is refused at once and leaves the first one undisturbed', async () => {
    const out = path.join(tempDir(), 'model');
    let second: Promise<unknown> | undefined;
    let checkpointAfterRefusal = false;
    const first = trainModel({
      dataDir: corpus,
      out,
      cacheDir,
      config: { ...FAST, epochs: 2 },
      onEvent: (e) => {
        if (e.type !== 'epoch' || second) return;
        second = trainModel({ dataDir: corpus, out, cacheDir, config: { ...FAST, epochs: 1 } }).then(
          () => assert.fail('the second run should have been refused'),
          (error: unknown) => {
            checkpointAfterRefusal = fs.existsSync(path.join(out, 'checkpoint', 'state.json'));
            return error;
          },
        );
      },
    });
    const result = await first;
    const refusal = await second;
    assert.ok(refusal instanceof FileError, String(refusal));
    assert.equal(refusal.file, out);
    assert.match(refusal.message, new RegExp(`is being written by another training run \\(pid ${process.pid}, started \\d{4}-\\d\\d-\\d\\dT`));
    assert.ok(checkpointAfterRefusal, "the refused run left the first run's checkpoint alone");
    assert.equal(result.epochs, 2);
    const bundle = await loadBundle(out);
    assert.equal(bundle.meta.history.length, 2);
    bundle.model.dispose();
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)), 'the lock is released');
  });

  it("another process's lock refuses the run; once that process is killed, its stale lock is taken over", async () => {
    const out = path.join(tempDir(), 'model');
    const script = `require(${JSON.stringify(path.join(ROOT, 'src', 'core', 'train', 'lock.ts'))}).lockModelFolder(${JSON.stringify(out)}); console.log('locked'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
        child.once('exit', (code) => reject(new Error(`the locking process exited with ${code}`)));
      });
      await assert.rejects(trainModel({ dataDir: corpus, out, cacheDir, config: { ...FAST, epochs: 1 } }), (error: unknown) => {
        assert.ok(error instanceof FileError);
        assert.match(error.message, new RegExp(`is being written by another training run \\(pid ${child.pid}, started `));
        return true;
      });
      assert.deepEqual(fs.readdirSync(out), [LOCK_FILE]);
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    }
    assert.ok(fs.existsSync(path.join(out, LOCK_FILE)), 'a killed process leaves its lock behind');
    const result = await trainModel({ dataDir: corpus, out, cacheDir, config: { ...FAST, epochs: 1 } });
    assert.equal(result.epochs, 1);
    (await loadBundle(out)).model.dispose();
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)));
  });

  it('a lock from another host is never taken over (the message says how to clear it); one with a reused pid is; a lock of this process is released only by its holder', () => {
    const out = tempDir();
    const lockFile = path.join(out, LOCK_FILE);
    fs.writeFileSync(lockFile, JSON.stringify({ pid: 1, hostname: 'build-server-7', startedAt: '2024-05-01T10:00:00.000Z', token: 'x' }));
    assert.throws(() => lockModelFolder(out), /is being written by another training run \(pid 1 on build-server-7, started 2024-05-01T10:00:00\.000Z\).*delete .*\.lock/);
    fs.rmSync(lockFile);
    // This process's pid on a lock it does not hold: left by an earlier run whose pid was reused (a restarted container).
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: 'earlier-run' }));
    lockModelFolder(out).release();
    assert.ok(!fs.existsSync(lockFile), 'the reused-pid lock was taken over and released');
    const lock = lockModelFolder(out);
    assert.throws(() => lockModelFolder(out), /is being written by another training run/);
    lock.release();
    const next = lockModelFolder(out);
    lock.release();
    assert.ok(fs.existsSync(lockFile), "releasing twice leaves the next holder's lock alone");
    next.release();
    assert.deepEqual(fs.readdirSync(out), []);
    const fresh = path.join(out, 'model');
    lockModelFolder(fresh).release();
    assert.ok(!fs.existsSync(fresh), 'a folder the lock created and nothing filled is removed again');
  });

  it('a full disk during a checkpoint fails the run with the reason, releases the folder, and the run resumes', async () => {
    const out = path.join(tempDir(), 'model');
    const checkpointDir = path.join(out, 'checkpoint');
    const config = { ...FAST, epochs: 2 };
    // Each checkpoint is five files: the seventh write is the second file of the second epoch's checkpoint.
    const { error } = await withFullDisk(checkpointDir, 'write', 7, () => trainModel({ dataDir: corpus, out, cacheDir, config }));
    assertDiskFull(error, checkpointDir);
    assert.deepEqual(temporaries(out), []);
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)));
    const checkpoint = await loadCheckpoint(checkpointDir);
    assert.equal(checkpoint.state.epochsDone, 1);
    checkpoint.model.dispose();
    checkpoint.optimizerWeights.forEach((w) => w.tensor.dispose());
    const resumed = await trainModel({ dataDir: corpus, out, cacheDir, config, resume: true });
    assert.equal(resumed.epochs, 2);
    (await loadBundle(out)).model.dispose();
  });

  it('a cancelled run leaves no temporary files and a loadable bundle; a killed run’s leftovers go at the next start', async () => {
    const out = path.join(tempDir(), 'model');
    const checkpointDir = path.join(out, 'checkpoint');
    const config = { ...FAST, epochs: 3 };
    /** Files as a run killed while writing leaves them. */
    const plantLeftovers = () => {
      fs.mkdirSync(checkpointDir, { recursive: true });
      fs.writeFileSync(path.join(out, '.weights.bin.4242.5f3a9c0.tmp'), 'half a file');
      fs.writeFileSync(path.join(checkpointDir, '.optimizer.bin.4242.1b2c3d40.tmp'), 'half a file');
    };
    plantLeftovers();
    fs.writeFileSync(path.join(out, 'notes.txt'), 'the user’s own file');
    const controller = new AbortController();
    await assert.rejects(
      trainModel({ dataDir: corpus, out, cacheDir, signal: controller.signal, config, onEvent: (e) => e.type === 'batch' && e.epoch === 1 && e.batch === 1 && controller.abort() }),
      CancelledError,
    );
    assert.deepEqual(temporaries(out), []);
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)));
    const bundle = await loadBundle(out);
    assert.equal(bundle.meta.history.length, 1);
    bundle.model.dispose();
    const checkpoint = await loadCheckpoint(checkpointDir);
    assert.equal(checkpoint.state.epochsDone, 1);
    checkpoint.model.dispose();
    checkpoint.optimizerWeights.forEach((w) => w.tensor.dispose());

    plantLeftovers();
    const resumed = await trainModel({ dataDir: corpus, out, cacheDir, config, resume: true });
    assert.equal(resumed.epochs, 3);
    assert.deepEqual(temporaries(out), []);
    const files = listFiles(out);
    assert.deepEqual(files.filter((f) => !f.startsWith('runs/')), ['checkpoint/model.json', 'checkpoint/optimizer.bin', 'checkpoint/optimizer.json', 'checkpoint/state.json', 'checkpoint/weights.bin', 'emotion.json', 'model.json', 'notes.txt', 'weights.bin']);
    // The cancelled run and the resumed one each left a run record.
    assert.equal(files.filter((f) => /^runs\/[\w-]+\.json$/.test(f)).length, 2);
  });
});
