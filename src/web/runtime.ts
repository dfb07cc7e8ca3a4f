import * as tf from '@tensorflow/tfjs';
import { resample } from '../core/audio/resample';
import { decodeWav } from '../core/audio/wav';
import { checkBundleMeta, checkModelShapes, type BundleMeta, type ModelBundle } from '../core/bundle/bundle';
import { modelFromArtifacts } from '../core/bundle/modelFiles';
import { FileError } from '../core/errors';
import { predictMatrices } from '../core/infer/classify';
import { classifySamples, type SamplesClassification } from '../core/infer/timeline';

/** Options of {@link loadModel}. */
export interface LoadOptions {
  /** TensorFlow.js backend to run on ('webgl', 'cpu', 'wasm' when loaded, …); default: TensorFlow.js's choice. */
  readonly backend?: string;
  /** Fetch function (default: the page's `fetch`). */
  readonly fetch?: typeof fetch;
}

/** Lowercase hex SHA-256 of bytes, or undefined where the page has no Web Crypto (pages not served over https or localhost). */
async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function fetchBytes(fetcher: typeof fetch, url: URL): Promise<Uint8Array<ArrayBuffer>> {
  let response: Response;
  try {
    response = await fetcher(url.href);
  } catch (error) {
    const hint = url.protocol === 'file:' ? ': browsers do not load models from file:// pages; serve the folder over http (see README.md)' : '';
    throw new FileError(url.href, `could not be fetched (${(error as Error).message})${hint}`);
  }
  if (!response.ok) throw new FileError(url.href, `could not be fetched (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Mean of an AudioBuffer's channels. */
function mixToMono(buffer: AudioBuffer): Float32Array {
  if (buffer.numberOfChannels === 1) return buffer.getChannelData(0).slice();
  const out = new Float32Array(buffer.length);
  for (let c = 0; c < buffer.numberOfChannels; c++) {
    const channel = buffer.getChannelData(c);
    for (let i = 0; i < out.length; i++) out[i] += channel[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= buffer.numberOfChannels;
  return out;
}

/**
 * An exported Voice Emotion model loaded in a browser page: classifies WAV bytes, samples or Web Audio buffers the way
 * the extension and the CLI do (same decoding, resampling, trimming, features, normalisation and long-file windows).
 */
export class EmotionModel {
  /** The model's emotion labels, in output order. */
  readonly labels: readonly string[];
  /** Sample rate the model's features are computed at, in Hz. */
  readonly sampleRate: number;
  private readonly bundle: ModelBundle;

  constructor(
    /** Folder URL the model was loaded from. */
    readonly url: string,
    /** The model's `emotion.json`. */
    readonly meta: BundleMeta,
    model: tf.LayersModel,
    /** TensorFlow.js backend the model runs on. */
    readonly backend: string,
  ) {
    this.labels = meta.labels;
    this.sampleRate = meta.feature.config.sampleRate;
    this.bundle = { dir: url, meta, model };
  }

  /** Classifies the bytes of a WAV file (PCM 8–32-bit or float, any rate and channel count); `name` names it in errors. */
  classifyWav(bytes: ArrayBuffer | Uint8Array, name = 'audio.wav'): SamplesClassification {
    const audio = decodeWav(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), { targetRate: this.sampleRate, name });
    return this.classifyMono(audio.samples);
  }

  /** Classifies mono samples at `sampleRate` Hz (resampled to the model's rate when they differ). */
  classifySamples(samples: Float32Array, sampleRate: number): SamplesClassification {
    if (!(Number.isFinite(sampleRate) && sampleRate > 0)) throw new RangeError(`sample rate must be a positive number of Hz (got ${sampleRate})`);
    return this.classifyMono(sampleRate === this.sampleRate ? samples : resample(samples, sampleRate, this.sampleRate));
  }

  /** Classifies a Web Audio buffer (from decodeAudioData or a recording): channels averaged, then resampled. */
  classifyAudioBuffer(buffer: AudioBuffer): SamplesClassification {
    return this.classifySamples(mixToMono(buffer), buffer.sampleRate);
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.bundle.model.dispose();
  }

  private classifyMono(samples: Float32Array): SamplesClassification {
    if (samples.length === 0) throw new RangeError('there are no samples to classify');
    return classifySamples(samples, this.meta, (matrices) => predictMatrices(this.bundle, matrices));
  }
}

/**
 * Loads an exported model folder (`emotion.json`, `model.json`, `weights.bin`) from `url` (relative to the page):
 * emotion.json is validated, the model files are checked against its SHA-256 hashes (where the page has Web Crypto)
 * and their topology is checked before TensorFlow.js builds the model. Needs the global `tf` of tf.min.js.
 */
export async function loadModel(url: string, options: LoadOptions = {}): Promise<EmotionModel> {
  if (typeof tf?.loadLayersModel !== 'function') throw new Error('TensorFlow.js is not loaded: include tf.min.js before voice-emotion.js');
  const base = new URL(url.endsWith('/') ? url : `${url}/`, globalThis.location?.href);
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  if (options.backend && !(await tf.setBackend(options.backend))) throw new Error(`the TensorFlow.js backend "${options.backend}" could not start in this browser`);
  await tf.ready();
  const metaUrl = new URL('emotion.json', base);
  const metaBytes = await fetchBytes(fetcher, metaUrl);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(metaBytes));
  } catch (error) {
    throw new FileError(metaUrl.href, `is not valid JSON (${(error as Error).message})`);
  }
  const meta = checkBundleMeta(parsed, metaUrl.href);
  const [modelJsonBytes, weights] = await Promise.all([new URL('model.json', base), new URL('weights.bin', base)].map((u) => fetchBytes(fetcher, u)));
  const [modelHash, weightsHash] = await Promise.all([sha256Hex(modelJsonBytes), sha256Hex(weights)]);
  if ((modelHash !== undefined && modelHash !== meta.hashes?.model) || (weightsHash !== undefined && weightsHash !== meta.hashes?.weights)) {
    throw new FileError(base.href, 'model files do not match emotion.json (the export is incomplete or was modified)');
  }
  const model = await modelFromArtifacts({ modelJson: new TextDecoder().decode(modelJsonBytes), weights }, new URL('model.json', base).href);
  checkModelShapes(model, meta, base.href);
  return new EmotionModel(base.href, meta, model, tf.getBackend());
}
