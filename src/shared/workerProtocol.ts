import type { FeatureConfig, FeatureKind } from '../core/audio/config';
import type { ExportResult } from '../core/bundle/export';
import type { Classification } from '../core/infer/classify';
import type { Evaluation } from '../core/infer/evaluate';
import type { BackendChoice, BackendName, BackendReport } from '../core/tf/choices';
import type { TrainConfig } from '../core/train/config';
import type { TrainEvent, TrainModelResult } from '../core/train/run';
import type { TrainKFoldResult } from '../core/train/kfold';
import type { RunSource } from '../core/runs/record';
import type { PreprocessProgress, PreprocessReport } from '../core/cache/preprocess';
import type { SplitKind } from '../core/dataset/split';
import type { DemoCorpusSummary } from '../core/synth/corpus';
import type { Explanation, ExplanationMethod } from './explanation';
import type { AudioJson, FeatureMatrixJson } from './mime';
import type { SpectrogramView } from './panelProtocol';

/** Methods the worker process serves to the extension host, the CLI and the notebook kernel. */
export interface WorkerMethods {
  /** Liveness and identity of the worker. */
  ping: {
    params: Record<string, never>;
    /** `tensors`: TensorFlow.js tensors alive, once TensorFlow.js has loaded. */
    result: { pid: number; node: string; rssBytes: number; tensors?: number };
  };
  /** Features of one WAV file (see core `fileFeatures`). */
  features: {
    params: { file: string; kind: FeatureKind; config?: Partial<FeatureConfig>; full?: boolean };
    result: FeatureMatrixJson;
  };
  /** A WAV file's waveform envelope and features over its whole length, for the spectrogram view. */
  spectrogram: {
    params: { file: string; kind: FeatureKind; config?: Partial<FeatureConfig>; points?: number };
    result: SpectrogramView;
  };
  /** Fills the feature cache of a dataset folder (optionally with augmented copies of the training split). */
  preprocess: {
    params: {
      dataDir: string;
      cacheDir?: string;
      kind?: FeatureKind;
      config?: Partial<FeatureConfig>;
      augment?: string;
      copies?: number;
      split?: SplitKind;
      seed?: number;
    };
    result: PreprocessReport;
    event: PreprocessProgress;
  };
  /** Writes the synthetic demo corpus (RAVDESS names and layout, 48 kHz) into a folder. */
  demoCorpus: {
    params: { outDir: string; actors?: number; seed?: number };
    result: DemoCorpusSummary;
    event: { done: number; total: number };
  };
  /** Selects the TensorFlow.js backend (the ladder with 'auto') and reports it. */
  backend: {
    params: { choice: BackendChoice };
    result: BackendReport;
  };
  /** Starts the backend `choice` and runs one training step on it: proves a newly installed backend works. */
  backendCheck: {
    params: { choice: BackendChoice };
    result: BackendReport & { loss: number; seconds: number };
  };
  /** Trains a model from a dataset folder into a model folder, streaming progress. */
  train: {
    params: { dataDir: string; out: string; config?: Partial<TrainConfig>; resume?: boolean; cacheDir?: string; threads?: number; source?: RunSource };
    result: TrainModelResult;
    event: TrainEvent;
  };
  /** k-fold cross-validation by speaker: one model per fold in `out/fold-<k>`, per-fold and mean ± std scores. */
  trainKFold: {
    params: { dataDir: string; out: string; config?: Partial<TrainConfig>; resume?: boolean; cacheDir?: string; threads?: number; source?: RunSource };
    result: TrainKFoldResult;
    event: TrainEvent;
  };
  /** Evaluates a model folder on a dataset (its test split, given speakers, or all files). */
  evaluate: {
    params: { modelDir: string; dataDir: string; speakers?: string[]; cacheDir?: string; backend?: BackendChoice };
    result: Evaluation & { backend: BackendName };
  };
  /** Classifies files with a model folder; the model stays loaded for the next request. A bad file gets an error entry. */
  classify: {
    params: { modelDir: string; files: string[]; backend?: BackendChoice };
    result: ((Classification & { backend: BackendName }) | { file: string; error: string })[];
  };
  /** Why a model gives one file its emotion: Grad-CAM or occlusion heat over the file's features (core `explainFile`). */
  explain: {
    params: { modelDir: string; file: string; method?: ExplanationMethod; label?: string; backend?: BackendChoice };
    result: Explanation & { backend: BackendName };
  };
  /** Exports a model folder for the browser (see core `exportBundle`): a folder that runs in a web page. */
  exportModel: {
    params: { modelDir: string; outDir: string; force?: boolean };
    result: ExportResult;
  };
  /**
   * Runs one notebook cell in this worker's kernel context (created on first use; variables persist across cells).
   * Cancelling the request interrupts the cell (its `emo` calls see the abort). Console output and rich outputs
   * stream as events while the cell runs.
   */
  notebookExecute: {
    params: { code: string; language: 'typescript' | 'javascript'; cellLabel: string; cwd?: string };
    result: { success: boolean; error?: { name: string; message: string; stack: string } };
    event: CellEvent;
  };
  /** A clip's audio and spectrogram for the notebook renderer (feature explorer clicks). */
  notebookClip: {
    params: { file: string };
    result: { audio: AudioJson; spectrogram: SpectrogramView };
  };
  /** Test aid: waits `ms` milliseconds (emitting progress each 10 ms) unless cancelled. */
  sleep: {
    params: { ms: number };
    result: { sleptMs: number };
    event: { elapsedMs: number };
  };
}

/** One output item of a notebook cell: a MIME type and its JSON value (text/plain for strings). */
export interface CellOutputItem {
  readonly mime: string;
  readonly data: unknown;
}

/**
 * What a running cell sends: console text as it is written; a rich output (`display`); or a new version of an earlier
 * display with the same `id` (live training curves), which replaces it.
 */
export type CellEvent =
  | { readonly type: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'display'; readonly id?: string; readonly items: readonly CellOutputItem[] }
  | { readonly type: 'update'; readonly id: string; readonly items: readonly CellOutputItem[] };

/** The host serves nothing to the worker yet. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HostMethods {}
