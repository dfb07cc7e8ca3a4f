import type { FeatureMatrixJson } from '../shared/mime';

/** Anchor colours of the viridis colour map (perceptually uniform, readable in light, dark and high-contrast themes). */
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];

function colour(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** Draws a feature matrix as a heatmap canvas (low bins at the bottom) with a caption; returns the container. */
export function renderHeatmap(document: Document, matrix: FeatureMatrixJson): HTMLElement {
  const [bins, frames] = matrix.shape;
  if (!Number.isInteger(bins) || !Number.isInteger(frames) || bins < 1 || frames < 1 || matrix.data.length !== bins) {
    throw new Error(`malformed feature matrix: shape ${JSON.stringify(matrix.shape)}, ${matrix.data.length} rows`);
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of matrix.data) {
    for (const value of row) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  const span = max > min ? max - min : 1;
  const canvas = document.createElement('canvas');
  canvas.width = frames;
  canvas.height = bins;
  canvas.style.width = '100%';
  canvas.style.height = `${Math.max(160, Math.min(480, bins * 2))}px`;
  canvas.style.imageRendering = 'pixelated';
  canvas.setAttribute('role', 'img');
  const seconds = matrix.hopLength ? (frames * matrix.hopLength) / matrix.sampleRate : undefined;
  canvas.setAttribute(
    'aria-label',
    `${matrix.kind} heatmap, ${bins} bins by ${frames} frames${seconds ? `, ${seconds.toFixed(2)} seconds` : ''}`,
  );
  const context = canvas.getContext('2d');
  if (context) {
    const image = context.createImageData(frames, bins);
    for (let b = 0; b < bins; b++) {
      const y = bins - 1 - b;
      const row = matrix.data[b];
      for (let t = 0; t < frames; t++) {
        const [r, g, bl] = colour((row[t] - min) / span);
        const p = 4 * (y * frames + t);
        image.data[p] = r;
        image.data[p + 1] = g;
        image.data[p + 2] = bl;
        image.data[p + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
  }
  const figure = document.createElement('figure');
  figure.style.margin = '0';
  const caption = document.createElement('figcaption');
  caption.style.color = 'var(--vscode-foreground)';
  caption.style.fontFamily = 'var(--vscode-font-family)';
  caption.textContent = `${matrix.kind}: ${bins} × ${frames} at ${matrix.sampleRate} Hz, ${min.toFixed(1)} … ${max.toFixed(1)}${matrix.kind === 'mfcc' ? '' : ' dB'}`;
  figure.append(canvas, caption);
  return figure;
}
