import * as fs from 'node:fs';
import { FileError } from '../errors';
import { Resampler } from './resample';

/** Sample encodings the reader decodes. */
export type SampleEncoding = 'pcm' | 'float';

/** What a WAV header says about the audio, validated. */
export interface WavInfo {
  /** Integer PCM or IEEE float samples. */
  readonly encoding: SampleEncoding;
  /** Bits per sample as stored (container size): 8, 16, 24, 32 or 64. */
  readonly bitsPerSample: number;
  /** Interleaved channel count (≥ 1). */
  readonly channels: number;
  /** Sample rate in Hz. */
  readonly sampleRate: number;
  /** Number of sample frames (one sample per channel each). */
  readonly frames: number;
  /** Duration in seconds. */
  readonly durationSeconds: number;
  /** True when the header uses WAVE_FORMAT_EXTENSIBLE. */
  readonly extensible: boolean;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /** Bytes per sample frame. */
  readonly blockAlign: number;
}

/** Mono audio as Float32 samples with its sample rate. */
export interface DecodedAudio {
  /** Mono samples (channels averaged); integer PCM maps to [-1, 1). */
  readonly samples: Float32Array;
  /** Sample rate of `samples` in Hz (the target rate when resampled). */
  readonly sampleRate: number;
  /** The file's own header information. */
  readonly info: WavInfo;
}

/** Options for {@link readWav}. */
export interface ReadWavOptions {
  /** Resample to this rate in Hz (band-limited); omit to keep the file's rate. */
  readonly targetRate?: number;
  /** Start reading this many seconds into the file (default 0). */
  readonly startSeconds?: number;
  /** Read at most this many seconds (default: to the end). */
  readonly durationSeconds?: number;
  /** Name used in error messages when `source` is a buffer (default "<buffer>"). */
  readonly name?: string;
}

/** Lowest and highest sample rates accepted, in Hz. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768000;
/**
 * Largest float sample magnitude accepted (2^31, the scale of 32-bit integers, 187 dB over full scale). Float files
 * scaled like integers still read; larger values are corruption, and would overflow the float32 spectra.
 */
export const MAX_FLOAT_SAMPLE = 2 ** 31;

const READ_BLOCK_BYTES = 1 << 20;
const EXTENSIBLE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
};

/** Random access to the bytes of a file or a buffer. */
interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Reads up to `length` bytes at `position`, into `target` when given (reused across calls). */
  read(position: number, length: number, target?: Uint8Array): Uint8Array;
  close(): void;
}

function bytesSource(bytes: Uint8Array, name?: string): ByteSource {
  return {
    name: name ?? '<buffer>',
    size: bytes.length,
    read: (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)),
    close: () => undefined,
  };
}

