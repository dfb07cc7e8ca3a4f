import { paintMatrix } from '../shared/colormap';
import type { FeatureMatrixJson } from '../shared/mime';

/** Draws a feature matrix as a heatmap canvas (low bins at the bottom) with a caption; returns the container. */
export function renderHeatmap(document: Document, matrix: FeatureMatrixJson): HTMLElement {
  const [bins, frames] = matrix.shape;
  if (!Number.isInteger(bins) || !Number.isInteger(frames) || bins < 1 || frames < 1 || matrix.data.length !== bins) {
    throw new Error(`malformed feature matrix: shape ${JSON.stringify(matrix.shape)}, ${matrix.data.length} rows`);
  }
  if (matrix.data.some((row) => row.length !== frames)) throw new Error('malformed feature matrix: rows of unequal length');
  const { pixels, min, max } = paintMatrix(matrix.data, frames);
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
  context?.putImageData(new ImageData(pixels, frames, bins), 0, 0);
  const figure = document.createElement('figure');
  figure.style.margin = '0';
  const caption = document.createElement('figcaption');
  caption.style.color = 'var(--vscode-foreground)';
  caption.style.fontFamily = 'var(--vscode-font-family)';
  caption.textContent = `${matrix.kind}: ${bins} × ${frames} at ${matrix.sampleRate} Hz, ${min.toFixed(1)} … ${max.toFixed(1)}${matrix.kind === 'mfcc' ? '' : ' dB'}`;
  figure.append(canvas, caption);
  return figure;
}
