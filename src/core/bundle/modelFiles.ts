import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError } from '../errors';
import { writeFileAtomic } from '../fsutil';

const MAX_WEIGHT_BYTES = 2 * 1024 ** 3;
const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** SHA-256 of bytes, hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A model serialised to the TensorFlow.js Layers format: `model.json` text and `weights.bin` bytes. */
export interface ModelArtifacts {
  readonly modelJson: string;
  readonly weights: Uint8Array;
}

/** Serialises a Layers model (topology + weights) without touching the disk. */
export async function serializeModel(model: tf.LayersModel): Promise<ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured?.weightSpecs || !captured.weightData) throw new Error('the model produced no weights to save');
  const weightData = captured.weightData;
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const weights = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    weights.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: captured.weightSpecs }],
  });
  return { modelJson, weights };
}

/** Writes `model.json` and `weights.bin` into `dir`, each atomically (weights first). */
export function writeModelFiles(dir: string, artifacts: ModelArtifacts): void {
  writeFileAtomic(path.join(dir, 'weights.bin'), artifacts.weights);
  writeFileAtomic(path.join(dir, 'model.json'), artifacts.modelJson);
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

/** Reads `model.json` + `weights.bin`, checking every declared shape and size against the file before allocating. */
export function readModelFiles(dir: string): { artifacts: ModelArtifacts; topology: object; specs: WeightSpec[] } {
  const jsonFile = path.join(dir, 'model.json');
  const weightsFile = path.join(dir, 'weights.bin');
  let parsed: { modelTopology?: unknown; weightsManifest?: { paths?: unknown; weights?: unknown }[] };
  let modelJson: string;
  try {
    modelJson = fs.readFileSync(jsonFile, 'utf8');
    parsed = JSON.parse(modelJson);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(jsonFile, code === 'ENOENT' ? 'not found: this folder is not a trained model' : `unreadable model topology (${(error as Error).message})`);
  }
  if (typeof parsed.modelTopology !== 'object' || parsed.modelTopology === null) throw new FileError(jsonFile, 'has no modelTopology');
  const manifest = parsed.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || !Array.isArray(manifest[0].weights)) {
    throw new FileError(jsonFile, 'weightsManifest must list exactly one weights file');
  }
  const specs = manifest[0].weights as WeightSpec[];
  let expected = 0;
  for (const spec of specs) {
    const bytes = BYTES_PER_DTYPE[spec?.dtype];
    const ok = typeof spec?.name === 'string' && Array.isArray(spec.shape) && spec.shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 1 << 20) && bytes;
    if (!ok) throw new FileError(jsonFile, `invalid weight entry ${JSON.stringify(spec).slice(0, 120)}`);
    expected += spec.shape.reduce((a, b) => a * b, 1) * bytes;
    if (expected > MAX_WEIGHT_BYTES) throw new FileError(jsonFile, 'declares more than 2 GiB of weights');
  }
  let size: number;
  try {
    size = fs.statSync(weightsFile).size;
  } catch {
    throw new FileError(weightsFile, 'not found');
  }
  if (size !== expected) throw new FileError(weightsFile, `is ${size} bytes but model.json declares ${expected}`);
  const weights = new Uint8Array(fs.readFileSync(weightsFile));
  return { artifacts: { modelJson, weights }, topology: parsed.modelTopology, specs };
}

/** Builds a model from artifacts (layers only; nothing in a model file is executed as code). */
export async function modelFromArtifacts(artifacts: ModelArtifacts): Promise<tf.LayersModel> {
  const parsed = JSON.parse(artifacts.modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const weightData = artifacts.weights.buffer.slice(artifacts.weights.byteOffset, artifacts.weights.byteOffset + artifacts.weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest[0].weights, weightData }));
}