function openSource(source: string | Uint8Array, name?: string): ByteSource {
  if (typeof source !== 'string') return bytesSource(source, name);
  const file = source;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(file, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`);
  }
  if (stat.isDirectory()) throw new FileError(file, 'is a directory, not a WAV file');
  if (!stat.isFile()) throw new FileError(file, 'is not a regular file');
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new FileError(file, `cannot open file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return {
    name: file,
    size: stat.size,
    read(position, length, target) {
      const wanted = Math.max(0, Math.min(length, stat.size - position));
      const buffer = target && target.length >= wanted ? target.subarray(0, wanted) : Buffer.allocUnsafe(wanted);
      let done = 0;
      while (done < buffer.length) {
        const n = fs.readSync(fd, buffer, done, buffer.length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return buffer.subarray(0, done);
    },
    close: () => fs.closeSync(fd),
  };
}

function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

/** A four-character code for a message: printable ASCII as is, other bytes as \xNN. */
function printableFourCC(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (const byte of bytes.subarray(offset, offset + 4)) {
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return text;
}

/** An MPEG audio frame header: 11 sync bits, then no reserved version, layer, bit-rate or sample-rate value. */
function isMpegFrame(head: Uint8Array): boolean {
  if (head.length < 3 || head[0] !== 0xff || (head[1] & 0xe0) !== 0xe0) return false;
  const version = (head[1] >> 3) & 3;
  const layer = (head[1] >> 1) & 3;
  const bitRate = head[2] >> 4;
  const sampleRate = (head[2] >> 2) & 3;
  return version !== 1 && layer !== 0 && bitRate !== 15 && sampleRate !== 3;
}

function describeForeignFile(head: Uint8Array): string | undefined {
  const text = fourCC(head, 0);
  const utf16 = (head[0] === 0xff && head[1] === 0xfe && head[3] === 0) || (head[0] === 0xfe && head[1] === 0xff && head[2] === 0);
  if (utf16 || (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)) {
    return 'is a text file (it starts with a Unicode byte-order mark), not a WAV file';
  }
  if (text.startsWith('ID3') || isMpegFrame(head)) return 'is an MP3 file, not a WAV file';
  if (text === 'fLaC') return 'is a FLAC file, not a WAV file';
  if (text === 'OggS') return 'is an Ogg file, not a WAV file';
  if (text === 'RIFX') return 'is a big-endian WAV (RIFX), which is not supported';
  if (text === 'FORM') return 'is an AIFF file, not a WAV file';
  if (head.length >= 8 && fourCC(head, 4) === 'ftyp') return 'is an MP4/M4A file, not a WAV file';
  return undefined;
}

interface ParsedFormat {
  formatTag: number;
  encoding: SampleEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  extensible: boolean;
}

function parseFormatChunk(name: string, body: Uint8Array): ParsedFormat {
  if (body.length < 16) throw new FileError(name, `fmt chunk is ${body.length} bytes, at least 16 are needed`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let formatTag = view.getUint16(0, true);
  const channels = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const bitsPerSample = view.getUint16(14, true);
  let extensible = false;
  if (formatTag === 0xfffe) {
    extensible = true;
    if (body.length < 40) throw new FileError(name, `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${body.length} bytes, 40 are needed`);
    const subFormat = view.getUint16(24, true);
    const tail = body.subarray(26, 40);
    if (EXTENSIBLE_GUID_TAIL.some((b, i) => tail[i] !== b)) {
      throw new FileError(name, 'WAVE_FORMAT_EXTENSIBLE has an unknown sub-format GUID');
    }
    formatTag = subFormat;
  }
  if (channels === 0) throw new FileError(name, 'header declares 0 channels');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new FileError(name, `sample rate ${sampleRate} Hz is out of range (${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz)`);
  }
  let encoding: SampleEncoding;
  if (formatTag === 1) {
    if (![8, 16, 24, 32].includes(bitsPerSample)) {
      throw new FileError(name, `${bitsPerSample}-bit integer PCM is not supported (8, 16, 24 or 32 bits)`);
    }
    encoding = 'pcm';
  } else if (formatTag === 3) {
    if (bitsPerSample !== 32 && bitsPerSample !== 64) {
      throw new FileError(name, `${bitsPerSample}-bit float is not supported (32 or 64 bits)`);
    }
    encoding = 'float';
  } else {
    const what = FORMAT_NAMES[formatTag] ?? `format code 0x${formatTag.toString(16).padStart(4, '0')}`;
    throw new FileError(name, `unsupported WAV encoding: ${what} (only integer PCM and IEEE float are supported)`);
  }
  return { formatTag, encoding, channels, sampleRate, bitsPerSample, extensible };
}

function scanHeader(source: ByteSource): WavInfo {
  const name = source.name;
  if (source.size === 0) throw new FileError(name, 'file is empty (0 bytes)');
  const head = source.read(0, 12);
  const foreign = describeForeignFile(head);
  if (foreign) throw new FileError(name, foreign);
  if (head.length < 12) throw new FileError(name, `file is too short to be a WAV file (${source.size} bytes)`);
  const riff = fourCC(head, 0);
  if (riff !== 'RIFF' && riff !== 'RF64') throw new FileError(name, 'not a WAV file (no RIFF header)');
  if (fourCC(head, 8) !== 'WAVE') throw new FileError(name, `RIFF file of type "${printableFourCC(head, 8)}", not WAVE`);

  let format: ParsedFormat | undefined;
  let dataOffset = -1;
  let dataBytes = 0;
  let ds64DataSize: number | undefined;
  let position = 12;
  while (position + 8 <= source.size) {
    const chunkHeader = source.read(position, 8);
    const id = fourCC(chunkHeader, 0);
    const declared = new DataView(chunkHeader.buffer, chunkHeader.byteOffset, 8).getUint32(4, true);
    const bodyStart = position + 8;
    const available = source.size - bodyStart;
    if (id === 'data') {
      let size = declared;
      if (ds64DataSize !== undefined && declared === 0xffffffff) size = ds64DataSize;
      else if (declared === 0 || declared === 0xffffffff) size = available; // streamed file: size never filled in
      if (size > available) {
        throw new FileError(
          name,
          `data chunk declares ${size} bytes but only ${available} remain: the file is truncated`,
        );
      }
      dataOffset = bodyStart;
      dataBytes = size;
      if (format) break;
    } else if (id === 'fmt ') {
      if (declared > available) {
        throw new FileError(name, `fmt chunk declares ${declared} bytes but only ${available} remain: the file is truncated`);
      }
      format = parseFormatChunk(name, source.read(bodyStart, declared));
      if (dataOffset >= 0) break;
    } else if (id === 'ds64' && riff === 'RF64') {
      const body = source.read(bodyStart, Math.min(declared, 28));
      if (body.length >= 16) {
        const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
        ds64DataSize = view.getUint32(8, true) + view.getUint32(12, true) * 2 ** 32;
      }
    }
    const next = bodyStart + declared + (declared & 1);
    if (next <= position) break;
    position = next;
  }
  if (!format) {
    throw new FileError(name, source.size < 44 ? 'WAV header is truncated (no fmt chunk)' : 'WAV file has no fmt chunk');
  }
  if (dataOffset < 0) throw new FileError(name, 'WAV file has no data chunk (truncated or not audio)');
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  const frames = Math.floor(dataBytes / blockAlign);
  if (frames === 0) throw new FileError(name, 'contains no audio samples (0 frames)');
  return {
    encoding: format.encoding,
    bitsPerSample: format.bitsPerSample,
    channels: format.channels,
    sampleRate: format.sampleRate,
    frames,
    durationSeconds: frames / format.sampleRate,
    extensible: format.extensible,
    dataOffset,
    blockAlign,
  };
}

/** Reads and validates only the header of a WAV file or buffer. */
export function readWavInfo(source: string | Uint8Array, name?: string): WavInfo {
  const bytes = openSource(source, name);
  try {
    return scanHeader(bytes);
  } finally {
    bytes.close();
  }
}

/** "1 sample", "2 samples". */
function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Float samples the decoder replaced by 0: NaN or Infinity, and finite values beyond ±{@link MAX_FLOAT_SAMPLE}. */
interface BadSamples {
  nonFinite: number;
  outOfRange: number;
}

/** Decodes interleaved frames into mono samples (mean over channels), counting unusable float samples in `bad`. */
function decodeToMono(bytes: Uint8Array, info: WavInfo, frames: number, out: Float32Array, bad: BadSamples): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { channels, bitsPerSample, encoding } = info;
  const bytesPerSample = bitsPerSample / 8;
  const scale = 1 / channels;
  let offset = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      let value: number;
      if (encoding === 'float') {
        value = bitsPerSample === 32 ? view.getFloat32(offset, true) : view.getFloat64(offset, true);
        if (!(Math.abs(value) <= MAX_FLOAT_SAMPLE)) {
          if (Number.isFinite(value)) bad.outOfRange++;
          else bad.nonFinite++;
          value = 0;
        }
      } else if (bitsPerSample === 16) {
        value = view.getInt16(offset, true) / 32768;
      } else if (bitsPerSample === 24) {
        const raw = bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16);
        value = ((raw << 8) >> 8) / 8388608;
      } else if (bitsPerSample === 32) {
        value = view.getInt32(offset, true) / 2147483648;
      } else {
        value = (bytes[offset] - 128) / 128;
      }
      sum += value;
      offset += bytesPerSample;
    }
    out[f] = channels === 1 ? sum : sum * scale;
  }
}

