/** Run records: what a training run writes when it ends, how runs are listed, and how Compare Runs shapes them. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { readBundleMeta } from '../../src/core/bundle/bundle';
import { loadDataset } from '../../src/core/dataset/load';
import { CancelledError, FileError, UsageError } from '../../src/core/errors';
import { classificationMetrics } from '../../src/core/metrics';
import { listRuns } from '../../src/core/runs/list';
import { parseRunRecord, readRunRecord, RUNS_FOLDER, writeRunRecord, type RunRecord } from '../../src/core/runs/record';
import { metricsFromConfusion } from '../../src/core/runs/summary';
import type { TrainConfig } from '../../src/core/train/config';
import { trainModel } from '../../src/core/train/run';
import type { RunSummary } from '../../src/shared/panelProtocol';
import { runSummaryFromBundle, runSummaryFromRecord } from '../../src/shared/runsView';
import { dashboardRunFromRecord } from '../../src/shared/trainingView';
import { confusionDifference, defaultPair, settingsComparison } from '../../src/webview/panel/runsModel';
import { runCli, tempDir } from '../helpers';
import { wasmTrainingSetup } from '../helpers/training';

/** Small, fast settings: a small CNN on 32 mel bands × 1-s clips. */
const FAST: Partial<TrainConfig> = { arch: 'cnn', backend: 'wasm', batchSize: 16, features: { nMels: 32, clipSeconds: 1 }, augment: 'none', seed: 5, earlyStopping: 0 };

/** The record files of a model folder, by name. */
const recordFiles = (dir: string) => (fs.existsSync(path.join(dir, RUNS_FOLDER)) ? fs.readdirSync(path.join(dir, RUNS_FOLDER)).sort() : []);

