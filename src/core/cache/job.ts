import { resolveFeatureConfig, type FeatureConfig, type FeatureKind } from '../audio/config';
import { fixLength } from '../audio/effects';
import { computeFeatures, prepareClip } from '../audio/features';
import { readWav } from '../audio/wav';
import { augmentWaveform } from '../augment/apply';
import { loadNoiseBank } from '../augment/noiseBank';
import { parseAugmentSpec } from '../augment/spec';
import { FileError } from '../errors';
import { Random } from '../random';
import { writeCacheEntry } from './entry';

/** One file's work: decode, prepare, compute features for the original and each augmented copy, write entries. */
export interface PreprocessJob {
  readonly id: string;
  readonly path: string;
  readonly kind: FeatureKind;
  readonly config: FeatureConfig;
  /** Canonical augmentation spec for copies (absent: originals only). */
  readonly augment?: string;
  /** Entry files to write: index 0 is the original, i ≥ 1 the i-th augmented copy. */
  readonly entries: readonly { readonly key: string; readonly file: string }[];
  /** Seed of the augmented copies (each copy derives its own from it). */
  readonly seed: number;
}

/**
 * Outcome of a job: the clip's duration, or the problem that made the file unusable, or the cache entry that could
 * not be written (a problem of the cache, e.g. a full disk, that stops the run rather than skipping the file).
 */
export type PreprocessJobResult =
  | { readonly ok: true; readonly audioSeconds: number }
  | { readonly ok: false; readonly problem: string; readonly unwritable?: string };

/** A cache entry that could not be written. */
class EntryWriteError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

const noiseBanks = new Map<string, Float32Array[]>();

function noiseBankFor(dir: string, sampleRate: number): Float32Array[] {
  const key = `${dir}|${sampleRate}`;
  let bank = noiseBanks.get(key);
  if (!bank) {
    bank = loadNoiseBank(dir, sampleRate).noises;
    noiseBanks.set(key, bank);
  }
  return bank;
}

/** Runs one job in the calling thread; any problem becomes `{ok: false, problem}`, never a throw. */
export function runPreprocessJob(job: PreprocessJob): PreprocessJobResult {
  try {
    const config = resolveFeatureConfig(job.config);
    const audio = readWav(job.path, { targetRate: config.sampleRate });
    const clip = prepareClip(audio.samples, config).samples;
    const base = { version: 1 as const, id: job.id, kind: job.kind, sampleRate: config.sampleRate };
    job.entries.forEach(({ key, file }, copy) => {
      let samples = clip;
      if (copy > 0) {
        const plan = parseAugmentSpec(job.augment ?? '');
        const random = new Random(job.seed + copy * 1_000_003);
        const bank = plan.noise?.type === 'files' && plan.noise.dir ? noiseBankFor(plan.noise.dir, config.sampleRate) : undefined;
        samples = augmentWaveform(clip, config.sampleRate, plan, random, bank);
        if (samples.length !== clip.length) samples = fixLength(samples, clip.length);
      }
      const features = computeFeatures(samples, job.kind, config);
      for (const value of features.data) {
        if (!Number.isFinite(value)) throw new FileError(job.path, 'features contain non-finite values');
      }
      const header = { ...base, key, bins: features.bins, frames: features.frames, clipSamples: samples.length, copy, ...(copy > 0 ? { augment: job.augment } : {}) };
      try {
        writeCacheEntry(file, header, samples, features);
      } catch (error) {
        throw new EntryWriteError(file, error instanceof FileError ? error.problem : String(error));
      }
    });
    return { ok: true, audioSeconds: audio.info.durationSeconds };
  } catch (error) {
    if (error instanceof EntryWriteError) return { ok: false, problem: error.problem, unwritable: error.file };
    if (error instanceof FileError) return { ok: false, problem: error.problem };
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