/**
 * Reads a WAV file (path) or WAV bytes: integer PCM 8/16/24/32-bit, IEEE float 32/64-bit, WAVE_FORMAT_EXTENSIBLE,
 * any channel count (mixed to mono by averaging), any sample rate from 1 kHz to 768 kHz. Decodes in blocks, so
 * memory holds the result plus one block; with `targetRate` it resamples while streaming.
 * Throws {@link FileError} naming the file for anything it cannot read.
 */
export function readWav(source: string | Uint8Array, options: ReadWavOptions = {}): DecodedAudio {
  return decodeSource(openSource(source, options.name), options);
}

/**
 * Decodes WAV bytes exactly like {@link readWav}, without touching the file system (so it also runs in a browser);
 * `options.name` names the source in errors.
 */
export function decodeWav(bytes: Uint8Array, options: ReadWavOptions = {}): DecodedAudio {
  return decodeSource(bytesSource(bytes, options.name), options);
}

function decodeSource(bytes: ByteSource, options: ReadWavOptions): DecodedAudio {
  try {
    const info = scanHeader(bytes);
    const startFrame = Math.min(info.frames, Math.max(0, Math.round((options.startSeconds ?? 0) * info.sampleRate)));
    const wanted =
      options.durationSeconds === undefined
        ? info.frames - startFrame
        : Math.min(info.frames - startFrame, Math.max(0, Math.round(options.durationSeconds * info.sampleRate)));
    if (wanted === 0) throw new FileError(bytes.name, 'the requested range contains no audio samples');
    const targetRate = options.targetRate ?? info.sampleRate;
    const resampler = targetRate === info.sampleRate ? undefined : new Resampler(info.sampleRate, targetRate);
    const outLength = resampler ? resampler.outputLength(wanted) : wanted;
    const samples = new Float32Array(outLength);
    const framesPerBlock = Math.max(1, Math.floor(READ_BLOCK_BYTES / info.blockAlign));
    const block = new Float32Array(Math.min(framesPerBlock, wanted));
    const rawBlock = new Uint8Array(block.length * info.blockAlign);
    let written = 0;
    const bad: BadSamples = { nonFinite: 0, outOfRange: 0 };
    for (let done = 0; done < wanted; ) {
      const count = Math.min(framesPerBlock, wanted - done);
      const position = info.dataOffset + (startFrame + done) * info.blockAlign;
      const raw = bytes.read(position, count * info.blockAlign, rawBlock);
      if (raw.length < count * info.blockAlign) throw new FileError(bytes.name, 'file ended while reading samples');
      decodeToMono(raw, info, count, block, bad);
      const chunk = block.subarray(0, count);
      if (resampler) written += resampler.process(chunk, samples, written);
      else {
        samples.set(chunk, written);
        written += count;
      }
      done += count;
    }
    if (bad.nonFinite > 0) {
      throw new FileError(bytes.name, `contains ${countOf(bad.nonFinite, 'non-finite sample')} (NaN or Infinity)`);
    }
    if (bad.outOfRange > 0) {
      throw new FileError(bytes.name, `contains ${countOf(bad.outOfRange, 'float sample')} beyond ±2^31, far outside the audio range ±1: the file is corrupt`);
    }
    if (resampler) written += resampler.flush(samples, written);
    return { samples: written === samples.length ? samples : samples.subarray(0, written), sampleRate: targetRate, info };
  } finally {
    bytes.close();
  }
}
