/**
 * A time–frequency matrix stored frame by frame (time-major): the value of bin b at frame t is
 * `data[t * bins + b]`. "Bins" are FFT bins, mel bands or cepstral coefficients depending on the feature.
 */
export interface FeatureMatrix {
  readonly bins: number;
  readonly frames: number;
  readonly data: Float32Array;
}

/** Allocates a zero-filled matrix. */
export function createMatrix(bins: number, frames: number): FeatureMatrix {
  return { bins, frames, data: new Float32Array(bins * frames) };
}

/** Returns the matrix as nested arrays, bins-major (`rows[bin][frame]`), the layout librosa and JSON consumers use. */
export function toBinsMajor(matrix: FeatureMatrix): number[][] {
  const rows: number[][] = [];
  for (let b = 0; b < matrix.bins; b++) {
    const row = new Array<number>(matrix.frames);
    for (let t = 0; t < matrix.frames; t++) row[t] = matrix.data[t * matrix.bins + b];
    rows.push(row);
  }
  return rows;
}

/** Builds a matrix from bins-major nested arrays (`rows[bin][frame]`). */
export function fromBinsMajor(rows: readonly (readonly number[])[]): FeatureMatrix {
  const bins = rows.length;
  const frames = bins ? rows[0].length : 0;
  const matrix = createMatrix(bins, frames);
  for (let b = 0; b < bins; b++) {
    if (rows[b].length !== frames) throw new RangeError(`row ${b} has ${rows[b].length} frames, expected ${frames}`);
    for (let t = 0; t < frames; t++) matrix.data[t * bins + b] = rows[b][t];
  }
  return matrix;
}
