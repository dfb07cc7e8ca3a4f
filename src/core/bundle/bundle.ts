import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { resolveFeatureConfig, FEATURE_KINDS, type FeatureConfig, type FeatureKind } from '../audio/config';
import type { DatasetSplit } from '../dataset/split';
import { FileError } from '../errors';
import { writeFilesAtomic } from '../fsutil';
import type { ClassificationMetrics } from '../metrics';
import type { BackendReport } from '../tf/choices';
import type { EpochRecord } from '../train/checkpoint';
import { ARCHITECTURES, type Architecture, type TrainConfig } from '../train/config';
import type { Normalization } from '../train/data';
import { readFileBounded } from '../fsutil';
import { modelFileContents, modelFromArtifacts, readModelFiles, serializeModel, sha256 } from './modelFiles';

export const BUNDLE_FORMAT = 'voice-emotion-model';
export const BUNDLE_VERSION = 1;
/** Largest `emotion.json` read: its split lists name every file of the dataset (about 40 bytes each). */
export const MAX_BUNDLE_META_BYTES = 8 * 1024 ** 2;

/** `emotion.json`: everything needed to use a trained model, and how it came to be. */
export interface BundleMeta {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: number;
  readonly labels: readonly string[];
  readonly feature: { readonly kind: FeatureKind; readonly config: FeatureConfig };
  /** Input image [bins, frames, 1]. */
  readonly inputShape: readonly [number, number, number];
  readonly normalization: Normalization;
  readonly arch: Architecture;
  readonly training: TrainConfig;
  readonly split: DatasetSplit;
  readonly history: readonly EpochRecord[];
  readonly bestEpoch: number;
  readonly metrics: { readonly validation?: ClassificationMetrics; readonly test?: ClassificationMetrics };
  readonly backend: BackendReport;
  readonly dataset: { readonly root: string; readonly corpus: string; readonly files: number; readonly fingerprint: string };
  readonly createdAt: string;
  /** SHA-256 of model.json and weights.bin: a bundle whose files do not match is refused. */
  readonly hashes: { readonly model: string; readonly weights: string };
}

/** A loaded, validated model bundle. */
export interface ModelBundle {
  readonly dir: string;
  readonly meta: BundleMeta;
  readonly model: tf.LayersModel;
}

/**
 * Writes a bundle into `dir` (weights.bin, model.json, emotion.json): all three are written and flushed before any
 * replaces its predecessor, emotion.json last, so a failed write (a full disk) leaves the previous bundle whole.
 */
export async function saveBundle(dir: string, model: tf.LayersModel, meta: Omit<BundleMeta, 'hashes' | 'format' | 'version' | 'createdAt'>): Promise<void> {
  const artifacts = await serializeModel(model);
  const full: BundleMeta = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    ...meta,
    createdAt: new Date().toISOString(),
    hashes: { model: sha256(artifacts.modelJson), weights: sha256(artifacts.weights) },
  };
  const text = JSON.stringify(full, null, 1);
  if (Buffer.byteLength(text) > MAX_BUNDLE_META_BYTES) throw new Error(`emotion.json would be larger than ${MAX_BUNDLE_META_BYTES} bytes, more than a model folder may hold`);
  writeFilesAtomic([...modelFileContents(dir, artifacts), { file: path.join(dir, 'emotion.json'), data: text }]);
}

function check(condition: unknown, file: string, problem: string): asserts condition {
  if (!condition) throw new FileError(file, problem);
}

/** Reads and validates `emotion.json` (without loading the model); its size is checked before it is read. */
export function readBundleMeta(dir: string): BundleMeta {
  const file = path.join(dir, 'emotion.json');
  let meta: BundleMeta;
  try {
    meta = JSON.parse(readFileBounded(file, MAX_BUNDLE_META_BYTES).toString('utf8')) as BundleMeta;
  } catch (error) {
    if (error instanceof FileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(code === 'ENOENT' ? dir : file, code === 'ENOENT' ? 'is not a trained model folder (no emotion.json)' : `is not valid JSON (${(error as Error).message})`);
  }
  return checkBundleMeta(meta, file);
}

/** Validates parsed `emotion.json` content (`file` names it in errors): format, labels, features, shapes, normalisation. */
export function checkBundleMeta(parsed: unknown, file: string): BundleMeta {
  const meta = parsed as BundleMeta;
  check(typeof meta === 'object' && meta !== null && !Array.isArray(meta), file, 'is not a JSON object');
  check(meta.format === BUNDLE_FORMAT, file, `is not a Voice Emotion model (format "${String(meta.format)}")`);
  check(meta.version === BUNDLE_VERSION, file, `has version ${meta.version}; this version reads ${BUNDLE_VERSION}`);
  check(Array.isArray(meta.labels) && meta.labels.length >= 2 && meta.labels.every((l) => typeof l === 'string'), file, 'needs at least two labels');
  check(meta.labels.length <= 1024 && meta.labels.every((l) => l.length <= 256), file, 'has more than 1024 labels or a label longer than 256 characters');
  check(FEATURE_KINDS.includes(meta.feature?.kind), file, 'has an unknown feature kind');
  check(ARCHITECTURES.includes(meta.arch), file, `has an unknown architecture "${meta.arch}"`);
  const [bins, frames, channels] = meta.inputShape ?? [];
  check(Number.isInteger(bins) && Number.isInteger(frames) && channels === 1 && bins > 0 && frames > 0 && bins * frames <= 4_000_000, file, 'has an invalid input shape');
  const statistics = (values: unknown) => Array.isArray(values) && values.length === bins && values.every((v) => typeof v === 'number' && Number.isFinite(v));
  check(statistics(meta.normalization?.mean) && statistics(meta.normalization?.std), file, 'normalisation statistics do not match the input shape');
  try {
    resolveFeatureConfig(meta.feature.config);
  } catch (error) {
    throw new FileError(file, `has invalid feature settings (${(error as Error).message})`);
  }
  return meta;
}

/** Loads a bundle: validates emotion.json, checks the model files against its hashes and the input/output shapes. */
export async function loadBundle(dir: string): Promise<ModelBundle> {
  const resolved = path.resolve(dir);
  const meta = readBundleMeta(resolved);
  const { artifacts } = readModelFiles(resolved);
  if (sha256(artifacts.modelJson) !== meta.hashes?.model || sha256(artifacts.weights) !== meta.hashes?.weights) {
    throw new FileError(resolved, 'model files do not match emotion.json (the bundle is incomplete or was modified)');
  }
  const model = await modelFromArtifacts(artifacts, path.join(resolved, 'model.json'));
  checkModelShapes(model, meta, resolved);
  return { dir: resolved, meta, model };
}

/** Throws a FileError naming `where` (and disposes `model`) when its input or output shape disagrees with emotion.json. */
export function checkModelShapes(model: tf.LayersModel, meta: BundleMeta, where: string): void {
  const input = model.inputs[0].shape;
  const output = model.outputs[0].shape;
  if (input[1] !== meta.inputShape[0] || input[2] !== meta.inputShape[1] || output[1] !== meta.labels.length) {
    model.dispose();
    throw new FileError(where, `model expects ${input.slice(1).join('×')} → ${output[1]} classes but emotion.json says ${meta.inputShape.join('×')} → ${meta.labels.length}`);
  }
}
