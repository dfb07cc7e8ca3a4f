/** k-fold cross-validation by speaker as one run: folds, summary, records, cancel and resume, the CLI, the dashboard. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { readBundleMeta } from '../../src/core/bundle/bundle';
import { loadDataset } from '../../src/core/dataset/load';
import { CancelledError, UsageError } from '../../src/core/errors';
import { listRuns } from '../../src/core/runs/list';
import { readRunRecord } from '../../src/core/runs/record';
import type { TrainConfig } from '../../src/core/train/config';
import { KFOLD_FILE, trainKFold, type TrainKFoldResult } from '../../src/core/train/kfold';
import type { TrainEvent } from '../../src/core/train/run';
import type { DashboardRun } from '../../src/shared/panelProtocol';
import { applyTrainEvent, finishedKFoldRun, runFraction, stoppedRun } from '../../src/shared/trainingView';
import { foldTable } from '../../src/webview/panel/runsModel';
import { runCli, tempDir } from '../helpers';
import { wasmTrainingSetup } from '../helpers/training';

/** Small, fast settings: a small CNN on 32 mel bands × 1-s clips, two epochs, three folds over four speakers. */
const FAST: Partial<TrainConfig> = { arch: 'cnn', backend: 'wasm', batchSize: 16, features: { nMels: 32, clipSeconds: 1 }, augment: 'none', seed: 5, earlyStopping: 0, epochs: 2, folds: 3 };

/** Mean and sample standard deviation, written out. */
function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) };
}

