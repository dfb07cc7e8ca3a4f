import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeatureConfig, FeatureKind } from '../audio/config';

/** How a source file is recognised as unchanged: by size and modification time (fast) or by content hash (exact). */
export type FingerprintMode = 'stat' | 'content';

/** A short, stable hash of any JSON-serialisable value (keys sorted). */
export function stableHash(value: unknown): string {
  const canonical = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * Identifies a source file's current content: its name in the dataset (`id`, the path relative to the dataset folder,
 * so a moved dataset keeps its cache), size and modification time — two files of one size unpacked in the same second
 * are still told apart — or a SHA-256 of the bytes (identical files share their features).
 */
export function sourceFingerprint(file: string, mode: FingerprintMode = 'stat', id: string = path.basename(file)): string {
  if (mode === 'content') return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const stat = fs.statSync(file);
  return `${id}:${stat.size}:${Math.round(stat.mtimeMs)}`;
}

/** Hash of everything that decides a file's features. */
export function featureConfigHash(config: FeatureConfig, kind: FeatureKind): string {
  return stableHash({ config, kind, format: 1 });
}

/** The key of one entry: source, feature settings, augmentation plan and copy number. */
export function entryKey(fingerprint: string, configHash: string, augment: string | undefined, copy: number): string {
  return stableHash({ fingerprint, configHash, augment: augment ?? null, copy });
}

/** Where an entry lives: `<cache>/entries/<2 hex>/<key>.vec` (256 buckets keep folders small). */
export function entryPath(cacheDir: string, key: string): string {
  return path.join(cacheDir, 'entries', key.slice(0, 2), `${key}.vec`);
}
