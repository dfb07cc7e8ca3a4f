import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelFileContents, modelFromArtifacts, readModelFiles, serializeModel, sha256 } from '../bundle/modelFiles';
import { FileError } from '../errors';
import { writeFilesAtomic } from '../fsutil';
import type { PlateauState } from './schedule';

/** A named tensor, as optimizers report their state. */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: tf.Tensor;
}

/** One epoch's record in a run's history. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly validationLoss: number;
  readonly validationAccuracy: number;
  readonly validationUar: number;
  readonly learningRate: number;
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

/** Where a run stands after an epoch: enough to continue exactly where it stopped. */
export interface TrainingState {
  /** Epochs completed. */
  readonly epochsDone: number;
  readonly history: readonly EpochRecord[];
  readonly bestUar: number;
  readonly bestEpoch: number;
  /** Epochs since the best validation UAR (early stopping). */
  readonly sinceBest: number;
  readonly plateau?: PlateauState;
  /** Fingerprint of the run's configuration and data: a checkpoint only resumes the run it belongs to. */
  readonly runKey: string;
}

interface OptimizerSpec {
  name: string;
  shape: number[];
}

/**
 * Saves the latest model weights, the optimizer state and the training state into `dir`. Every file is written and
 * flushed before any replaces its predecessor, so a failed write (a full disk) leaves the previous checkpoint whole;
 * state.json goes last with the hashes of the others, so a checkpoint is either complete or detected as broken.
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainingState): Promise<void> {
  const artifacts = await serializeModel(model);
  const named = await optimizer.getWeights();
  const specs: OptimizerSpec[] = named.map((w) => ({ name: w.name, shape: w.tensor.shape }));
  const values = named.map((w) => w.tensor.dataSync() as Float32Array);
  // The iteration counter comes back as a fresh scalar; the moments are the optimizer's own variables.
  for (const w of named) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  const total = values.reduce((sum, v) => sum + v.length, 0);
  const optimizerData = new Float32Array(total);
  let offset = 0;
  for (const v of values) {
    optimizerData.set(v, offset);
    offset += v.length;
  }
  const optimizerBytes = new Uint8Array(optimizerData.buffer);
  const optimizerJson = JSON.stringify(specs);
  const hashes = { model: sha256(artifacts.modelJson), weights: sha256(artifacts.weights), optimizer: sha256(optimizerBytes), optimizerJson: sha256(optimizerJson) };
  writeFilesAtomic([
    ...modelFileContents(dir, artifacts),
    { file: path.join(dir, 'optimizer.bin'), data: optimizerBytes },
    { file: path.join(dir, 'optimizer.json'), data: optimizerJson },
    { file: path.join(dir, 'state.json'), data: JSON.stringify({ ...state, hashes }, null, 1) },
  ]);
}

/** A checkpoint read back: the model, optimizer weights to restore, and the state. */
export interface LoadedCheckpoint {
  readonly model: tf.LayersModel;
  readonly optimizerWeights: NamedTensor[];
  readonly state: TrainingState;
}

/** Loads a checkpoint written by {@link saveCheckpoint}, verifying every file against state.json's hashes. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const stateFile = path.join(dir, 'state.json');
  if (!fs.existsSync(stateFile)) throw new FileError(dir, 'has no checkpoint to resume from (state.json missing)');
  let saved: TrainingState & { hashes: Record<string, string> };
  try {
    saved = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch (error) {
    throw new FileError(stateFile, `is not valid JSON (${(error as Error).message})`);
  }
  const { artifacts } = readModelFiles(dir);
  const optimizerBytes = fs.readFileSync(path.join(dir, 'optimizer.bin'));
  const optimizerJson = fs.readFileSync(path.join(dir, 'optimizer.json'), 'utf8');
  const actual = { model: sha256(artifacts.modelJson), weights: sha256(artifacts.weights), optimizer: sha256(optimizerBytes), optimizerJson: sha256(optimizerJson) };
  for (const [key, hash] of Object.entries(actual)) {
    if (saved.hashes?.[key] !== hash) throw new FileError(dir, `checkpoint is incomplete or damaged (${key} does not match state.json); start without --resume`);
  }
  const specs = JSON.parse(optimizerJson) as OptimizerSpec[];
  const data = new Float32Array(optimizerBytes.buffer.slice(optimizerBytes.byteOffset, optimizerBytes.byteOffset + optimizerBytes.byteLength));
  let offset = 0;
  const optimizerWeights = specs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(data.subarray(offset, offset + size), spec.shape);
    offset += size;
    return { name: spec.name, tensor };
  });
  if (offset !== data.length) throw new FileError(dir, 'optimizer.bin does not match optimizer.json');
  const { hashes: _hashes, ...state } = saved;
  void _hashes;
  return { model: await modelFromArtifacts(artifacts), optimizerWeights, state };
}
