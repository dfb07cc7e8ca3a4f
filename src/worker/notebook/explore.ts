import * as path from 'node:path';
import type { FeatureConfig } from '../../core/audio/config';
import type { FeatureMatrix } from '../../core/audio/matrix';
import { readCacheEntry } from '../../core/cache/entry';
import { preprocessDataset } from '../../core/cache/preprocess';
import { loadDataset, type DatasetItem } from '../../core/dataset/load';
import { CancelledError } from '../../core/errors';
import type { ExplorerJson } from '../../shared/mime';

/** Options of `emo.explore`. */
export interface ExploreOptions {
  /** At most this many clips, spread evenly over the dataset (default 400). */
  readonly limit?: number;
  /** Feature settings (default: the project's; only log-mel bands are used). */
  readonly features?: Partial<FeatureConfig>;
  readonly cacheDir?: string;
  readonly threads?: number;
}

/** Mean and standard deviation over time of each band: one vector of 2 × bands. */
export function bandStatistics(matrix: FeatureMatrix): Float64Array {
  const out = new Float64Array(2 * matrix.bins);
  for (let b = 0; b < matrix.bins; b++) {
    let sum = 0;
    let squares = 0;
    for (let f = 0; f < matrix.frames; f++) {
      const value = matrix.data[f * matrix.bins + b];
      sum += value;
      squares += value * value;
    }
    const mean = sum / Math.max(1, matrix.frames);
    out[b] = mean;
    out[matrix.bins + b] = Math.sqrt(Math.max(0, squares / Math.max(1, matrix.frames) - mean * mean));
  }
  return out;
}

/** The first `count` principal components of rows (standardised per column), by power iteration with deflation. */
export function principalComponents(rows: readonly Float64Array[], count = 2): { projections: number[][]; explained: number[] } {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const x = rows.map((row) => Float64Array.from(row));
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (const row of x) mean += row[j] / n;
    let variance = 0;
    for (const row of x) variance += (row[j] - mean) ** 2 / Math.max(1, n - 1);
    const scale = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
    for (const row of x) row[j] = (row[j] - mean) * scale;
  }
  const covariance = new Float64Array(d * d);
  for (const row of x) for (let i = 0; i < d; i++) for (let j = i; j < d; j++) covariance[i * d + j] += (row[i] * row[j]) / Math.max(1, n - 1);
  let total = 0;
  for (let i = 0; i < d; i++) {
    total += covariance[i * d + i];
    for (let j = 0; j < i; j++) covariance[i * d + j] = covariance[j * d + i];
  }
  const projections: number[][] = x.map(() => []);
  const explained: number[] = [];
  for (let c = 0; c < Math.min(count, d); c++) {
    let vector = Float64Array.from({ length: d }, (_, i) => 1 + ((i * 7919) % 13) / 13);
    let value = 0;
    for (let iteration = 0; iteration < 200; iteration++) {
      const next = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) next[i] += covariance[i * d + j] * vector[j];
      const norm = Math.hypot(...next);
      if (norm < 1e-12) break;
      for (let i = 0; i < d; i++) next[i] /= norm;
      const change = next.reduce((s, v, i) => s + Math.abs(v - vector[i]), 0);
      vector = next;
      value = norm;
      if (change < 1e-9) break;
    }
    explained.push(total > 0 ? value / total : 0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) covariance[i * d + j] -= value * vector[i] * vector[j];
    x.forEach((row, r) => projections[r].push(row.reduce((s, v, i) => s + v * vector[i], 0)));
  }
  return { projections, explained };
}

/** At most `limit` items, evenly spaced over the list (all when there are fewer). */
function spread<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]);
}

/** Clips of a dataset projected to 2-D: PCA of per-band log-mel mean and std, through the feature cache. */
export async function exploreDataset(dataDir: string, options: ExploreOptions, signal: AbortSignal): Promise<ExplorerJson> {
  const index = loadDataset(dataDir);
  const items = spread(index.items, Math.max(2, options.limit ?? 400));
  const byId = new Map<string, DatasetItem>(items.map((item) => [item.id, item]));
  const report = await preprocessDataset({ ...index, items, skipped: [] }, { kind: 'logmel', config: options.features, cacheDir: options.cacheDir, threads: options.threads, signal });
  if (report.cancelled || signal.aborted) throw new CancelledError('exploring interrupted');
  const examples = report.examples.filter((e) => e.copy === 0 && byId.has(e.id));
  const { projections, explained } = principalComponents(examples.map((e) => bandStatistics(readCacheEntry(e.file).features)));
  const percent = (i: number) => `PC ${i + 1} (${Math.round((explained[i] ?? 0) * 100)}% of variance)`;
  return {
    method: 'PCA of log-mel band means and standard deviations',
    axes: [percent(0), percent(1)],
    labels: index.labels,
    points: examples.map((example, i) => {
      const item = byId.get(example.id)!;
      return { x: projections[i][0] ?? 0, y: projections[i][1] ?? 0, label: item.label, file: item.path, name: path.basename(item.path), speaker: item.speaker };
    }),
  };
}
