import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveFeatureConfig, type FeatureConfig, type FeatureKind } from '../audio/config';
import { formatAugmentPlan, parseAugmentSpec } from '../augment/spec';
import type { DatasetIndex, SkippedFile } from '../dataset/load';
import type { DatasetSplit } from '../dataset/split';
import { FileError } from '../errors';
import { removeTemporaryFiles, writeFileAtomic } from '../fsutil';
import { readCacheEntryHeader } from './entry';
import type { PreprocessJob } from './job';
import { entryKey, entryPath, featureConfigHash, sourceFingerprint, stableHash, type FingerprintMode } from './keys';
import { JobPool } from './pool';

/** Progress of a preprocessing run. */
export interface PreprocessProgress {
  /** Files finished (computed, reused or skipped) and the total. */
  readonly done: number;
  readonly total: number;
  readonly reused: number;
  readonly skipped: number;
  /** Estimated seconds left (undefined until a few files have been computed). */
  readonly etaSeconds?: number;
}

/** Options of {@link preprocessDataset}. */
export interface PreprocessOptions {
  /** Cache folder (default `<dataset root>/.voice-emotion-cache`). */
  readonly cacheDir?: string;
  /** Feature representation to store (default 'logmel'). */
  readonly kind?: FeatureKind;
  /** Feature settings (defaults: DEFAULT_FEATURE_CONFIG). */
  readonly config?: Partial<FeatureConfig>;
  /** Augmentation spec or preset for materialised copies (see parseAugmentSpec). */
  readonly augment?: string;
  /** Augmented copies per file (default 1 when `augment` is given, else 0). */
  readonly copies?: number;
  /** Only these item ids get augmented copies (e.g. the training split); default all. */
  readonly augmentIds?: ReadonlySet<string>;
  /** The split the run belongs to, recorded in the report. */
  readonly split?: DatasetSplit;
  /** Seed of the augmented copies (default 1). */
  readonly seed?: number;
  /** Worker threads (default: CPU count, at most 8); 0 runs in the calling thread. */
  readonly threads?: number;
  /** How unchanged sources are recognised (default 'stat': size and modification time). */
  readonly fingerprint?: FingerprintMode;
  readonly onProgress?: (progress: PreprocessProgress) => void;
  /** Aborting stops the run: files in flight finish or are dropped; everything written is complete. */
  readonly signal?: AbortSignal;
}

/** One cached example: which item, which copy, and its entry file. */
export interface CachedExample {
  readonly id: string;
  readonly label: string;
  readonly speaker: string;
  readonly copy: number;
  readonly file: string;
}

/** What a run did; also written to `<cache>/reports/`. */
export interface PreprocessReport {
  readonly root: string;
  readonly cacheDir: string;
  readonly kind: FeatureKind;
  readonly config: FeatureConfig;
  readonly configHash: string;
  readonly augment?: string;
  readonly copies: number;
  readonly threads: number;
  /** Dataset files considered. */
  readonly files: number;
  /** Files whose entries were computed now, and files fully served from the cache. */
  readonly computed: number;
  readonly reused: number;
  /** Files that could not be used, each with the reason (the dataset's own skips included). */
  readonly skipped: readonly SkippedFile[];
  /** Usable files per label (originals only). */
  readonly perClass: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly filesPerSecond: number;
  /** Audio seconds decoded per wall-clock second (computed files only). */
  readonly audioSecondsPerSecond: number;
  readonly cancelled: boolean;
  /** The split given in the options, if any. */
  readonly split?: DatasetSplit;
  readonly examples: readonly CachedExample[];
  readonly reportFile: string;
}

/**
 * Deletes temporary files a killed run left behind (complete entries are never temporary). Another process may be
 * filling the same cache (a notebook and a training run on one dataset): its files in progress are left alone.
 */
function removeStaleTemporaries(entriesDir: string): void {
  for (const bucket of fs.readdirSync(entriesDir)) {
    const dir = path.join(entriesDir, bucket);
    if (fs.statSync(dir).isDirectory()) removeTemporaryFiles(dir, { abandonedOnly: true });
  }
}

function isValidEntry(file: string, key: string): boolean {
  try {
    return readCacheEntryHeader(file).key === key;
  } catch {
    return false;
  }
}

/**
 * Decodes, resamples, trims, crops and computes features for a whole dataset once, in parallel, into a cache keyed by
 * (source fingerprint, feature settings, augmentation, copy). Re-running with nothing changed does no work; changing
 * one file recomputes only that file. Every entry is written atomically, so a killed run leaves a usable cache.
 */
