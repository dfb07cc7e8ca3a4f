import type { ClassificationMetrics, ClassMetrics, MeanStd } from '../core/metrics';
import type { EpochRecord } from '../core/train/checkpoint';
import { EXPLANATION_METHODS, MAX_LABEL_LENGTH, type ExplainRequest, type Explanation } from './explanation';
import type { FeatureMatrixJson } from './mime';
import type { ProsodyView } from './prosodyView';
import { filePath, object, oneOf, string, type Schema } from './validate';

/**
 * The webview panels' protocol (host ↔ panel), carried by the RpcEndpoint of rpc.ts over postMessage. The panel calls
 * the host's methods; the host validates every incoming message before acting on it. Everything here is plain JSON.
 * Messages are bare RpcMessage objects passed to postMessage. Epochs and batches count from 1, as users read them
 * (the core counts from 0; the host converts).
 */

/** Which view a panel shows. */
export type PanelView = 'dashboard' | 'classify' | 'spectrogram' | 'evaluation' | 'runs';

/** One epoch of a training run: the core's EpochRecord, numbered from 1. */
export type EpochView = EpochRecord;

/** Per-class precision, recall, F1 and support. */
export type ClassMetricsView = ClassMetrics;

/** Metrics of a model on a set of files: the plain fields of the core's ClassificationMetrics. */
export type MetricsView = ClassificationMetrics;

/** A training run as the dashboard shows it, live or finished. */
export interface DashboardRun {
  /** Model name (its folder name) and folder. */
  readonly name: string;
  readonly modelDir: string;
  readonly status: 'running' | 'done' | 'failed' | 'cancelled';
  /** What the run is doing now ("Preprocessing 120/1440 files", "Epoch 3/30"), or how it ended. */
  readonly message: string;
  readonly arch: string;
  readonly backend?: string;
  readonly labels: readonly string[];
  readonly epochs: number;
  /** Current epoch (1-based) and batch within it while running. */
  readonly epoch?: number;
  readonly batch?: number;
  readonly batches?: number;
  readonly samplesPerSecond?: number;
  readonly etaSeconds?: number;
  readonly history: readonly EpochView[];
  readonly bestEpoch?: number;
  /** Test-split metrics once the run has finished. */
  readonly test?: MetricsView;
  readonly validation?: MetricsView;
  readonly startedAt: string;
  readonly seconds?: number;
  /** A k-fold run: its folds, filled in as they finish (`test` is then the confusion summed over folds). */
  readonly kfold?: KFoldView;
}

/** One fold of a k-fold run as the dashboard shows it, numbered from 1. */
export interface FoldRowView {
  readonly fold: number;
  readonly modelDir: string;
  readonly testSpeakers: readonly string[];
  readonly status: 'waiting' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Kept from an earlier run of the same settings (resume). */
  readonly reused?: boolean;
  readonly accuracy?: number;
  readonly uar?: number;
  readonly macroF1?: number;
  /** Test clips. */
  readonly n?: number;
  readonly error?: string;
}

/** The folds of a k-fold run and the mean ± std over those finished. */
export interface KFoldView {
  readonly folds: number;
  /** The fold (from 1) the dashboard's curves belong to. */
  readonly current?: number;
  readonly rows: readonly FoldRowView[];
  readonly summary?: { readonly folds: number; readonly n: number; readonly accuracy: MeanStd; readonly uar: MeanStd; readonly macroF1: MeanStd };
}

/** One file's classification. */
export interface ClassifyRowView {
  readonly file: string;
  /** File name relative to the workspace, for display. */
  readonly name: string;
  readonly label?: string;
  readonly probabilities?: Readonly<Record<string, number>>;
  readonly durationSeconds?: number;
  /** Emotion over time for files longer than the model's clip. */
  readonly timeline?: readonly {
    readonly start: number;
    readonly end: number;
    readonly label: string;
    readonly probabilities: Readonly<Record<string, number>>;
    readonly voiced: boolean;
  }[];
  /** Why the file could not be classified. */
  readonly error?: string;
}

/** A waveform reduced to one min/max pair per point. */
export interface WaveformView {
  readonly sampleRate: number;
  /** Input samples each point covers. */
  readonly samplesPerPoint: number;
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly durationSeconds: number;
}

/** A file's waveform and one feature representation with the current feature settings. */
export interface SpectrogramView {
  readonly file: string;
  readonly name: string;
  readonly waveform: WaveformView;
  readonly matrix: FeatureMatrixJson;
  /** Lowest and highest frequency of the bins in Hz (mel or linear), for the y axis; absent for MFCC. */
  readonly fMin?: number;
  readonly fMax?: number;
  /** The mel scale of log-mel bands (default Slaney). */
  readonly melScale?: 'slaney' | 'htk';
  readonly nMels: number;
  /** F0, energy and HNR contours (one value per matrix frame) and the per-clip prosody summary. */
  readonly prosody?: ProsodyView;
}

