import * as fs from 'node:fs';
import type { FeatureKind } from '../audio/config';
import type { FeatureMatrix } from '../audio/matrix';
import { FileError } from '../errors';
import { writeFileAtomic } from '../fsutil';

const MAGIC = 'VEC1';
const MAX_HEADER_BYTES = 64 * 1024;

/** What a cache entry says about itself. */
export interface CacheEntryHeader {
  readonly version: 1;
  /** The entry's key (also its file name): hash of source fingerprint, feature config, augmentation and copy. */
  readonly key: string;
  /** Dataset item id the entry was computed from. */
  readonly id: string;
  readonly kind: FeatureKind;
  readonly bins: number;
  readonly frames: number;
  /** Sample rate of the stored clip in Hz. */
  readonly sampleRate: number;
  /** Samples in the stored clip (16-bit). */
  readonly clipSamples: number;
  /** 0 for the original clip, 1… for augmented copies. */
  readonly copy: number;
  /** Canonical augmentation plan of a copy (absent for originals). */
  readonly augment?: string;
}

/** A cache entry: the prepared clip (trimmed, fixed length, at the feature rate) and its features. */
export interface CacheEntry {
  readonly header: CacheEntryHeader;
  readonly clip: Float32Array;
  readonly features: FeatureMatrix;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Encodes an entry: magic, header length, JSON header, 16-bit clip, float32 features (each 4-byte aligned). */
export function encodeCacheEntry(header: CacheEntryHeader, clip: Float32Array, features: FeatureMatrix): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const clipOffset = align4(8 + json.length);
  const featureOffset = align4(clipOffset + clip.length * 2);
  const out = new Uint8Array(featureOffset + features.data.length * 4);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  const pcm = new Int16Array(out.buffer, clipOffset, clip.length);
  for (let i = 0; i < clip.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(clip[i] * 32768)));
  new Float32Array(out.buffer, featureOffset, features.data.length).set(features.data);
  return out;
}

function parseHeader(file: string, bytes: Uint8Array): { header: CacheEntryHeader; clipOffset: number } {
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== MAGIC) throw new FileError(file, 'not a feature cache entry');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (length > MAX_HEADER_BYTES || 8 + length > bytes.length) throw new FileError(file, 'cache entry header is damaged');
  let header: CacheEntryHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8')) as CacheEntryHeader;
  } catch {
    throw new FileError(file, 'cache entry header is not valid JSON');
  }
  const ok =
    header.version === 1 &&
    typeof header.key === 'string' &&
    [header.bins, header.frames, header.clipSamples, header.sampleRate, header.copy].every((n) => Number.isInteger(n) && n >= 0) &&
    header.bins * header.frames <= 64 * 1024 * 1024 &&
    header.clipSamples <= 768000 * 3600;
  if (!ok) throw new FileError(file, 'cache entry header has invalid fields');
  return { header, clipOffset: align4(8 + length) };
}

/** Reads only an entry's header (a few hundred bytes); throws FileError if the file is not a valid entry. */
export function readCacheEntryHeader(file: string): CacheEntryHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const prefix = Buffer.alloc(8);
    const n = fs.readSync(fd, prefix, 0, 8, 0);
    const length = n === 8 ? Math.min(prefix.readUInt32LE(4), MAX_HEADER_BYTES) : 0;
    const bytes = Buffer.alloc(n === 8 ? 8 + length : n);
    fs.readSync(fd, bytes, 0, bytes.length, 0);
    const { header, clipOffset } = parseHeader(file, bytes);
    const expected = align4(clipOffset + header.clipSamples * 2) + header.bins * header.frames * 4;
    if (fs.fstatSync(fd).size !== expected) throw new FileError(file, 'cache entry is truncated');
    return header;
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a whole entry, checking every size before it allocates. */
export function readCacheEntry(file: string): CacheEntry {
  const bytes = fs.readFileSync(file);
  const { header, clipOffset } = parseHeader(file, bytes);
  const featureOffset = align4(clipOffset + header.clipSamples * 2);
  if (bytes.length !== featureOffset + header.bins * header.frames * 4) throw new FileError(file, 'cache entry is truncated');
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  const pcm = new Int16Array(aligned.buffer, clipOffset, header.clipSamples);
  const clip = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) clip[i] = pcm[i] / 32768;
  const data = new Float32Array(aligned.buffer.slice(featureOffset, featureOffset + header.bins * header.frames * 4));
  return { header, clip, features: { bins: header.bins, frames: header.frames, data } };
}

/** Writes an entry atomically (temp file + fsync + rename). */
export function writeCacheEntry(file: string, header: CacheEntryHeader, clip: Float32Array, features: FeatureMatrix): void {
  writeFileAtomic(file, encodeCacheEntry(header, clip, features));
}
