import { viridis } from '../../shared/colormap';
import { escapeHtml } from './html';

/** One line of a chart. */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
  readonly dashed?: boolean;
}

/** An inline SVG line chart over epochs 1…n with axes, ticks and a legend. */
export function lineChart(title: string, series: readonly Series[], options: { yLabel?: string; percent?: boolean } = {}): string {
  const width = 460;
  const height = 240;
  const margin = { left: 48, right: 12, top: 28, bottom: 36 };
  const n = Math.max(...series.map((s) => s.values.length), 1);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let lo = Math.min(...all, options.percent ? 0 : Number.POSITIVE_INFINITY);
  let hi = Math.max(...all, options.percent ? 1 : Number.NEGATIVE_INFINITY);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-9) hi = lo + 1;
  const x = (i: number) => margin.left + (n === 1 ? 0 : (i / (n - 1)) * (width - margin.left - margin.right));
  const y = (v: number) => margin.top + (1 - (v - lo) / (hi - lo)) * (height - margin.top - margin.bottom);
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  const format = (v: number) => (options.percent ? `${Math.round(v * 100)}%` : v.toFixed(2));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" fill="currentColor">${escapeHtml(title)}</text>`,
    ...ticks.map((t) => `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(t)}" y2="${y(t)}" stroke="currentColor" stroke-opacity="0.15"/><text x="${margin.left - 6}" y="${y(t) + 4}" text-anchor="end" fill="currentColor">${format(t)}</text>`),
    `<text x="${(width + margin.left) / 2}" y="${height - 6}" text-anchor="middle" fill="currentColor">epoch</text>`,
    ...Array.from({ length: n }, (_, i) => i).filter((i) => n <= 12 || i % Math.ceil(n / 12) === 0).map((i) => `<text x="${x(i)}" y="${height - margin.bottom + 14}" text-anchor="middle" fill="currentColor">${i + 1}</text>`),
  ];
  series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<rect x="${margin.left + 8 + k * 110}" y="${margin.top - 2}" width="12" height="3" fill="${s.color}"/><text x="${margin.left + 24 + k * 110}" y="${margin.top + 3}" fill="currentColor">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A confusion matrix as an HTML table: counts, cells coloured by row-normalised share, true labels down the side. */
export function confusionTable(labels: readonly string[], confusion: readonly (readonly number[])[]): string {
  const header = `<tr><th>true ↓ predicted →</th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr>`;
  const rows = confusion.map((row, i) => {
    const sum = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v) => {
      const share = sum ? v / sum : 0;
      const [r, g, b] = viridis(share);
      const text = share > 0.55 ? '#000' : '#fff';
      return `<td style="background: rgb(${r | 0}, ${g | 0}, ${b | 0}); color: ${text}; text-align: right" title="${(share * 100).toFixed(0)}% of ${escapeHtml(labels[i])}">${v}</td>`;
    });
    return `<tr><th>${escapeHtml(labels[i])}</th>${cells.join('')}</tr>`;
  });
  return `<table class="confusion">${header}${rows.join('')}</table>`;
}
