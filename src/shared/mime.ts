/** MIME types of the product's rich outputs (notebook cells and panels). */
export const MIME = {
  /** A feature matrix: {@link FeatureMatrixJson}. */
  features: 'application/vnd.voice-emotion.features+json',
} as const;

/** JSON form of a feature matrix, as the CLI prints it: `data[bin][frame]`. */
export interface FeatureMatrixJson {
  readonly kind: 'spectrogram' | 'logmel' | 'mfcc';
  readonly sampleRate: number;
  /** Hop between frames in samples (for a time axis); optional. */
  readonly hopLength?: number;
  readonly shape: readonly [number, number];
  readonly data: readonly (readonly number[])[];
}
