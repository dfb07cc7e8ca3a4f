import * as tf from '@tensorflow/tfjs';
import type { FeatureMatrix } from '../audio/matrix';
import { readWav } from '../audio/wav';
import type { ModelBundle } from '../bundle/bundle';
import { FileError } from '../errors';
import { writeImage } from '../train/data';
import { classifySamples, type TimelineSegment } from './timeline';

export type { TimelineSegment } from './timeline';

/** The emotion of a file, with per-label probabilities and, for long files, a timeline. */
export interface Classification {
  readonly file: string;
  readonly label: string;
  readonly probabilities: Readonly<Record<string, number>>;
  readonly durationSeconds: number;
  readonly timeline?: readonly TimelineSegment[];
}

/**
 * Refuses a feature matrix whose size is not the model's input: emotion.json's feature settings and input shape no
 * longer agree (one was edited after training). The error names emotion.json (a path, or a URL in the browser).
 */
export function checkInputShape(bundle: ModelBundle, matrix: FeatureMatrix): void {
  const [bins, frames] = bundle.meta.inputShape;
  if (matrix.bins === bins && matrix.frames === frames) return;
  const separator = /\\/.test(bundle.dir) && !bundle.dir.includes('/') ? '\\' : '/';
  throw new FileError(
    `${bundle.dir.replace(/[\\/]+$/, '')}${separator}emotion.json`,
    `its feature settings give ${matrix.bins} bins × ${matrix.frames} frames but its input shape is ${bins} × ${frames} (the settings or the shape were changed after training)`,
  );
}

/** Class probabilities of feature matrices (each bins × frames as the model expects), in one batch. */
export function predictMatrices(bundle: ModelBundle, matrices: readonly FeatureMatrix[]): Float32Array {
  const [bins, frames] = bundle.meta.inputShape;
  for (const matrix of matrices) checkInputShape(bundle, matrix);
  const pixels = bins * frames;
  const x = new Float32Array(matrices.length * pixels);
  matrices.forEach((m, i) => writeImage(m, bundle.meta.normalization, x, i * pixels));
  return tf.tidy(() => (bundle.model.predict(tf.tensor4d(x, [matrices.length, bins, frames, 1])) as tf.Tensor).dataSync() as Float32Array);
}

/**
 * Classifies a WAV file of any length. Clips up to 1.5 × the model's window are prepared like the training data
 * (trimmed, centred) and classified once; longer files are cut into windows with 50% overlap, giving a timeline, and
 * the overall result averages the voiced windows' probabilities (see {@link classifySamples}).
 */
export function classifyFile(bundle: ModelBundle, file: string): Classification {
  const audio = readWav(file, { targetRate: bundle.meta.feature.config.sampleRate });
  return { file, ...classifySamples(audio.samples, bundle.meta, (matrices) => predictMatrices(bundle, matrices)) };
}
