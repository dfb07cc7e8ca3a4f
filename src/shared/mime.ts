import type { Explanation } from './explanation';
import type { ClassifyRowView, DashboardRun, MetricsView, SpectrogramView, WaveformView } from './panelProtocol';

/** MIME types of the product's rich outputs (notebook cells and panels); each maps to one JSON shape below. */
export const MIME = {
  /** A feature matrix: {@link FeatureMatrixJson}. */
  features: 'application/vnd.voice-emotion.features+json',
  /** Waveform and spectrogram of a clip: {@link SpectrogramView}. */
  spectrogram: 'application/vnd.voice-emotion.spectrogram+json',
  /** A playable clip with its waveform: {@link AudioJson}. */
  audio: 'application/vnd.voice-emotion.audio+json',
  /** A training run, live or finished (curves, and metrics at the end): {@link DashboardRun}. */
  training: 'application/vnd.voice-emotion.training+json',
  /** Metrics with a confusion matrix and per-class table: {@link MetricsJson}. */
  metrics: 'application/vnd.voice-emotion.metrics+json',
  /** Classification results (probability bars, timeline): {@link ClassifyRowView}[]. */
  classification: 'application/vnd.voice-emotion.classification+json',
  /** A table: {@link TableJson}. */
  table: 'application/vnd.voice-emotion.table+json',
  /** Clips projected to 2-D, coloured by emotion: {@link ExplorerJson}. */
  explorer: 'application/vnd.voice-emotion.explorer+json',
  /** Why a model chose an emotion: heat over a clip's features: {@link Explanation}. */
  explanation: 'application/vnd.voice-emotion.explanation+json',
} as const;

/** Every rich MIME type the renderer draws. */
export const RICH_MIME_TYPES: readonly string[] = Object.values(MIME);

/** JSON form of a feature matrix, as the CLI prints it: `data[bin][frame]`. */
export interface FeatureMatrixJson {
  readonly kind: 'spectrogram' | 'logmel' | 'mfcc';
  readonly sampleRate: number;
  /** Hop between frames in samples (for a time axis); optional. */
  readonly hopLength?: number;
  readonly shape: readonly [number, number];
  readonly data: readonly (readonly number[])[];
}

/** A clip to listen to: a 16-bit PCM WAV file as base64, and its waveform. */
export interface AudioJson {
  readonly name: string;
  readonly sampleRate: number;
  readonly wavBase64: string;
  readonly waveform: WaveformView;
}

/** Metrics of a model on a set of files. */
export interface MetricsJson {
  readonly title: string;
  readonly metrics: MetricsView;
}

/** A table of values (numbers are shown with their precision; null is an empty cell). */
export interface TableJson {
  readonly caption?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
}

/** One clip in the feature explorer. */
export interface ExplorerPoint {
  readonly x: number;
  readonly y: number;
  readonly label: string;
  /** Absolute path of the clip (the renderer asks the kernel for its audio and spectrogram on click). */
  readonly file: string;
  readonly name: string;
  readonly speaker?: string;
}

/** Clips projected to two dimensions (e.g. PCA of mean log-mel + MFCC statistics). */
export interface ExplorerJson {
  readonly method: string;
  /** What the axes are ("PC 1 (23% of variance)"). */
  readonly axes: readonly [string, string];
  readonly labels: readonly string[];
  readonly points: readonly ExplorerPoint[];
}

/** Messages between the notebook renderer and the kernel (host side), for the feature explorer's clicks. */
export type RendererRequest = { readonly type: 'clip'; readonly requestId: number; readonly file: string };
export type RendererReply =
  | { readonly type: 'clip'; readonly requestId: number; readonly audio: AudioJson; readonly spectrogram: SpectrogramView }
  | { readonly type: 'error'; readonly requestId: number; readonly message: string };

export type { ClassifyRowView, DashboardRun, Explanation, MetricsView, SpectrogramView, WaveformView };
