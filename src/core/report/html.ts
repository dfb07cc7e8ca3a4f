import { paintMatrix } from '../../shared/colormap';
import { toBinsMajor, type FeatureMatrix } from '../audio/matrix';
import { encodePng } from './png';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Scales each row to [0, 1] on its own (for MFCCs, whose coefficients differ in range by orders of magnitude). */
function normaliseRows(rows: number[][]): number[][] {
  return rows.map((row) => {
    const min = Math.min(...row);
    const span = Math.max(...row) - min || 1;
    return row.map((v) => (v - min) / span);
  });
}

/**
 * A feature matrix as a PNG data URI (viridis, low bins at the bottom) with its value range; `perRow` colours
 * each row on its own scale.
 */
export function matrixImage(matrix: FeatureMatrix, perRow = false): { dataUri: string; min: number; max: number } {
  const rows = toBinsMajor(matrix);
  const { pixels, min, max } = paintMatrix(perRow ? normaliseRows(rows) : rows, matrix.frames);
  const png = encodePng(matrix.frames, matrix.bins, pixels);
  if (perRow) return { dataUri: `data:image/png;base64,${png.toString('base64')}`, ...range(matrix.data) };
  return { dataUri: `data:image/png;base64,${png.toString('base64')}`, min, max };
}

function range(values: Float32Array): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** A self-contained HTML page (inline styles and images, no scripts) with a title and body sections. */
export function htmlPage(title: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #1b1b1b; background: #fff; }
  h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; }
  figure { margin: 1em 0; } figure img { width: 100%; height: 260px; image-rendering: pixelated; border: 1px solid #ccc; }
  figcaption { color: #555; font-size: 0.9em; }
  table { border-collapse: collapse; margin: 0.5em 0; } td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
  .charts { display: flex; flex-wrap: wrap; gap: 1em; } code { font-size: 0.95em; }
  @media (prefers-color-scheme: dark) { body { color: #e8e8e8; background: #1e1e1e; } figcaption { color: #aaa; } td, th, figure img { border-color: #555; } }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${sections.join('\n')}
</body>
</html>
`;
}

/** A figure section showing a feature matrix image with a caption. */
export function matrixFigure(matrix: FeatureMatrix, caption: string, options: { unit?: string; perRow?: boolean } = {}): string {
  const unit = options.unit ?? 'dB';
  const { dataUri, min, max } = matrixImage(matrix, options.perRow);
  const range = `${min.toFixed(1)} … ${max.toFixed(1)}${unit ? ` ${unit}` : ''}`;
  return `<figure><img src="${dataUri}" alt="${escapeHtml(caption)}"><figcaption>${escapeHtml(caption)} — ${matrix.bins} × ${matrix.frames}, ${escapeHtml(range)}</figcaption></figure>`;
}

/** A two-column table of name/value pairs. */
export function keyValueTable(rows: [string, string | number][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`).join('')}</table>`;
}