describe('k-fold by speaker', () => {
  let corpus: string;
  let cacheDir: string;
  let full: TrainKFoldResult;
  const events: TrainEvent[] = [];

  before(async () => {
    ({ corpus, cacheDir } = await wasmTrainingSetup());
  });

  it('trains one model per fold; the test speakers partition the speakers and every clip is tested once', async () => {
    const out = path.join(tempDir(), 'kfold');
    const tensorsBefore = tf.memory().numTensors;
    full = await trainKFold({ dataDir: corpus, out, cacheDir, source: 'cli', config: FAST, onEvent: (e) => events.push(e) });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors left behind');
    const index = loadDataset(corpus);
    assert.equal(full.folds.length, 3);
    const tested = new Set<string>();
    const testedClips: string[] = [];
    for (const [k, fold] of full.folds.entries()) {
      assert.equal(fold.fold, k);
      assert.equal(fold.modelDir, path.join(out, `fold-${k + 1}`));
      assert.equal(fold.status, 'done');
      const meta = readBundleMeta(fold.modelDir);
      assert.equal(meta.split.kind, 'kfold');
      assert.equal(meta.split.fold, k);
      assert.deepEqual(meta.split.speakers.test, fold.speakers.test);
      assert.deepEqual(meta.metrics.test, fold.test);
      for (const speaker of fold.speakers.test) {
        assert.ok(!tested.has(speaker), `speaker ${speaker} tested twice`);
        tested.add(speaker);
        assert.ok(!meta.split.speakers.train.includes(speaker) && !meta.split.speakers.validation.includes(speaker), `speaker ${speaker} is both trained on and tested`);
      }
      testedClips.push(...meta.split.test);
      assert.equal(fold.test?.n, meta.split.test.length);
    }
    assert.deepEqual([...tested].sort(), [...index.speakers]);
    assert.deepEqual([...testedClips].sort(), index.items.map((item) => item.id).sort(), 'every clip is in exactly one test fold');

    const { summary } = full;
    const tests = full.folds.map((fold) => fold.test!);
    for (const metric of ['accuracy', 'uar', 'macroF1'] as const) {
      const expected = meanStd(tests.map((t) => t[metric]));
      assert.ok(Math.abs(summary[metric].mean - expected.mean) < 1e-12 && Math.abs(summary[metric].std - expected.std) < 1e-12, `${metric}: ${JSON.stringify(summary[metric])} vs ${JSON.stringify(expected)}`);
    }
    const summed = summary.labels.map((_, t) => summary.labels.map((__, p) => tests.reduce((sum, m) => sum + m.confusion[t][p], 0)));
    assert.deepEqual(summary.confusion, summed);
    assert.equal(summed.flat().reduce((a, b) => a + b, 0), index.items.length);
    assert.equal(summary.n, index.items.length);
    assert.equal(full.pooled.n, index.items.length);
    assert.deepEqual(full.pooled.confusion, summed);
    assert.deepEqual([summary.folds, summary.of], [3, 3]);

    const saved = JSON.parse(fs.readFileSync(path.join(out, KFOLD_FILE), 'utf8'));
    assert.equal(saved.format, 'voice-emotion-kfold');
    assert.deepEqual(saved.summary, JSON.parse(JSON.stringify(summary)));
    const record = readRunRecord(full.runFile);
    assert.equal(record.kind, 'kfold');
    assert.equal(record.status, 'done');
    assert.equal(record.source, 'cli');
    assert.deepEqual(record.kfold?.summary, JSON.parse(JSON.stringify(summary)));
    assert.deepEqual(record.metrics.test?.confusion, summed);
    assert.equal(record.dataset?.fingerprint, readBundleMeta(full.folds[0].modelDir).dataset.fingerprint);
    const listing = listRuns(path.dirname(out));
    const folds = listing.runs.filter((run) => run.kind === 'fold');
    assert.equal(folds.length, 3);
    for (const run of folds) {
      assert.deepEqual(run.parent, { id: full.runId, modelDir: out });
      assert.equal(run.source, 'cli');
      assert.equal(run.id, full.folds[run.split!.fold!].runId);
    }
  });

  it('progress events name their fold; the dashboard fills a row per fold and ends with mean ± std and the summed matrix', () => {
    const foldEvents = events.filter((e) => e.type === 'fold');
    assert.deepEqual(
      foldEvents.map((e) => `${e.fold}:${e.type === 'fold' ? e.status : ''}`),
      ['0:waiting', '1:waiting', '2:waiting', '0:running', '0:done', '1:running', '1:done', '2:running', '2:done'],
    );
    const epochs = events.filter((e) => e.type === 'epoch');
    assert.deepEqual(
      epochs.map((e) => e.fold),
      [0, 0, 1, 1, 2, 2],
    );
    let run: DashboardRun = { name: 'kfold', modelDir: full.out, status: 'running', message: '', arch: 'cnn', labels: [], epochs: 2, history: [], startedAt: new Date().toISOString() };
    const fractions: number[] = [];
    for (const event of events) {
      run = applyTrainEvent(run, event);
      if (event.type === 'epoch' && event.fold === 1) assert.match(run.message, /^Fold 2\/3: Epoch \d\/2/);
      if (event.type === 'fold' && event.status === 'running' && event.fold === 2) {
        assert.equal(run.history.length, 0, 'a new fold starts new curves');
        assert.deepEqual(run.kfold?.summary?.folds, 2);
      }
      const fraction = runFraction(run);
      if (fraction !== undefined) fractions.push(fraction);
    }
    assert.deepEqual(
      fractions.map((f, i) => f >= (fractions[i - 1] ?? 0)),
      fractions.map(() => true),
      'progress only grows',
    );
    assert.equal(run.history.length, 2);
    assert.equal(run.kfold?.current, 3);
    run = finishedKFoldRun(run, full);
    assert.equal(runFraction(run), 1);
    assert.deepEqual(
      run.kfold?.rows.map((row) => [row.fold, row.status, row.uar]),
      full.folds.map((fold) => [fold.fold + 1, 'done', fold.test!.uar]),
    );
    assert.deepEqual(run.test?.confusion, full.summary.confusion);
    const table = foldTable(run.kfold!);
    assert.equal(table.rows[0].speakers, full.folds[0].speakers.test.join(', '));
    assert.equal(table.summary?.uar, `${(full.summary.uar.mean * 100).toFixed(1)}% ± ${(full.summary.uar.std * 100).toFixed(1)}%`);

    // The worker stops in fold 2 (no fold event comes): the running row ends with the run, not stuck on "running".
    let crashed: DashboardRun = { name: 'kfold', modelDir: full.out, status: 'running', message: '', arch: 'cnn', labels: [], epochs: 2, history: [], startedAt: new Date().toISOString() };
    for (const event of events.slice(0, events.findIndex((e) => e.type === 'fold' && e.fold === 1 && e.status === 'done'))) crashed = applyTrainEvent(crashed, event);
    assert.deepEqual(
      crashed.kfold?.rows.map((row) => row.status),
      ['done', 'running', 'waiting'],
    );
    const failed = stoppedRun(crashed, 'failed', 'the worker process exited (code 1)\nstack');
    assert.equal(failed.status, 'failed');
    assert.deepEqual(
      failed.kfold?.rows.map((row) => [row.status, row.error]),
      [
        ['done', undefined],
        ['failed', 'the worker process exited (code 1)'],
        ['waiting', undefined],
      ],
    );
    assert.equal(foldTable(failed.kfold!).rows[1].status, 'failed: the worker process exited (code 1)');
    assert.deepEqual(
      stoppedRun(crashed, 'cancelled', 'Cancelled').kfold?.rows.map((row) => row.status),
      ['done', 'cancelled', 'waiting'],
    );
  });

  it('cancelling stops the run inside a fold; --resume keeps finished folds, continues the interrupted one, and reaches the same result', async () => {
    const out = path.join(tempDir(), 'kfold');
    const controller = new AbortController();
    await assert.rejects(
      trainKFold({ dataDir: corpus, out, cacheDir, config: FAST, signal: controller.signal, onEvent: (e) => e.type === 'batch' && e.fold === 1 && e.epoch === 1 && controller.abort() }),
      CancelledError,
    );
    const cancelled = listRuns(out).runs.find((run) => run.kind === 'kfold')!;
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(
      cancelled.kfold?.folds.map((fold) => fold.status),
      ['done', 'cancelled'],
    );
    assert.equal(cancelled.kfold?.summary?.folds, 1);
    assert.ok(!fs.existsSync(path.join(out, 'fold-3')), 'the third fold never started');
    const firstWeights = fs.readFileSync(path.join(out, 'fold-1', 'weights.bin'));

    const resumedEvents: TrainEvent[] = [];
    const resumed = await trainKFold({ dataDir: corpus, out, cacheDir, config: FAST, resume: true, onEvent: (e) => resumedEvents.push(e) });
    assert.deepEqual(
      resumed.folds.map((fold) => Boolean(fold.reused)),
      [true, false, false],
    );
    assert.ok(fs.readFileSync(path.join(out, 'fold-1', 'weights.bin')).equals(firstWeights), 'the finished fold was not retrained');
    const starts = resumedEvents.filter((e) => e.type === 'start');
    assert.deepEqual(
      starts.map((e) => [e.fold, e.type === 'start' ? e.resumedAt : -1]),
      [
        [1, 1],
        [2, 0],
      ],
    );
    assert.deepEqual(resumed.summary, full.summary, 'the resumed run scores exactly as the uninterrupted one');
    assert.deepEqual(
      listRuns(out).runs.filter((run) => run.kind === 'kfold').map((run) => run.status),
      ['done', 'cancelled'],
    );
  });

  it('--resume with other settings trains every fold anew instead of continuing an earlier run\'s checkpoints', async () => {
    // Every fold folder holds a finished model and a checkpoint of the first run; this run uses another learning rate.
    const out = path.join(tempDir(), 'kfold');
    fs.cpSync(full.out, out, { recursive: true });
    assert.ok(fs.existsSync(path.join(out, 'fold-1', 'checkpoint', 'state.json')));
    const starts: TrainEvent[] = [];
    const other = await trainKFold({ dataDir: corpus, out, cacheDir, config: { ...FAST, epochs: 1, learningRate: 1e-3 }, resume: true, onEvent: (e) => e.type === 'start' && starts.push(e) });
    assert.deepEqual(
      other.folds.map((fold) => [fold.status, Boolean(fold.reused), fold.epochs]),
      [
        ['done', false, 1],
        ['done', false, 1],
        ['done', false, 1],
      ],
    );
    assert.deepEqual(
      starts.map((e) => (e.type === 'start' ? e.resumedAt : -1)),
      [0, 0, 0],
    );
    assert.ok(other.folds.every((fold) => readBundleMeta(fold.modelDir).training.learningRate === 1e-3));
  });

  it('--resume keeps a finished fold only when its emotions and train, validation and test clips are this run\'s', async () => {
    const out = path.join(tempDir(), 'kfold');
    fs.cpSync(full.out, out, { recursive: true });
    const edit = (fold: number, change: (meta: { labels: string[]; split: { train: string[] } }) => void) => {
      const file = path.join(out, `fold-${fold}`, 'emotion.json');
      const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
      change(meta);
      fs.writeFileSync(file, JSON.stringify(meta));
    };
    edit(1, (meta) => meta.split.train.pop());
    edit(2, (meta) => meta.labels.reverse());
    const resumed = await trainKFold({ dataDir: corpus, out, cacheDir, config: FAST, resume: true });
    assert.deepEqual(
      resumed.folds.map((fold) => Boolean(fold.reused)),
      [false, false, true],
    );
    assert.deepEqual(readBundleMeta(path.join(out, 'fold-2')).labels, full.labels);
    assert.deepEqual(resumed.summary, full.summary, 'retrained on the right clips and labels, the folds score as before');
  });

  it('more folds than speakers, or fewer than three, is a usage error naming the dataset; nothing is left behind', async () => {
    const out = path.join(tempDir(), 'too-many');
    await assert.rejects(trainKFold({ dataDir: corpus, out, cacheDir, config: { ...FAST, folds: 5 } }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, `${corpus}: 5 folds need at least 5 speakers (the dataset has 4)`);
      return true;
    });
    await assert.rejects(trainKFold({ dataDir: corpus, out, cacheDir, config: { ...FAST, folds: 2 } }), /k-fold needs at least 3 folds \(got 2\)/);
    assert.ok(!fs.existsSync(out));
  });

  const cliArgs = (out: string) => ['train', corpus, '--out', out, '--split', 'kfold', '--folds', '3', '--epochs', '1', '--arch', 'cnn', '--n-mels', '32', '--duration', '1', '--backend', 'wasm', '--seed', '5', '--cache', cacheDir];
  /** The k-fold folder the CLI trained. */
  let cliOut = '';

  it('`voice-emotion train --split kfold` trains every fold in the worker and reports them; `runs` lists the run with its folds', () => {
    const models = path.join(tempDir(), 'models');
    cliOut = path.join(models, 'cv');
    const text = runCli(cliArgs(cliOut));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, /^fold 2\/3: training, test speakers /m);
    assert.equal(text.stderr.match(/^backend: wasm/gm)?.length, 1, text.stderr);
    assert.match(text.stdout, /^mean ± std\s+\d+\.\d% ± \d+\.\d%\s+\d+\.\d% ± \d+\.\d%\s+\d+\.\d% ± \d+\.\d%\s+240$/m);
    assert.match(text.stdout, /confusion matrix summed over the folds \(240 test clips, each once\)/);
    const listed = runCli(['runs', models, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const runs = (JSON.parse(listed.stdout) as { runs: { id: string; kind: string; name: string; source: string }[] }).runs;
    assert.equal(runs.filter((run) => run.kind === 'kfold').length, 1);
    assert.equal(runs.filter((run) => run.kind === 'fold').length, 3);
    assert.ok(runs.every((run) => run.source === 'cli'));
    const table = runCli(['runs', models]).stdout.split('\n');
    const kfoldRow = table.findIndex((line) => line.startsWith('cv '));
    assert.match(table[kfoldRow], /kfold\s+done\s+cnn\s+kfold ×3/);
    assert.match(table[kfoldRow], /% ± \d+\.\d% \(3\/3 folds\)$/);
    assert.deepEqual(
      table.slice(kfoldRow + 1, kfoldRow + 4).map((line) => line.trim().split(/\s+/)[0]),
      ['cv/fold-1', 'cv/fold-2', 'cv/fold-3'],
    );
  });

  it('`train --resume` keeps finished folds and names the backend once; `--fold K` trains fold K (from 1) alone', () => {
    // A k-fold run that stopped before its third fold: --resume keeps folds 1 and 2 and trains fold 3.
    const out = path.join(tempDir(), 'cv');
    fs.cpSync(cliOut, out, { recursive: true });
    fs.rmSync(path.join(out, 'fold-3'), { recursive: true });
    const resumed = runCli([...cliArgs(out), '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /^fold 1\/3: .*\(kept from the earlier run\)$/m);
    assert.match(resumed.stderr, /^fold 3\/3: training, test speakers /m);
    assert.equal(resumed.stderr.match(/^backend: wasm/gm)?.length, 1, resumed.stderr);
    // Every fold finished: nothing trains, and the result is whole.
    const kept = runCli([...cliArgs(out), '--resume', '--json']);
    assert.equal(kept.code, 0, kept.stderr);
    const result = JSON.parse(kept.stdout) as TrainKFoldResult;
    assert.deepEqual(
      result.folds.map((fold) => [fold.fold, Boolean(fold.reused)]),
      [
        [0, true],
        [1, true],
        [2, true],
      ],
    );
    assert.equal(result.summary.n, 240);

    // --fold 2 is the fold whose model a k-fold run puts in fold-2 (the core's fold 1).
    const single = path.join(tempDir(), 'fold-two');
    const one = runCli([...cliArgs(single), '--fold', '2', '--json']);
    assert.equal(one.code, 0, one.stderr);
    const meta = readBundleMeta(single);
    assert.equal(meta.split.fold, 1);
    assert.deepEqual(meta.split.speakers.test, result.folds[1].speakers.test);
    assert.deepEqual(meta.split.test, readBundleMeta(path.join(out, 'fold-2')).split.test);
    // `dataset --fold 2` shows that same split.
    const shown = runCli(['dataset', corpus, '--split', 'kfold', '--folds', '3', '--seed', '5', '--fold', '2', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const { split } = JSON.parse(shown.stdout) as { split: { fold: number; test: string[] } };
    assert.equal(split.fold, 1);
    assert.deepEqual(split.test, meta.split.test);
  });

  for (const [extra, pattern] of [
    [['--fold', '0'], /--fold counts from 1 to the number of folds \(3\); got 0/],
    [['--fold', '4'], /--fold counts from 1 to the number of folds \(3\); got 4/],
    [['--test-actors', '1'], /--test-actors and --val-actors .* with --split kfold every fold tests its own speakers/],
    [['--val-actors', '2'], /--test-actors and --val-actors/],
  ] as [string[], RegExp][]) {
    it(`\`train --split kfold ${extra.join(' ')}\` is a usage error (exit 2)`, () => {
      const result = runCli([...cliArgs(path.join(tempDir(), 'unused')), ...extra]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, pattern);
    });
  }

  it('`train --fold` without --split kfold, and `dataset --split kfold --fold 0`, are usage errors (exit 2)', () => {
    const result = runCli(['train', corpus, '--out', path.join(tempDir(), 'unused'), '--fold', '2']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--fold and --folds need --split kfold/);
    const shown = runCli(['dataset', corpus, '--split', 'kfold', '--folds', '3', '--fold', '0']);
    assert.equal(shown.code, 2, shown.stderr);
    assert.match(shown.stderr, /--fold counts from 1 to the number of folds \(3\); got 0/);
  });
});
