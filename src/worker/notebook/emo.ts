import * as path from 'node:path';
import { readWav, resolveFeatureConfig, type FeatureConfig, type FeatureKind } from '../../core/audio';
import { augmentWaveform } from '../../core/augment/apply';
import { parseAugmentSpec } from '../../core/augment/spec';
import { loadDataset, type DatasetIndex } from '../../core/dataset/load';
import { splitCounts, splitDataset, type DatasetSplit, type SplitKind } from '../../core/dataset/split';
import { CancelledError, FileError } from '../../core/errors';
import type { Evaluation } from '../../core/infer/evaluate';
import { Random } from '../../core/random';
import { generateDemoCorpus, type DemoCorpusSummary } from '../../core/synth/corpus';
import type { BackendChoice } from '../../core/tf/choices';
import { MIME, type AudioJson, type ExplorerJson, type MetricsJson, type TableJson } from '../../shared/mime';
import type { ClassifyRowView, SpectrogramView } from '../../shared/panelProtocol';
import type { CellEvent } from '../../shared/workerProtocol';
import { describeExplanation, type Explanation, type ExplanationMethod } from '../../shared/explanation';
import { audioOfFile, audioOfSamples, spectrogramOfSamples, spectrogramView } from './clips';
import { displayable, richItems, tableOf, tableOutput, type Displayable } from './display';
import { exploreDataset, type ExploreOptions } from './explore';
import { prosodyOfFile, type ProsodyResult } from './prosody';
import { metricsView } from '../../shared/trainingView';
import { bundleFor, ensureBackend } from '../runtime';
import { trainWithProgress, type TrainedModel, type TrainOptions } from './training';

/** What the `emo` API needs from the cell that calls it. */
export interface CellScope {
  /** Aborted when the user interrupts the cell. */
  readonly signal: AbortSignal;
  /** Streams output of the cell. */
  readonly emit: (event: CellEvent) => void;
  /** Folder relative paths resolve against (the notebook's). */
  readonly cwd: string;
}

/** A loaded dataset: its index and split, shown as counts per emotion and split. */
export type DatasetView = DatasetIndex & { readonly split: DatasetSplit } & Displayable;