describe('run records of training runs', () => {
  let corpus: string;
  let cacheDir: string;
  /** A models folder: model "first" trained twice, "cancelled" cancelled, "refused" failed. */
  let models: string;
  let firstRecord: RunRecord;

  before(async () => {
    ({ corpus, cacheDir } = await wasmTrainingSetup());
    models = path.join(tempDir(), 'models');
  });

  it('a finished run writes a record with its source, settings, split, backend, dataset, history and metrics', async () => {
    const out = path.join(models, 'first');
    const result = await trainModel({ dataDir: corpus, out, cacheDir, source: 'cli', config: { ...FAST, epochs: 2 } });
    assert.deepEqual(recordFiles(out), [`${result.runId}.json`]);
    assert.equal(result.runFile, path.join(out, RUNS_FOLDER, `${result.runId}.json`));
    const record = readRunRecord(result.runFile);
    const meta = readBundleMeta(out);
    const index = loadDataset(corpus);
    assert.equal(record.id, result.runId);
    assert.equal(record.name, 'first');
    assert.equal(record.modelDir, out);
    assert.equal(record.kind, 'single');
    assert.equal(record.source, 'cli');
    assert.equal(record.status, 'done');
    assert.equal(record.error, undefined);
    assert.ok(Date.parse(record.finishedAt) >= Date.parse(record.startedAt));
    assert.deepEqual(record.config, meta.training);
    assert.equal(record.split?.kind, 'actors');
    assert.equal(record.split?.description, meta.split.description);
    assert.deepEqual(record.split?.speakers, meta.split.speakers);
    assert.deepEqual(record.split?.counts, { train: meta.split.train.length, validation: meta.split.validation.length, test: meta.split.test.length });
    assert.equal(record.split!.counts.train + record.split!.counts.validation + record.split!.counts.test, index.items.length);
    const perLabelTest = Object.values(record.split!.perLabel!.test).reduce((a, b) => a + b, 0);
    assert.equal(perLabelTest, meta.split.test.length);
    assert.equal(record.backend?.name, 'wasm');
    assert.deepEqual(record.dataset, meta.dataset);
    assert.deepEqual(record.labels, meta.labels);
    assert.deepEqual(record.history, meta.history);
    assert.equal(record.epochs, 2);
    assert.equal(record.bestEpoch, meta.bestEpoch);
    assert.deepEqual(record.metrics.test, meta.metrics.test);
    assert.deepEqual(record.metrics.validation, meta.metrics.validation);
    assert.equal(record.metrics.test?.n, meta.split.test.length);
    firstRecord = record;
  });

  it('a second run into the same folder adds a record and leaves the first one as it was', async () => {
    const out = path.join(models, 'first');
    const before = fs.readFileSync(path.join(out, RUNS_FOLDER, `${firstRecord.id}.json`));
    const second = await trainModel({ dataDir: corpus, out, cacheDir, source: 'notebook', config: { ...FAST, epochs: 1, learningRate: 1e-3 } });
    assert.deepEqual(recordFiles(out), [`${firstRecord.id}.json`, `${second.runId}.json`].sort());
    assert.ok(fs.readFileSync(path.join(out, RUNS_FOLDER, `${firstRecord.id}.json`)).equals(before));
    const listing = listRuns(models);
    assert.deepEqual(
      listing.runs.map((run) => [run.id, run.source, run.history.length]),
      [
        [second.runId, 'notebook', 1],
        [firstRecord.id, 'cli', 2],
      ],
    );
    assert.throws(() => writeRunRecord({ ...firstRecord }), (error: unknown) => error instanceof FileError && /never overwritten/.test(error.problem));
  });

  it('a cancelled run records status cancelled with the epochs it finished; a failed run records its error', async () => {
    const out = path.join(models, 'cancelled');
    const controller = new AbortController();
    await assert.rejects(
      trainModel({ dataDir: corpus, out, cacheDir, source: 'extension', signal: controller.signal, config: { ...FAST, epochs: 3 }, onEvent: (e) => e.type === 'batch' && e.epoch === 1 && e.batch === 1 && controller.abort() }),
      CancelledError,
    );
    const [file] = recordFiles(out);
    const cancelled = readRunRecord(path.join(out, RUNS_FOLDER, file));
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.source, 'extension');
    assert.equal(cancelled.error, 'training cancelled');
    assert.equal(cancelled.history.length, 1);
    assert.equal(cancelled.epochs, 1);
    assert.equal(cancelled.bestEpoch, 0);
    assert.equal(cancelled.metrics.test, undefined);
    assert.ok(cancelled.metrics.validation, 'the best epoch was evaluated on the validation speakers');

    // Resuming someone else's checkpoint fails before training: the folder existed, so the failure is recorded.
    const refused = path.join(models, 'refused');
    fs.cpSync(out, refused, { recursive: true });
    fs.rmSync(path.join(refused, RUNS_FOLDER), { recursive: true });
    await assert.rejects(trainModel({ dataDir: corpus, out: refused, cacheDir, resume: true, config: { ...FAST, epochs: 3, seed: 6 } }), UsageError);
    const failed = readRunRecord(path.join(refused, RUNS_FOLDER, recordFiles(refused)[0]));
    assert.equal(failed.status, 'failed');
    assert.equal(failed.source, 'api');
    assert.match(failed.error ?? '', /belongs to a different run/);
    assert.equal(failed.split?.kind, 'actors');

    // A run refused by its checks (no such dataset) leaves no record: in a new folder not even the folder, and in a
    // folder that already holds a model no record beside its own.
    const nowhere = path.join(models, 'never');
    await assert.rejects(trainModel({ dataDir: path.join(corpus, 'missing'), out: nowhere, cacheDir, config: FAST }), FileError);
    assert.ok(!fs.existsSync(nowhere));
    const held = recordFiles(path.join(models, 'first'));
    await assert.rejects(trainModel({ dataDir: path.join(corpus, 'missing'), out: path.join(models, 'first'), cacheDir, config: FAST }), FileError);
    assert.deepEqual(recordFiles(path.join(models, 'first')), held);
  });

  it('a run cancelled while computing features, before its first epoch, is recorded: cancelled, no epochs', async () => {
    const out = path.join(tempDir(), 'caching');
    const controller = new AbortController();
    await assert.rejects(
      trainModel({ dataDir: corpus, out, cacheDir: path.join(tempDir(), 'fresh-cache'), threads: 0, source: 'cli', signal: controller.signal, config: FAST, onEvent: (e) => e.type === 'preprocess' && controller.abort() }),
      /cancelled while computing features/,
    );
    const files = recordFiles(out);
    assert.equal(files.length, 1, 'the folder keeps the record of the cancelled run');
    const record = readRunRecord(path.join(out, RUNS_FOLDER, files[0]));
    assert.equal(record.status, 'cancelled');
    assert.equal(record.source, 'cli');
    assert.equal(record.epochs, 0);
    assert.deepEqual(record.history, []);
    assert.equal(record.bestEpoch, -1);
    assert.equal(record.backend?.name, 'wasm');
    assert.ok(!fs.existsSync(path.join(out, 'emotion.json')));
  });

  it('lists runs newest first and skips unreadable records with the reason', () => {
    const runsDir = path.join(models, 'first', RUNS_FOLDER);
    fs.writeFileSync(path.join(runsDir, 'broken.json'), '{"format": "voice-emotion-run", ');
    fs.writeFileSync(path.join(runsDir, 'future.json'), JSON.stringify({ ...firstRecord, id: 'future', version: 2 }));
    fs.writeFileSync(path.join(runsDir, 'model.json'), JSON.stringify({ format: 'layers-model' }));
    fs.writeFileSync(path.join(runsDir, 'bad-metrics.json'), JSON.stringify({ ...firstRecord, id: 'bad-metrics', metrics: { test: { ...firstRecord.metrics.test, confusion: [[1, 2]] } } }));
    fs.writeFileSync(path.join(runsDir, '.x.json.4242.abc123.tmp'), 'half');
    fs.writeFileSync(path.join(runsDir, 'notes.txt'), 'not a record');
    // An entry that cannot be looked at (a link to itself) is named; the other folders are still listed.
    fs.symlinkSync('loop', path.join(models, 'loop'));
    const listing = listRuns(models);
    assert.deepEqual(
      listing.runs.map((run) => run.name),
      ['refused', 'cancelled', 'first', 'first'],
    );
    const reasons = Object.fromEntries(listing.skipped.map((s) => [path.basename(s.file), s.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), ['bad-metrics.json', 'broken.json', 'future.json', 'loop', 'model.json']);
    assert.equal(reasons.loop, 'cannot be read (ELOOP)');
    assert.match(reasons['broken.json'], /is not valid JSON/);
    assert.match(reasons['future.json'], /has version 2; this version reads 1/);
    assert.match(reasons['model.json'], /is not a Voice Emotion run record \(format "layers-model"\)/);
    assert.match(reasons['bad-metrics.json'], /test metrics has a confusion matrix that is not 8 × 8 numbers/);
    // A moved folder: records say where they were written, the listing where they are.
    const moved = path.join(tempDir(), 'moved');
    fs.cpSync(path.join(models, 'cancelled'), path.join(moved, 'cancelled'), { recursive: true });
    assert.equal(listRuns(moved).runs[0].modelDir, path.join(moved, 'cancelled'));
    assert.throws(() => listRuns(path.join(models, 'absent')), (error: unknown) => error instanceof FileError && error.problem === 'does not exist');
    assert.throws(() => parseRunRecord('[]', 'r.json'), /r\.json: is not a JSON object/);
  });

  it('never overwrites a record, not even an entry that only looks free (a link to a missing file)', () => {
    const out = path.join(tempDir(), 'taken');
    const file = path.join(out, RUNS_FOLDER, 'taken.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync('elsewhere.json', file);
    assert.throws(() => writeRunRecord({ ...firstRecord, id: 'taken', modelDir: out }), (error: unknown) => error instanceof FileError && error.file === file && /never overwritten/.test(error.problem));
    assert.equal(fs.readlinkSync(file), 'elsewhere.json', 'the entry is as it was');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['taken.json'], 'no temporary file is left');
    const written = writeRunRecord({ ...firstRecord, id: 'fresh', modelDir: out });
    assert.deepEqual(readRunRecord(written), { ...firstRecord, id: 'fresh', modelDir: out });
  });

  it('`voice-emotion runs` lists them as a table and as JSON, naming skipped records', () => {
    const json = runCli(['runs', models, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { root: string; runs: (RunRecord & { file: string })[]; skipped: { file: string; reason: string }[] };
    assert.equal(parsed.root, models);
    assert.deepEqual(
      parsed.runs.map((run) => [run.name, run.status]),
      [
        ['refused', 'failed'],
        ['cancelled', 'cancelled'],
        ['first', 'done'],
        ['first', 'done'],
      ],
    );
    assert.equal(parsed.runs[3].id, firstRecord.id);
    assert.deepEqual(parsed.runs[3].metrics.test, firstRecord.metrics.test);
    assert.equal(parsed.skipped.length, 5);
    const table = runCli(['runs', models]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.match(lines[0], /^name\s+kind\s+status\s+arch\s+split\s+backend\s+source\s+started\s+epochs\s+val UAR\s+test UAR/);
    const firstRow = lines.filter((line) => line.startsWith('first '));
    assert.equal(firstRow.length, 2);
    assert.match(firstRow[1], new RegExp(`\\s${(firstRecord.metrics.test!.uar * 100).toFixed(1)}%$`));
    assert.match(table.stdout, /refused \(\S+\) failed: .*belongs to a different run/);
    assert.match(table.stderr, /skipped .*broken\.json: is not valid JSON/);
    assert.match(table.stderr, /skipped .*loop: cannot be read \(ELOOP\)/);
    const missing = runCli(['runs', path.join(models, 'absent')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /absent: does not exist/);
  });
});

/** A metrics object from a confusion matrix, as training computes it. */
const metricsOf = (confusion: number[][], labels = ['angry', 'sad', 'neutral']) => metricsFromConfusion(confusion, labels);

describe('Compare Runs shaping', () => {
  it('computes metrics from a confusion matrix exactly as from the clips', () => {
    const confusion = [
      [5, 1, 0],
      [2, 6, 2],
      [0, 0, 4],
    ];
    const truth = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
    const predicted = [0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2];
    assert.deepEqual(metricsOf(confusion), classificationMetrics(truth, predicted, ['angry', 'sad', 'neutral']));
  });

  it('the confusion difference is B − A of row shares; the diagonal mean is over shared emotions, the UAR difference over each run\'s own; missing labels stay empty', () => {
    const a = { labels: ['angry', 'sad', 'neutral'], confusion: [[5, 1, 0], [2, 6, 2], [0, 0, 4]] };
    const b = { labels: ['angry', 'sad', 'neutral', 'happy'], confusion: [[6, 0, 0, 0], [1, 8, 1, 0], [1, 0, 3, 0], [0, 0, 1, 1]] };
    const diff = confusionDifference(a, b, { a: 'old', b: 'new' });
    assert.deepEqual(diff.labels, ['angry', 'sad', 'neutral', 'happy']);
    const close = (x: number | null, y: number) => assert.ok(x !== null && Math.abs(x - y) < 1e-12, `${x} ≠ ${y}`);
    close(diff.difference[0][0], 1 - 5 / 6);
    close(diff.difference[1][1], 0.8 - 0.6);
    close(diff.difference[2][2], 0.75 - 1);
    close(diff.difference[1][2], 0.1 - 0.2);
    assert.deepEqual(diff.difference[3], [null, null, null, null], 'happy is not in A');
    assert.equal(diff.difference[0][3], null);
    // B also tested happy: its UAR counts it, the mean recall difference over the three shared emotions does not.
    const uarA = metricsOf(a.confusion).uar;
    const uarB = metricsOf(b.confusion, b.labels).uar;
    close(diff.uarDifference ?? null, uarB - uarA);
    close(diff.meanRecallDifference ?? null, (1 - 5 / 6 + (0.8 - 0.6) + (0.75 - 1)) / 3);
    assert.equal(diff.sharedEmotions, 3);
    assert.ok(Math.abs(diff.uarDifference! - diff.meanRecallDifference!) > 0.05, 'different label sets: two different numbers');
    const same = confusionDifference(a, { labels: a.labels, confusion: b.confusion.slice(0, 3).map((row) => row.slice(0, 3)) });
    close(same.uarDifference ?? null, same.meanRecallDifference!);
    assert.deepEqual(diff.text[1], ['−10.0', '+20.0', '−10.0', '']);
    assert.match(diff.hover[2][2], /neutral recognised<br>old: 100\.0%<br>new: 75\.0%<br>new − old: −25\.0 points/);
  });

  it('settings side by side mark what differs; the default pair is the two newest runs with test results, folds last', () => {
    const record = (over: Partial<RunRecord>): RunRecord => ({
      format: 'voice-emotion-run',
      version: 1,
      id: 'r',
      name: 'm',
      modelDir: '/w/models/m',
      kind: 'single',
      source: 'cli',
      status: 'done',
      startedAt: '2025-01-01T10:00:00.000Z',
      finishedAt: '2025-01-01T10:05:00.000Z',
      seconds: 300,
      config: { arch: 'cnn-bn', epochs: 30, batchSize: 32, learningRate: 0.002, schedule: 'cosine', warmupEpochs: 1, earlyStopping: 8, dropout: 0.3, classWeights: true, augment: 'none', cachedCopies: 0, split: 'actors', seed: 1, backend: 'auto', features: {}, headEpochs: 3, fineTuneFactor: 0.1 },
      dataset: { root: '/w/data', corpus: 'ravdess', files: 1440, fingerprint: 'abcdef0123456789' },
      history: [],
      epochs: 30,
      bestEpoch: 20,
      metrics: { test: metricsOf([[3, 1, 0], [0, 4, 0], [1, 0, 3]]) },
      ...over,
    });
    const runs: RunSummary[] = [
      runSummaryFromRecord(record({ id: 'fold', name: 'k/fold-1', kind: 'fold', startedAt: '2025-01-03T10:00:00.000Z' }), false),
      runSummaryFromRecord(record({ id: 'new', startedAt: '2025-01-02T10:00:00.000Z', config: { ...record({}).config, augment: 'light', learningRate: 0.001 }, source: 'extension' }), true),
      runSummaryFromRecord(record({ id: 'old' }), false),
      runSummaryFromRecord(record({ id: 'failed', status: 'failed', error: 'disk full', metrics: {}, startedAt: '2025-01-04T10:00:00.000Z' }), false),
    ];
    assert.deepEqual(defaultPair(runs), { a: 2, b: 1 });
    assert.equal(defaultPair(runs.slice(2)), undefined, 'one run with results is nothing to compare');
    const rows = settingsComparison(runs.slice(1, 3));
    assert.deepEqual(
      rows.filter((row) => row.differs).map((row) => [row.name, ...row.values]),
      [
        ['Augmentation', 'light', 'none'],
        ['Learning rate', '0.001 (cosine)', '0.002 (cosine)'],
        ['Source', 'extension', 'cli'],
      ],
    );
    assert.equal(rows.find((row) => row.name === 'Dataset')?.values[0], 'ravdess, 1440 files, fingerprint abcdef0123');
    assert.equal(runs[3].status, 'failed');
    assert.equal(runs[3].testUar, undefined);
    assert.equal(runs[3].error, 'disk full');
    // A k-fold record scores with its mean over folds and shows its folds on the dashboard.
    const summary = { folds: 2, of: 3, labels: ['angry', 'sad', 'neutral'], accuracy: { mean: 0.7, std: 0.1 }, uar: { mean: 0.6, std: 0.05 }, macroF1: { mean: 0.5, std: 0.02 }, confusion: [[3, 1, 0], [0, 4, 0], [1, 0, 3]], n: 12 };
    const fold = (k: number, uar: number) => ({ fold: k, modelDir: `/w/models/k/fold-${k + 1}`, status: 'done' as const, speakers: { test: [`0${k + 1}`], validation: [] }, epochs: 5, bestEpoch: 3, test: { ...metricsOf(summary.confusion), uar }, seconds: 9 });
    const kfold = record({ id: 'k', name: 'k', kind: 'kfold', config: { ...record({}).config, split: 'kfold', folds: 3 }, kfold: { folds: [fold(0, 0.55), fold(1, 0.65)], summary } });
    const row = runSummaryFromRecord(kfold, false);
    assert.equal(row.testUar, 0.6);
    assert.deepEqual(row.kfold, { folds: 2, of: 3, accuracy: summary.accuracy, uar: summary.uar, macroF1: summary.macroF1 });
    assert.equal(row.settings?.find((s) => s.name === 'Split')?.value, 'k-fold by speaker, 3 folds');
    const dashboard = dashboardRunFromRecord(kfold);
    assert.deepEqual(
      dashboard.kfold?.rows.map((r) => [r.fold, r.status, r.uar]),
      [
        [1, 'done', 0.55],
        [2, 'done', 0.65],
        [3, 'waiting', undefined],
      ],
    );
    assert.equal(dashboard.kfold?.summary?.uar.mean, 0.6);
    // A model saved before runs were recorded still appears, from its emotion.json.
    const legacy = runSummaryFromBundle('old-model', '/w/models/old-model', { arch: 'cnn', createdAt: '2024-01-01T00:00:00.000Z', history: [], bestEpoch: 0, training: record({}).config, split: { description: 'speaker-independent' }, metrics: {}, backend: { name: 'cpu' }, dataset: record({}).dataset } as never, false);
    assert.equal(legacy.id, undefined);
    assert.equal(legacy.settings?.find((s) => s.name === 'Source')?.value, 'unknown');
  });
});