export async function preprocessDataset(index: DatasetIndex, options: PreprocessOptions = {}): Promise<PreprocessReport> {
  const started = Date.now();
  const kind = options.kind ?? 'logmel';
  const config = resolveFeatureConfig(options.config);
  const configHash = featureConfigHash(config, kind);
  const augment = options.augment ? formatAugmentPlan(parseAugmentSpec(options.augment)) : undefined;
  const copies = augment ? (options.copies ?? 1) : 0;
  if (!Number.isInteger(copies) || copies < 0 || copies > 100) throw new RangeError(`copies must be 0–100 (got ${options.copies})`);
  const cacheDir = path.resolve(options.cacheDir ?? path.join(index.root, '.voice-emotion-cache'));
  try {
    fs.mkdirSync(path.join(cacheDir, 'entries'), { recursive: true });
  } catch (error) {
    throw new FileError(cacheDir, `cannot create the cache folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  removeStaleTemporaries(path.join(cacheDir, 'entries'));
  const seed = options.seed ?? 1;
  const threads = options.threads ?? Math.min(8, os.cpus().length);

  const skipped: SkippedFile[] = [...index.skipped];
  const examples: CachedExample[] = [];
  const jobs: { job: PreprocessJob; label: string; speaker: string }[] = [];
  let reused = 0;
  for (const item of index.items) {
    let fingerprint: string;
    try {
      fingerprint = sourceFingerprint(item.path, options.fingerprint, item.id);
    } catch (error) {
      skipped.push({ path: item.path, problem: `cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      continue;
    }
    const count = options.augmentIds && !options.augmentIds.has(item.id) ? 0 : copies;
    const entries = Array.from({ length: count + 1 }, (_, copy) => {
      const key = entryKey(fingerprint, configHash, copy > 0 ? augment : undefined, copy);
      return { key, file: entryPath(cacheDir, key) };
    });
    const itemExamples = entries.map(({ file }, copy) => ({ id: item.id, label: item.label, speaker: item.speaker, copy, file }));
    if (entries.every(({ file, key }) => isValidEntry(file, key))) {
      reused++;
      examples.push(...itemExamples);
    } else {
      const job: PreprocessJob = { id: item.id, path: item.path, kind, config, augment, entries, seed: Number.parseInt(stableHash([seed, item.id]).slice(0, 8), 16) };
      jobs.push({ job, label: item.label, speaker: item.speaker });
    }
  }

  const total = reused + jobs.length;
  let done = reused;
  let computed = 0;
  let audioSeconds = 0;
  let cancelled = false;
  const computeStarted = Date.now();
  const progress = () => {
    const rate = computed > 2 ? computed / ((Date.now() - computeStarted) / 1000) : 0;
    options.onProgress?.({ done, total, reused, skipped: skipped.length - index.skipped.length, etaSeconds: rate > 0 ? (total - done) / rate : undefined });
  };
  progress();

  const pool = new JobPool(jobs.length === 0 ? 0 : Math.min(threads, jobs.length));
  let unwritable: FileError | undefined;
  try {
    let next = 0;
    const lane = async () => {
      while (next < jobs.length && !unwritable) {
        if (options.signal?.aborted) {
          cancelled = true;
          return;
        }
        const { job, label, speaker } = jobs[next++];
        const result = await pool.run(job);
        done++;
        if (result.ok) {
          computed++;
          audioSeconds += result.audioSeconds;
          examples.push(...job.entries.map(({ file }, copy) => ({ id: job.id, label, speaker, copy, file })));
        } else if (result.unwritable) {
          unwritable ??= new FileError(result.unwritable, result.problem);
        } else {
          skipped.push({ path: job.path, problem: result.problem });
        }
        progress();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, pool.threads) }, lane));
  } finally {
    await pool.close();
  }
  // The cache cannot take more entries (e.g. the disk is full): stop, rather than train on whatever fitted.
  if (unwritable) throw unwritable;
  if (options.signal?.aborted) cancelled = true;

  examples.sort((a, b) => a.id.localeCompare(b.id) || a.copy - b.copy);
  const perClass: Record<string, number> = Object.fromEntries(index.labels.map((label) => [label, 0]));
  for (const example of examples) if (example.copy === 0) perClass[example.label]++;
  const seconds = (Date.now() - started) / 1000;
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const reportFile = path.join(cacheDir, 'reports', `preprocess-${stamp}.json`);
  const report: PreprocessReport = {
    root: index.root,
    cacheDir,
    kind,
    config,
    configHash,
    augment,
    copies,
    threads: pool.threads,
    files: index.items.length + index.skipped.length,
    computed,
    reused,
    skipped,
    perClass,
    seconds,
    filesPerSecond: (computed + reused) / Math.max(seconds, 1e-3),
    audioSecondsPerSecond: audioSeconds / Math.max((Date.now() - computeStarted) / 1000, 1e-3),
    cancelled,
    split: options.split,
    examples,
    reportFile,
  };
  writeFileAtomic(reportFile, JSON.stringify(report, null, 1));
  writeFileAtomic(path.join(cacheDir, 'last-preprocess.json'), JSON.stringify(report, null, 1));
  return report;
}