/** The `emo` object preloaded in notebook cells. */
export type Emo = ReturnType<typeof createEmo>;

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The `emo` API bound to whichever cell is running when a function is called. */
export function createEmo(scope: () => CellScope) {
  const resolve = (file: string) => path.resolve(scope().cwd, file);

  return {
    /** The running cell's AbortSignal (aborted by Interrupt), for long work of your own. */
    get signal(): AbortSignal {
      return scope().signal;
    },

    /** Writes the synthetic RAVDESS-shaped demo corpus (60 clips per actor) into `dir`. */
    demoCorpus(dir: string, options: { actors?: number; seed?: number } = {}): DemoCorpusSummary & Displayable {
      const summary = generateDemoCorpus(resolve(dir), { ...options, signal: scope().signal });
      return tableOutput(summary, {
        caption: 'Demo corpus (synthetic voices, RAVDESS names and layout)',
        columns: ['folder', 'files', 'actors', 'audio seconds'],
        rows: [[summary.root, summary.files, summary.actors, Math.round(summary.audioSeconds)]],
      });
    },

    /** A dataset folder's files, labels and speakers with its split; shows counts per emotion and split. */
    dataset(dir: string, options: { split?: SplitKind; seed?: number } = {}): DatasetView {
      const index = loadDataset(resolve(dir));
      const split = splitDataset(index, { kind: options.split, seed: options.seed });
      const counts = splitCounts(index, split);
      const rows = index.labels.map((label) => [label, counts.train[label], counts.validation[label], counts.test[label], counts.train[label] + counts.validation[label] + counts.test[label]]);
      const sum = (c: number) => rows.reduce((s, row) => s + Number(row[c]), 0);
      const table: TableJson = {
        caption: `${index.root} (${index.corpus}, ${index.speakers.length} speakers): ${split.description}${index.skipped.length ? `; ${index.skipped.length} files skipped` : ''}`,
        columns: ['emotion', 'train', 'validation', 'test', 'total'],
        rows: [...rows, ['all', sum(1), sum(2), sum(3), sum(4)]],
      };
      return tableOutput({ ...index, split }, table);
    },

    /** A file's waveform and features over its whole length (kind: logmel, mfcc or spectrogram). */
    features(file: string, options: Partial<FeatureConfig> & { kind?: FeatureKind; points?: number } = {}): SpectrogramView & Displayable {
      const { kind = 'logmel', points = 4000, ...config } = options;
      const view = spectrogramView(resolve(file), kind, config, points);
      return displayable(view, () => [{ items: richItems(MIME.spectrogram, view, `${view.name}: ${kind} ${view.matrix.shape[0]} bins × ${view.matrix.shape[1]} frames`) }]);
    },

    /** A file's prosody (F0, energy, jitter, shimmer, HNR) over its whole length: a summary table and the contours. */
    prosody(file: string, options: Partial<FeatureConfig> & { points?: number } = {}): ProsodyResult {
      const { points = 4000, ...config } = options;
      return prosodyOfFile(resolve(file), config, points);
    },

    /** A file to listen to (16-bit WAV at 16 kHz) with its waveform. */
    listen(file: string): AudioJson & Displayable {
      const audio = audioOfFile(resolve(file));
      return displayable(audio, () => [{ items: richItems(MIME.audio, audio, `${audio.name}: ${audio.waveform.durationSeconds.toFixed(2)} s at ${audio.sampleRate} Hz`) }]);
    },

    /** A file augmented with a spec or preset (e.g. "noise:snr=10..20,pitch"): its audio and log-mel spectrogram. */
    augment(file: string, spec: string, options: { seed?: number } = {}): { audio: AudioJson; spectrogram: SpectrogramView; samples: Float32Array } & Displayable {
      const rate = resolveFeatureConfig().sampleRate;
      const source = resolve(file);
      const samples = augmentWaveform(readWav(source, { targetRate: rate }).samples, rate, parseAugmentSpec(spec), new Random(options.seed ?? 1));
      const name = `${path.basename(source)} (${spec})`;
      const audio = audioOfSamples(name, samples, rate);
      const spectrogram = spectrogramOfSamples(source, samples, 'logmel', {}, 4000, name);
      return displayable({ audio, spectrogram, samples }, () => [
        { items: richItems(MIME.audio, audio, `${name}: ${audio.waveform.durationSeconds.toFixed(2)} s`) },
        { items: richItems(MIME.spectrogram, spectrogram, `${name}: logmel ${spectrogram.matrix.shape[0]} × ${spectrogram.matrix.shape[1]}`) },
      ]);
    },

    /** Trains a model with live curves in the cell; Interrupt stops it (the promise rejects with CancelledError). */
    train(options: TrainOptions): Promise<TrainedModel & Displayable> {
      const { signal, emit } = scope();
      return trainWithProgress(options, resolve, signal, emit);
    },

    /** Metrics of a model on a dataset (its test split when it is the training dataset, else every file). */
    async evaluate(modelDir: string, dataDir: string, options: { speakers?: string[]; backend?: BackendChoice } = {}): Promise<Evaluation & Displayable> {
      await ensureBackend(options.backend);
      const bundle = await bundleFor(resolve(modelDir));
      const { evaluateBundle } = await import('../../core/infer/evaluate');
      const evaluation = await evaluateBundle(bundle, resolve(dataDir), { speakers: options.speakers });
      const json: MetricsJson = { title: `${path.basename(bundle.dir)} on ${evaluation.selection}`, metrics: metricsView(evaluation)! };
      const text = `${json.title}: ${evaluation.n} files, UAR ${percent(evaluation.uar)}, accuracy ${percent(evaluation.accuracy)}, macro F1 ${percent(evaluation.macroF1)}`;
      return displayable(evaluation, () => [{ items: richItems(MIME.metrics, json, text) }]);
    },

    /**
     * Why a model gives a file its emotion: Grad-CAM (default) or occlusion heat over its features, shown as an overlay
     * with the strongest regions in seconds and Hz. `label` explains another emotion than the predicted one.
     */
    async explain(modelDir: string, file: string, options: { method?: ExplanationMethod; label?: string; backend?: BackendChoice } = {}): Promise<Explanation & Displayable> {
      const { signal } = scope();
      await ensureBackend(options.backend);
      const bundle = await bundleFor(resolve(modelDir));
      const { explainFile } = await import('../../core/infer/explain');
      const explanation = await explainFile(bundle, resolve(file), { method: options.method, label: options.label, signal });
      return displayable(explanation, () => [{ items: richItems(MIME.explanation, explanation, `${path.basename(explanation.file)}: ${describeExplanation(explanation)}`) }]);
    },

    /** The emotion of one or more files with a model (probabilities, and a timeline for long files). */
    async classify(modelDir: string, files: string | readonly string[], options: { backend?: BackendChoice } = {}): Promise<ClassifyRowView[] & Displayable> {
      const { signal, cwd } = scope();
      await ensureBackend(options.backend);
      const bundle = await bundleFor(resolve(modelDir));
      const { classifyFile } = await import('../../core/infer/classify');
      // Array.from, not map: the list may come from the cell's realm, and so would the rows.
      const rows: ClassifyRowView[] = Array.from(typeof files === 'string' ? [files] : files, (given) => {
        if (signal.aborted) throw new CancelledError();
        const file = resolve(given);
        const name = path.relative(cwd, file) || path.basename(file);
        try {
          const { label, probabilities, durationSeconds, timeline } = classifyFile(bundle, file);
          return { file, name, label, probabilities, durationSeconds, timeline };
        } catch (error) {
          if (error instanceof FileError) return { file, name, error: error.problem };
          throw error;
        }
      });
      const text = rows.map((row) => (row.error ? `${row.name}: ${row.error}` : `${row.name}: ${row.label} (${percent(row.probabilities![row.label!])})`)).join('\n');
      return displayable(rows, () => [{ items: richItems(MIME.classification, rows, text) }]);
    },

    /** Clips of a dataset as points in 2-D (PCA of log-mel statistics), coloured by emotion; click to listen. */
    async explore(dataDir: string, options: ExploreOptions = {}): Promise<ExplorerJson & Displayable> {
      const explorer = await exploreDataset(resolve(dataDir), { ...options, cacheDir: options.cacheDir && resolve(options.cacheDir) }, scope().signal);
      return displayable(explorer, () => [{ items: richItems(MIME.explorer, explorer, `${explorer.points.length} clips: ${explorer.method}; ${explorer.axes.join(', ')}`) }]);
    },

    /** A table of rows (objects, or arrays with `columns`). */
    table(rows: readonly unknown[], options: { columns?: readonly string[]; caption?: string } = {}): { rows: readonly unknown[] } & Displayable {
      return tableOutput({ rows }, tableOf(rows, options));
    },
  };
}