/** A past training run found in the workspace's models folder. */
export interface RunSummary {
  readonly name: string;
  readonly modelDir: string;
  readonly arch: string;
  readonly createdAt: string;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly augment: string;
  readonly split: string;
  readonly backend: string;
  readonly history: readonly EpochView[];
  readonly validationUar?: number;
  readonly testUar?: number;
  readonly testAccuracy?: number;
  readonly active: boolean;
  /** From the run record (absent for a model saved without one): its id, kind, how it ended and who started it. */
  readonly id?: string;
  readonly kind?: 'single' | 'kfold' | 'fold';
  readonly status?: 'done' | 'failed' | 'cancelled';
  readonly error?: string;
  readonly source?: string;
  /** The file the run's name opens: its run record, else emotion.json. */
  readonly file?: string;
  readonly testMacroF1?: number;
  /** Settings compared side by side (architecture, augmentation, split, epochs, learning rate, features, source, dataset). */
  readonly settings?: readonly { readonly name: string; readonly value: string }[];
  /** Test confusion matrix (summed over folds for k-fold), for the confusion-matrix difference. */
  readonly testConfusion?: { readonly labels: readonly string[]; readonly confusion: readonly (readonly number[])[] };
  /** k-fold: mean ± std over the finished folds. */
  readonly kfold?: { readonly folds: number; readonly of: number; readonly accuracy: MeanStd; readonly uar: MeanStd; readonly macroF1: MeanStd };
}

/** What a panel shows when it opens (and after the host pushes a new state). */
export type PanelState =
  | { readonly view: 'dashboard'; readonly run: DashboardRun | null }
  | {
      readonly view: 'classify';
      readonly model: string;
      readonly rows: readonly ClassifyRowView[];
      readonly spectrogram?: SpectrogramView;
      /** Why the featured file got its emotion (the host can explain others through `explain`), or why that failed. */
      readonly explanation?: Explanation;
      readonly explanationError?: string;
      /** What `explanation` or `explanationError` answers: the file, the method and the emotion asked for. */
      readonly explanationRequest?: ExplainRequest;
    }
  | { readonly view: 'spectrogram'; readonly spectrogram: SpectrogramView }
  | { readonly view: 'evaluation'; readonly model: string; readonly dataset: string; readonly selection: string; readonly metrics: MetricsView; readonly skipped: readonly { readonly file: string; readonly reason: string }[] }
  | { readonly view: 'runs'; readonly runs: readonly RunSummary[] };

/** Feature representations the spectrogram view can switch between. */
export type SpectrogramKind = 'logmel' | 'mfcc' | 'spectrogram';

/** Every {@link SpectrogramKind}. */
export const SPECTROGRAM_KINDS: readonly SpectrogramKind[] = ['logmel', 'mfcc', 'spectrogram'];

/** Methods the host serves to a panel. */
export interface PanelHostMethods {
  /** The panel's state when its page (re)loads; the host ends the requests of any earlier page (its `watch`). */
  state: { params: Record<string, never>; result: PanelState };
  /** Live updates until the panel closes: each event is the panel's whole new state. Never resolves on its own. */
  watch: { params: Record<string, never>; result: null; event: PanelState };
  /** Cancels the running job (the dashboard's Cancel button). */
  cancelJob: { params: Record<string, never>; result: { cancelled: boolean } };
  /** The spectrogram view's file in another representation. */
  spectrogram: { params: { kind: SpectrogramKind }; result: SpectrogramView };
  /** Opens a file (a classified WAV, a model folder's emotion.json) in the editor. */
  openFile: { params: { file: string }; result: null };
  /** Explains a file the classify view shows with Grad-CAM or occlusion (the predicted emotion unless `label` names another). */
  explain: { params: ExplainRequest; result: Explanation };
}

/** Live `watch` subscriptions one panel may hold at once (a page needs one; reloads briefly overlap). */
export const MAX_PANEL_WATCHES = 4;

/** Requests one panel may have unanswered at once, `watch` included. */
export const MAX_PANEL_REQUESTS_IN_FLIGHT = 32;

/** The parameters each host method accepts: the host refuses any request that names another method or does not match. */
export const PANEL_REQUEST_PARAMS: { readonly [K in keyof PanelHostMethods]: Schema<PanelHostMethods[K]['params']> } = {
  state: object({}),
  watch: object({}),
  cancelJob: object({}),
  spectrogram: object({ kind: oneOf(SPECTROGRAM_KINDS) }),
  openFile: object({ file: filePath() }),
  explain: object({ file: filePath(), method: oneOf(EXPLANATION_METHODS), label: string({ minLength: 1, maxLength: MAX_LABEL_LENGTH }) }, { optional: ['label'] }),
};

/** Panels serve nothing to the host. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PanelMethods {}
