/**
 * A deterministic corpus of malformed and unusual WAV files for fuzzing the reader, the features and classification.
 * Every header is written byte by byte here, so any field can hold any value. Files named `valid-…` are well formed,
 * however unusual, and must decode; every other file may decode or be refused, but only with a clear per-file error.
 */
import { Random } from '../../src/core/random';

/** One corpus file: a file name, its bytes and what is special about it. */
export interface WavFuzzCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly note: string;
}

/** Name prefix of the corpus files that are well formed and must decode. */
export const VALID_PREFIX = 'valid-';

/** A growable little-endian byte buffer. */
class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(bytes: number): number {
    const at = this.length;
    if (at + bytes > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, at + bytes));
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += bytes;
    return at;
  }

  u8(value: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, value & 0xff);
    return this;
  }

  u16(value: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, value & 0xffff, true);
    return this;
  }

  u32(value: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }

  /** Signed integer of 1 to 4 bytes, two's complement, little-endian. */
  int(value: number, bytes: number): this {
    let rest = value < 0 ? value + 2 ** (8 * bytes) : value;
    for (let i = 0; i < bytes; i++) {
      this.u8(rest % 256);
      rest = Math.floor(rest / 256);
    }
    return this;
  }

  f32(value: number): this {
    const at = this.reserve(4);
    this.view.setFloat32(at, value, true);
    return this;
  }

  f64(value: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, value, true);
    return this;
  }

  /** Four-character codes and other text, one byte per character. */
  ascii(text: string): this {
    for (let i = 0; i < text.length; i++) this.u8(text.charCodeAt(i));
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.reserve(data.length);
    this.buffer.set(data, at);
    return this;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** The fields of a `fmt ` chunk body; blockAlign and byteRate default to the values consistent with the rest. */
interface FormatFields {
  readonly tag: number;
  readonly channels: number;
  readonly rate: number;
  readonly bits: number;
  readonly blockAlign?: number;
  readonly byteRate?: number;
  /** Bytes after the 16 basic ones (cbSize and the extension). */
  readonly extension?: Uint8Array;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fmtBody(format: FormatFields): Uint8Array {
  const blockAlign = format.blockAlign ?? format.channels * Math.ceil(format.bits / 8);
  const writer = new ByteWriter()
    .u16(format.tag)
    .u16(format.channels)
    .u32(format.rate)
    .u32(format.byteRate ?? format.rate * blockAlign)
    .u16(blockAlign)
    .u16(format.bits);
  if (format.extension) writer.bytes(format.extension);
  return writer.finish();
}

/** The KSDATAFORMAT_SUBTYPE GUID of a format tag, as stored in a file. */
function subFormatGuid(tag: number): Uint8Array {
  return new ByteWriter().u16(tag).bytes(Uint8Array.from(GUID_TAIL)).finish();
}

/** cbSize = 22, valid bits, channel mask and sub-format GUID: the WAVE_FORMAT_EXTENSIBLE extension. */
function extensibleExtension(validBits: number, channelMask: number, guid: Uint8Array): Uint8Array {
  return new ByteWriter().u16(22).u16(validBits).u32(channelMask).bytes(guid).finish();
}

function extensibleFormat(subTag: number, channels: number, rate: number, bits: number, guid = subFormatGuid(subTag)): FormatFields {
  return { tag: EXTENSIBLE, channels, rate, bits, extension: extensibleExtension(bits, channels === 2 ? 3 : 4, guid) };
}

/** A chunk: id, size (declared, default the body's), body, and a pad byte after an odd body unless `pad` is false. */
function chunk(id: string | Uint8Array, body: Uint8Array, options: { size?: number; pad?: boolean } = {}): Uint8Array {
  const writer = new ByteWriter();
  if (typeof id === 'string') writer.ascii(id);
  else writer.bytes(id);
  writer.u32(options.size ?? body.length).bytes(body);
  if ((options.pad ?? true) && body.length % 2 === 1) writer.u8(0);
  return writer.finish();
}

/** A RIFF file of the given chunks; `size` overrides the declared RIFF size. */
function riff(chunks: readonly Uint8Array[], options: { size?: number; id?: string; form?: string } = {}): Uint8Array {
  const body = chunks.reduce((sum, c) => sum + c.length, 0);
  const writer = new ByteWriter().ascii(options.id ?? 'RIFF').u32(options.size ?? 4 + body).ascii(options.form ?? 'WAVE');
  for (const c of chunks) writer.bytes(c);
  return writer.finish();
}

/** A plain WAV: `fmt ` then `data`. */
function wav(format: FormatFields, data: Uint8Array): Uint8Array {
  return riff([chunk('fmt ', fmtBody(format)), chunk('data', data)]);
}

/** Interleaved samples in [-1, 1] (any value for float) as integer PCM of 8/16/24/32 bits or IEEE float of 32/64. */
function encode(samples: ArrayLike<number>, bits: number, float = false): Uint8Array {
  const writer = new ByteWriter();
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (float) {
      if (bits === 64) writer.f64(x);
      else writer.f32(x);
    } else if (bits === 8) {
      writer.u8(Math.max(0, Math.min(255, Math.round(x * 128) + 128)));
    } else {
      const full = 2 ** (bits - 1);
      writer.int(Math.max(-full, Math.min(full - 1, Math.round(x * full))), bits / 8);
    }
  }
  return writer.finish();
}

/**
 * A voice-like tone in [-0.6, 0.6]: a 140 Hz fundamental with vibrato and twelve harmonics under two formant peaks,
 * a syllable-rate amplitude envelope and a little breath noise. Seeded: the same call gives the same samples.
 */
function voiceTone(rate: number, seconds: number, seed: number): Float64Array {
  const random = new Random(seed);
  const n = Math.round(rate * seconds);
  const out = new Float64Array(n);
  let phase = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f0 = 140 * (1 + 0.04 * Math.sin(2 * Math.PI * 5 * t));
    phase += (2 * Math.PI * f0) / rate;
    let value = 0;
    for (let k = 1; k <= 12 && k * f0 < rate / 2; k++) {
      const f = k * f0;
      const formants = Math.exp(-(((f - 700) / 300) ** 2)) + 0.6 * Math.exp(-(((f - 1200) / 400) ** 2));
      value += ((0.3 + formants) / k) * Math.sin(k * phase);
    }
    const envelope = Math.min(1, t / 0.05, (seconds - t) / 0.05) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t));
    out[i] = envelope * value + 0.01 * random.normal();
    peak = Math.max(peak, Math.abs(out[i]));
  }
  for (let i = 0; i < n; i++) out[i] *= 0.6 / Math.max(peak, 1e-9);
  return out;
}

/** The voice tone on every channel, each channel slightly delayed, interleaved. */
function interleavedTone(rate: number, seconds: number, channels: number, seed: number): Float64Array {
  const mono = voiceTone(rate, seconds, seed);
  const out = new Float64Array(mono.length * channels);
  for (let i = 0; i < mono.length; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = mono[Math.max(0, i - c)];
  return out;
}

/** `frames` frames of a full-scale square wave (±1, period 32 samples) on every channel. */
function square(frames: number, channels = 1, level = 1): Float64Array {
  const out = new Float64Array(frames * channels);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(i / channels / 16) % 2 === 0 ? level : -level;
  return out;
}

function randomBytes(random: Random, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random.next() * 256);
  return out;
}

function randomInt(random: Random, below: number): number {
  return Math.floor(random.next() * below);
}

function ascii(text: string): Uint8Array {
  return new ByteWriter().ascii(text).finish();
}

function hex(value: number): string {
  return value.toString(16);
}

/**
 * Builds the corpus (about 570 files, 13 MB). Deterministic: every call returns the same files.
 * File names are unique and end in `.wav`; {@link VALID_PREFIX} marks the files that must decode.
 */
export function wavFuzzCorpus(): WavFuzzCase[] {
  const cases: WavFuzzCase[] = [];
  const names = new Set<string>();
  const add = (name: string, bytes: Uint8Array, note: string) => {
    const file = `${name}.wav`;
    if (names.has(file)) throw new Error(`duplicate corpus name ${file}`);
    names.add(file);
    cases.push({ name: file, bytes, note });
  };

  // The base file: 16-bit PCM, 16 kHz, mono, 1 s. Offsets: RIFF 0, size 4, WAVE 8, "fmt " 12, size 16, tag 20,
  // channels 22, rate 24, byte rate 28, block align 32, bits 34, "data" 36, size 40, samples from 44.
  const tone = voiceTone(16000, 1, 1);
  const toneData = encode(tone, 16);
  const baseFormat: FormatFields = { tag: PCM, channels: 1, rate: 16000, bits: 16 };
  const base = wav(baseFormat, toneData);
  const fmt16 = chunk('fmt ', fmtBody(baseFormat));
  const data16 = chunk('data', toneData);
  add('valid-base-pcm16-16k-mono', base, 'the base file: 16-bit PCM 16 kHz mono, 1 s voice-like tone');

  // Truncations of the base file: at every header byte (every field, boundary and byte around it) and inside the data.
  for (let cut = 0; cut <= 48; cut++) add(`trunc-base-at-${cut}`, base.slice(0, cut), `base file cut to its first ${cut} bytes`);
  for (const cut of [51, 100, 101, base.length / 2, base.length / 2 + 1, base.length - 2, base.length - 1]) {
    add(`trunc-base-data-at-${cut}`, base.slice(0, cut), `base file cut inside the samples at byte ${cut} of ${base.length}`);
  }

  // A richer layout truncated around every chunk boundary and at the fields of each chunk header and of the format.
  const richFormat = extensibleFormat(PCM, 2, 44100, 24);
  const richData = encode(interleavedTone(44100, 0.25, 2, 2), 24);
  const richChunks = [
    chunk('fmt ', fmtBody(richFormat)),
    chunk('fact', new ByteWriter().u32(richData.length / 6).finish()),
    chunk('LIST', new ByteWriter().ascii('INFO').ascii('INAM').u32(5).ascii('tone').u8(0).u8(0).finish()),
    chunk('JUNK', new Uint8Array(27)),
    chunk('data', richData),
    chunk('id3 ', ascii('ID3 tag')),
  ];
  const rich = riff(richChunks);
  add('valid-rich-extensible-24bit-stereo-44k', rich, 'extensible 24-bit stereo 44.1 kHz with fact, LIST, odd JUNK (padded), data and a trailing id3 chunk');
  const cuts = new Set<number>();
  let at = 12;
  for (const c of richChunks) {
    for (const offset of [-1, 0, 1, 4, 6, 8, 9]) cuts.add(at + offset);
    at += c.length;
  }
  cuts.add(rich.length - 1);
  // Inside the extensible format body (starts at 20): tag, channels, rate, byte rate, align, bits, cbSize, valid bits, mask, GUID.
  for (const field of [0, 1, 2, 4, 6, 8, 12, 14, 16, 17, 18, 20, 22, 24, 26, 30, 39]) cuts.add(20 + field);
  for (const cut of [...cuts].filter((c) => c >= 0 && c < rich.length).sort((a, b) => a - b)) {
    add(`trunc-rich-at-${cut}`, rich.slice(0, cut), `rich extensible file cut to its first ${cut} of ${rich.length} bytes`);
  }

  // Wrong RIFF sizes: the reader should follow the chunks, not the RIFF size.
  for (const [label, size] of [
    ['0', 0],
    ['1', 1],
    ['4', 4],
    ['odd', base.length - 7],
    ['too-big', base.length + 1000],
    ['2g', 0x80000000],
    ['ffffffff', 0xffffffff],
  ] as const) {
    add(`riff-size-${label}`, riff([fmt16, data16], { size }), `RIFF size field ${size} (true size ${base.length - 8})`);
  }

  // Wrong fmt chunk sizes.
  const fmtRaw = fmtBody(baseFormat);
  add('fmt-size-0', riff([chunk('fmt ', new Uint8Array(0)), data16]), 'fmt chunk with an empty body');
  add('fmt-size-14', riff([chunk('fmt ', fmtRaw.slice(0, 14)), data16]), 'fmt body of 14 bytes (WAVEFORMAT without bits per sample)');
  add('fmt-size-15-no-pad', riff([chunk('fmt ', fmtRaw.slice(0, 15), { pad: false }), data16]), 'odd 15-byte fmt body without its pad byte');
  add('fmt-size-15-padded', riff([chunk('fmt ', fmtRaw.slice(0, 15)), data16]), 'odd 15-byte fmt body with its pad byte');
  const fmt17 = new ByteWriter().bytes(fmtRaw).u8(0).finish();
  add('valid-fmt-size-17-padded', riff([chunk('fmt ', fmt17), data16]), 'odd 17-byte fmt body with its pad byte');
  add('fmt-size-17-no-pad', riff([chunk('fmt ', fmt17, { pad: false }), data16]), 'odd 17-byte fmt body without its pad byte');
  add('valid-fmt-size-18-cbsize-0', riff([chunk('fmt ', new ByteWriter().bytes(fmtRaw).u16(0).finish()), data16]), 'WAVEFORMATEX with cbSize 0');
  add('valid-fmt-size-40-pcm-junk-extension', riff([chunk('fmt ', new ByteWriter().bytes(fmtRaw).u16(22).bytes(new Uint8Array(22).fill(0xee)).finish()), data16]), 'plain PCM with 24 bytes of unrelated extension');
  add('fmt-size-declared-1000', riff([chunk('fmt ', fmtRaw, { size: 1000 }), data16]), 'fmt declares 1000 bytes: swallows the data chunk header');
  add('fmt-size-declared-ffffffff', riff([chunk('fmt ', fmtRaw, { size: 0xffffffff }), data16]), 'fmt declares 0xFFFFFFFF bytes');
  add('fmt-size-declared-0-with-body', riff([chunk('fmt ', fmtRaw, { size: 0 }), data16]), 'fmt declares 0 bytes though a body follows');

  // Wrong data chunk sizes.
  for (const [label, size] of [
    ['0-streamed', 0],
    ['1', 1],
    ['3', 3],
    ['half', toneData.length / 2],
    ['odd-minus-1', toneData.length - 1],
    ['plus-1', toneData.length + 1],
    ['plus-2', toneData.length + 2],
    ['7fffffff', 0x7fffffff],
    ['fffffffe', 0xfffffffe],
    ['ffffffff-streamed', 0xffffffff],
  ] as const) {
    add(`data-size-${label}`, riff([fmt16, chunk('data', toneData, { size })]), `data size field ${size} (true size ${toneData.length})`);
  }
  add('data-empty', riff([fmt16, chunk('data', new Uint8Array(0))]), 'data chunk with no samples');
  add('data-one-byte-of-16bit', riff([fmt16, chunk('data', new Uint8Array([0x12]))]), 'a single byte of a 16-bit sample');

  // Chunk orders and extra chunks.
  const cue = new ByteWriter().u32(1).u32(1).u32(0).ascii('data').u32(0).u32(0).u32(8000).finish();
  const bext = new ByteWriter().bytes(new Uint8Array(602)).finish();
  add('valid-data-before-fmt', riff([data16, fmt16]), 'data chunk before the fmt chunk');
  add('valid-fmt-twice-same', riff([fmt16, fmt16, data16]), 'the same fmt chunk twice');
  add('fmt-twice-second-0hz', riff([fmt16, chunk('fmt ', fmtBody({ ...baseFormat, rate: 0 })), data16]), 'a good fmt then one with 0 Hz');
  add('fmt-twice-second-stereo', riff([fmt16, chunk('fmt ', fmtBody({ ...baseFormat, channels: 2 })), data16]), 'a mono fmt then a stereo one');
  add('valid-data-twice', riff([fmt16, data16, chunk('data', encode(square(800), 16))]), 'two data chunks');
  add('valid-unknown-chunks-between', riff([fmt16, chunk('abcd', randomBytes(new Random(3), 100)), chunk('zzzz', new Uint8Array(0)), chunk(Uint8Array.from([0, 1, 2, 3]), new Uint8Array(8)), data16]), 'unknown, empty and binary-id chunks between fmt and data');
  add('valid-odd-chunk-padded', riff([fmt16, chunk('odd ', new Uint8Array(7)), data16]), '7-byte unknown chunk followed by its pad byte');
  add('odd-chunk-no-pad', riff([fmt16, chunk('odd ', new Uint8Array(7), { pad: false }), data16]), '7-byte unknown chunk without its pad byte: the next chunk is misaligned');
  add('valid-metadata-chunks', riff([chunk('JUNK', new Uint8Array(28)), fmt16, chunk('fact', new ByteWriter().u32(16000).finish()), chunk('bext', bext), chunk('LIST', ascii('INFOISFT\x05\x00\x00\x00test\x00\x00')), data16, chunk('cue ', cue)]), 'JUNK, fact, bext, LIST and cue chunks around fmt and data');
  add('valid-list-before-everything', riff([chunk('LIST', ascii('adtllabl\x06\x00\x00\x00\x01\x00\x00\x00x\x00')), fmt16, data16]), 'LIST adtl chunk before fmt');
  add('unknown-chunk-size-ffffffff', riff([fmt16, chunk('huge', new Uint8Array(4), { size: 0xffffffff }), data16]), 'unknown chunk declaring 0xFFFFFFFF bytes before data');
  add('unknown-chunk-to-end', riff([fmt16, chunk('tail', new Uint8Array(4), { size: toneData.length + 12 }), data16]), 'unknown chunk that spans the rest of the file');
  add('valid-trailing-half-chunk-header', new ByteWriter().bytes(base).ascii('LI').finish(), 'two stray bytes after the data chunk');
  add('valid-trailing-garbage', new ByteWriter().bytes(base).bytes(randomBytes(new Random(4), 333)).finish(), '333 random bytes after the data chunk');
  add('no-data-chunk', riff([fmt16, chunk('LIST', ascii('INFO'))]), 'fmt but no data chunk');
  add('no-fmt-chunk', riff([data16]), 'data but no fmt chunk');
  add('only-riff-header', riff([]), 'RIFF/WAVE header with no chunks');
  add('valid-rf64-ds64', riff([chunk('ds64', new ByteWriter().u32(0).u32(0).u32(toneData.length).u32(0).u32(tone.length).u32(0).u32(0).finish()), fmt16, chunk('data', toneData, { size: 0xffffffff })], { id: 'RF64', size: 0xffffffff }), 'RF64 with a ds64 chunk giving the data size');
  add('rf64-ds64-huge', riff([chunk('ds64', new ByteWriter().u32(0).u32(0).u32(0).u32(0x100).u32(0).u32(0).u32(0).finish()), fmt16, chunk('data', toneData, { size: 0xffffffff })], { id: 'RF64', size: 0xffffffff }), 'RF64 whose ds64 data size is 1 TB');
  add('rf64-ds64-short', riff([chunk('ds64', new Uint8Array(4)), fmt16, chunk('data', toneData, { size: 0xffffffff })], { id: 'RF64' }), 'RF64 with a 4-byte ds64 chunk');
  add('rf64-no-ds64', riff([fmt16, chunk('data', toneData, { size: 0xffffffff })], { id: 'RF64' }), 'RF64 without a ds64 chunk');
  add('riff-form-avi', riff([fmt16, data16], { form: 'AVI ' }), 'RIFF of form "AVI "');
  add('riff-lowercase', riff([fmt16, data16], { id: 'riff' }), 'lower-case "riff" id');
  add('rifx-big-endian', riff([fmt16, data16], { id: 'RIFX' }), 'big-endian RIFX id');

  // Format fields: channels, sample rates, bit depths, encodings.
  const tenth = (rate: number, channels = 1) => encode(interleavedTone(rate, 0.1, channels, 5), 16);
  add('channels-0', wav({ ...baseFormat, channels: 0, blockAlign: 2 }, toneData), 'header declares 0 channels');
  for (const rate of [0, 1, 999, 768001, 0x7fffffff, 0xffffffff]) {
    add(`rate-${rate}`, wav({ ...baseFormat, rate }, tenth(16000)), `sample rate ${rate} Hz`);
  }
  for (const rate of [1000, 8000, 10007, 11025, 22050, 44100, 48000, 96000, 192000, 384000, 768000]) {
    add(`valid-rate-${rate}`, wav({ ...baseFormat, rate }, tenth(rate)), `0.1 s at ${rate} Hz`);
  }
  add('valid-one-sample', wav(baseFormat, encode([0.5], 16)), 'a single 16-bit sample');
  add('valid-two-samples', wav(baseFormat, encode([0.5, -0.5], 16)), 'two 16-bit samples');
  add('valid-one-sample-8bit-padded', wav({ ...baseFormat, bits: 8 }, encode([0.25], 8)), 'a single 8-bit sample: odd data chunk with pad byte');
  add('valid-one-sample-48k', wav({ ...baseFormat, rate: 48000 }, encode([0.5], 16)), 'a single sample at 48 kHz (resampled to 16 kHz)');
  add('valid-one-sample-1000hz', wav({ ...baseFormat, rate: 1000 }, encode([0.5], 16)), 'a single sample at 1 kHz');
  add('valid-one-frame-stereo-float64', wav({ tag: FLOAT, channels: 2, rate: 16000, bits: 64 }, encode([0.1, -0.1], 64, true)), 'one stereo float64 frame');
  add('valid-silence-16bit', wav(baseFormat, new Uint8Array(32000)), '1 s of digital silence');
  add('valid-silence-float32', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, new Uint8Array(64000)), '1 s of float silence');
  add('valid-silence-8bit', wav({ ...baseFormat, bits: 8 }, new Uint8Array(16000).fill(128)), '1 s of 8-bit silence (128)');
  add('valid-dc-8bit-zero', wav({ ...baseFormat, bits: 8 }, new Uint8Array(16000)), '8-bit zeros: full-scale negative DC');
  add('valid-dc-16bit-max', wav(baseFormat, encode(new Float64Array(16000).fill(1), 16)), 'full-scale positive DC');
  add('valid-negative-zero-float32', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(new Float64Array(1600).fill(-0), 32, true)), 'float −0.0 samples');
  add('valid-denormal-float32', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(square(1600, 1, 1e-40), 32, true)), 'denormal float32 square wave');
  for (const bits of [8, 16, 24, 32]) {
    add(`valid-square-pcm${bits}`, wav({ ...baseFormat, bits }, encode(square(16000), bits)), `full-scale square wave, ${bits}-bit PCM`);
  }
  add('valid-square-float32', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(square(16000), 32, true)), 'full-scale square wave, float32');
  add('valid-square-float64', wav({ ...baseFormat, tag: FLOAT, bits: 64 }, encode(square(16000), 64, true)), 'full-scale square wave, float64');
  add('valid-float32-over-full-scale', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(square(16000, 1, 4), 32, true)), 'float32 square wave at ±4 (12 dB over full scale)');
  add('valid-float32-int16-scaled', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(tone.map((x) => x * 32767), 32, true)), 'float32 samples scaled like 16-bit integers');
  add('valid-float32-int24-scaled', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(tone.map((x) => x * 8388607), 32, true)), 'float32 samples scaled like 24-bit integers');
  add('float32-max', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(square(16000, 1, 3.4e38), 32, true)), 'float32 square wave at ±3.4e38 (largest float32)');
  add('float32-1e20', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(tone.map((x) => x * 1e20), 32, true)), 'float32 tone at 1e20');
  add('float64-1e300', wav({ ...baseFormat, tag: FLOAT, bits: 64 }, encode(square(16000, 1, 1e300), 64, true)), 'float64 at ±1e300: beyond float32');
  add('float64-one-huge-sample', wav({ ...baseFormat, tag: FLOAT, bits: 64 }, encode(tone.map((x, i) => (i === 8000 ? 1e39 : x)), 64, true)), 'float64 tone with one sample at 1e39');
  for (const [label, value] of [
    ['nan', Number.NaN],
    ['inf', Number.POSITIVE_INFINITY],
    ['minus-inf', Number.NEGATIVE_INFINITY],
  ] as const) {
    add(`float32-all-${label}`, wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(new Float64Array(1600).fill(value), 32, true)), `float32 samples all ${value}`);
    add(`float64-all-${label}`, wav({ ...baseFormat, tag: FLOAT, bits: 64 }, encode(new Float64Array(1600).fill(value), 64, true)), `float64 samples all ${value}`);
    add(`float32-one-${label}`, wav({ ...baseFormat, tag: FLOAT, bits: 32 }, encode(tone.map((x, i) => (i === 12345 ? value : x)), 32, true)), `float32 tone with one ${value} sample`);
  }
  add('float32-nan-payload', wav({ ...baseFormat, tag: FLOAT, bits: 32 }, new ByteWriter().u32(0x7fa00001).u32(0xffffffff).u32(0x7f800001).u32(0).finish()), 'float32 signalling and negative NaN bit patterns');

  // WAVE_FORMAT_EXTENSIBLE: good sub-formats at every depth, and bad GUIDs and sizes.
  for (const bits of [8, 16, 24, 32]) {
    add(`valid-extensible-pcm${bits}`, wav(extensibleFormat(PCM, 1, 16000, bits), encode(tone, bits)), `extensible PCM ${bits}-bit`);
  }
  for (const bits of [32, 64]) {
    add(`valid-extensible-float${bits}`, wav(extensibleFormat(FLOAT, 1, 16000, bits), encode(tone, bits, true)), `extensible float ${bits}-bit`);
  }
  add('valid-extensible-20-in-24', wav({ tag: EXTENSIBLE, channels: 1, rate: 16000, bits: 24, extension: extensibleExtension(20, 4, subFormatGuid(PCM)) }, encode(tone, 24)), 'extensible 24-bit container with 20 valid bits');
  add('valid-extensible-51-surround', wav({ ...extensibleFormat(PCM, 6, 48000, 16), extension: extensibleExtension(16, 0x3f, subFormatGuid(PCM)) }, encode(interleavedTone(48000, 0.2, 6, 6), 16)), 'extensible 5.1 at 48 kHz');
  add('valid-extensible-mask-ffffffff', wav({ ...extensibleFormat(PCM, 2, 16000, 16), extension: extensibleExtension(16, 0xffffffff, subFormatGuid(PCM)) }, encode(interleavedTone(16000, 0.2, 2, 7), 16)), 'extensible with channel mask 0xFFFFFFFF');
  add('extensible-valid-bits-0', wav({ tag: EXTENSIBLE, channels: 1, rate: 16000, bits: 16, extension: extensibleExtension(0, 4, subFormatGuid(PCM)) }, toneData), 'extensible with 0 valid bits');
  const flipped = subFormatGuid(PCM);
  flipped[15] ^= 0x01;
  for (const [label, guid] of [
    ['zero', new Uint8Array(16)],
    ['random', randomBytes(new Random(8), 16)],
    ['pcm-last-byte-flipped', flipped],
    ['ascii', ascii('not a real guid!')],
  ] as const) {
    add(`extensible-guid-${label}`, wav({ tag: EXTENSIBLE, channels: 1, rate: 16000, bits: 16, extension: extensibleExtension(16, 4, guid) }, toneData), `extensible with a ${label} sub-format GUID`);
  }
  add('extensible-guid-adpcm', wav(extensibleFormat(2, 1, 16000, 16), toneData), 'extensible with the ADPCM sub-format');
  add('extensible-guid-nested-extensible', wav(extensibleFormat(EXTENSIBLE, 1, 16000, 16), toneData), 'extensible whose sub-format is itself WAVE_FORMAT_EXTENSIBLE');
  add('extensible-float16', wav(extensibleFormat(FLOAT, 1, 16000, 16), toneData), 'extensible float with 16 bits');
  add('extensible-cbsize-0', wav({ tag: EXTENSIBLE, channels: 1, rate: 16000, bits: 16, extension: new Uint8Array(2) }, toneData), 'extensible tag with an 18-byte fmt chunk');
  add('extensible-cut-guid', wav({ tag: EXTENSIBLE, channels: 1, rate: 16000, bits: 16, extension: extensibleExtension(16, 4, subFormatGuid(PCM)).slice(0, 12) }, toneData), 'extensible fmt chunk ending inside the GUID');

  // Block align and byte rate that disagree with the other fields.
  for (const blockAlign of [0, 1, 3, 4, 0xffff]) {
    add(`block-align-${blockAlign}`, wav({ ...baseFormat, blockAlign }, toneData), `block align ${blockAlign} (should be 2)`);
  }
  for (const byteRate of [0, 1, 16000, 0xffffffff]) {
    add(`byte-rate-${byteRate}`, wav({ ...baseFormat, byteRate }, toneData), `bytes per second ${byteRate} (should be 32000)`);
  }
  add('block-align-and-byte-rate-stereo', wav({ ...baseFormat, blockAlign: 4, byteRate: 64000 }, toneData), 'block align and byte rate of stereo in a mono header');

  // Bit depths the reader does not decode, and format codes it does not support.
  for (const bits of [0, 1, 4, 7, 12, 20, 40, 48, 64, 0xffff]) {
    add(`pcm-bits-${bits}`, wav({ ...baseFormat, bits, blockAlign: Math.max(1, Math.ceil(bits / 8)) }, toneData), `${bits}-bit integer PCM`);
  }
  for (const bits of [0, 8, 16, 24, 48, 128]) {
    add(`float-bits-${bits}`, wav({ ...baseFormat, tag: FLOAT, bits, blockAlign: Math.max(1, Math.ceil(bits / 8)) }, toneData), `${bits}-bit IEEE float`);
  }
  for (const tag of [0, 2, 6, 7, 0x11, 0x31, 0x50, 0x55, 0x1234, 0xffff]) {
    add(`format-tag-0x${hex(tag)}`, wav({ ...baseFormat, tag }, toneData), `format code 0x${hex(tag)}`);
  }

  // Channel counts.
  for (const channels of [1, 2, 3, 4, 5, 6, 7, 8, 32, 255]) {
    add(`valid-channels-${channels}`, wav({ ...baseFormat, channels }, encode(interleavedTone(16000, channels > 8 ? 0.05 : 0.25, channels, 9), 16)), `${channels} channels of 16-bit PCM`);
  }
  add('valid-channels-65535-8bit', wav({ ...baseFormat, channels: 65535, bits: 8 }, encode(square(8, 65535, 0.5), 8)), '65535 channels, 8 frames of 8-bit PCM');
  add('channels-65535-less-than-a-frame', wav({ ...baseFormat, channels: 65535 }, toneData), '65535 channels but less data than one frame');
  add('channels-2-odd-data', wav({ ...baseFormat, channels: 2 }, toneData.slice(0, 1001)), 'stereo header over 1001 bytes of data');

  // Random payloads: after a bare RIFF/WAVE header, as a whole file, and as the samples of each encoding.
  const lengths = [1, 7, 8, 9, 16, 24, 100, 1000, 10000, 100000];
  for (let seed = 1; seed <= 4; seed++) {
    const random = new Random(1000 + seed);
    for (const length of lengths) {
      add(`random-after-riff-seed${seed}-len${length}`, new ByteWriter().ascii('RIFF').u32(4 + length).ascii('WAVE').bytes(randomBytes(random, length)).finish(), `${length} random bytes after a RIFF/WAVE header (seed ${seed})`);
      add(`random-no-header-seed${seed}-len${length}`, randomBytes(random, length), `${length} random bytes, no header (seed ${seed})`);
    }
  }
  for (let seed = 1; seed <= 3; seed++) {
    const random = new Random(2000 + seed);
    for (const bits of [8, 16, 24, 32]) {
      add(`valid-random-pcm${bits}-seed${seed}`, wav({ ...baseFormat, bits }, randomBytes(random, 4800 * (bits / 8))), `random ${bits}-bit PCM samples (seed ${seed})`);
    }
    add(`random-float32-bits-seed${seed}`, wav({ ...baseFormat, tag: FLOAT, bits: 32 }, randomBytes(random, 19200)), `random float32 bit patterns (seed ${seed})`);
    add(`random-float64-bits-seed${seed}`, wav({ ...baseFormat, tag: FLOAT, bits: 64 }, randomBytes(random, 38400)), `random float64 bit patterns (seed ${seed})`);
  }

  // Chunk soup: a fmt and a data chunk among random known and unknown chunks, in random order, sizes and bodies.
  const ids = ['fmt ', 'data', 'LIST', 'fact', 'JUNK', 'ds64', 'cue ', 'bext', 'xxxx'];
  for (let seed = 1; seed <= 24; seed++) {
    const random = new Random(3000 + seed);
    const parts: Uint8Array[] = [];
    for (const id of ['fmt ', 'data', ...Array.from({ length: randomInt(random, 5) }, () => ids[randomInt(random, ids.length)])]) {
      let body: Uint8Array;
      if (id === 'fmt ' && random.next() < 0.8) {
        const fields = fmtBody({
          tag: [PCM, PCM, FLOAT, EXTENSIBLE][randomInt(random, 4)],
          channels: [1, 1, 2, randomInt(random, 9)][randomInt(random, 4)],
          rate: [8000, 16000, 44100, randomInt(random, 1e6)][randomInt(random, 4)],
          bits: [8, 16, 24, 32, 64, randomInt(random, 70)][randomInt(random, 6)],
        });
        body = random.next() < 0.6 ? fields : new ByteWriter().bytes(fields).bytes(randomBytes(random, randomInt(random, 30))).finish();
      } else {
        body = randomBytes(random, randomInt(random, id === 'data' ? 20000 : 64));
      }
      const sizes = [body.length, body.length, body.length, body.length, randomInt(random, 2 ** 32), 0, 0xffffffff, body.length + 1];
      parts.push(chunk(id, body, { size: sizes[randomInt(random, sizes.length)], pad: random.next() < 0.8 }));
    }
    add(`chunk-soup-seed${seed}`, riff(random.shuffle(parts)), `fmt, data and random chunks in random order (seed ${seed})`);
  }

  // Mutants of the base file: a few random bytes of the header overwritten, sometimes a few sample bytes as well.
  for (let seed = 1; seed <= 40; seed++) {
    const random = new Random(4000 + seed);
    const mutant = base.slice();
    for (let k = 1 + randomInt(random, 4); k > 0; k--) mutant[randomInt(random, 44)] = randomInt(random, 256);
    if (seed % 4 === 0) for (let k = 0; k < 8; k++) mutant[44 + randomInt(random, toneData.length)] = randomInt(random, 256);
    add(`mutant-header-seed${seed}`, mutant, `base file with random header bytes overwritten (seed ${seed})`);
  }

  // Every numeric header field of the base file set to each boundary value.
  const fields: [string, number, 2 | 4][] = [
    ['riff-size', 4, 4],
    ['fmt-size', 16, 4],
    ['tag', 20, 2],
    ['channels', 22, 2],
    ['rate', 24, 4],
    ['byte-rate', 28, 4],
    ['block-align', 32, 2],
    ['bits', 34, 2],
    ['data-size', 40, 4],
  ];
  const boundaries = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
  for (const [field, offset, width] of fields) {
    for (const value of boundaries.filter((v) => v < 2 ** (8 * width))) {
      const bytes = base.slice();
      const view = new DataView(bytes.buffer);
      if (width === 2) view.setUint16(offset, value, true);
      else view.setUint32(offset, value, true);
      add(`field-${field}-0x${hex(value)}`, bytes, `base file with its ${field} field (byte ${offset}) set to 0x${hex(value)}`);
    }
  }

  // Not WAV at all.
  add('empty', new Uint8Array(0), 'empty file');
  add('one-byte', Uint8Array.from([0x52]), 'the single byte "R"');
  add('riff-only', ascii('RIFF'), 'just "RIFF"');
  add('riff-and-size', new ByteWriter().ascii('RIFF').u32(36).finish(), '"RIFF" and a size, nothing else');
  add('text', ascii('This is a text file, not audio.\nSecond line.\n'), 'a text file');
  add('csv', ascii('file,label\nActor_01/a.wav,happy\n'), 'a CSV file');
  add('json', ascii('{"format":"WAVE","channels":1}'), 'a JSON file');
  add('zeros-44', new Uint8Array(44), '44 zero bytes');
  add('ones-1000', new Uint8Array(1000).fill(0xff), '1000 bytes of 0xFF (looks like an MPEG frame sync)');
  add('mp3-id3', new ByteWriter().ascii('ID3').bytes(new Uint8Array(100)).finish(), 'an MP3 with an ID3 tag');
  add('flac', new ByteWriter().ascii('fLaC').bytes(new Uint8Array(100)).finish(), 'a FLAC signature');
  add('ogg', new ByteWriter().ascii('OggS').bytes(new Uint8Array(100)).finish(), 'an Ogg signature');
  add('aiff', new ByteWriter().ascii('FORM').u32(100).ascii('AIFF').bytes(new Uint8Array(96)).finish(), 'an AIFF header');
  add('m4a', new ByteWriter().u32(0x20000000).ascii('ftypM4A ').bytes(new Uint8Array(100)).finish(), 'an MP4/M4A header');
  add('utf16-bom', Uint8Array.from([0xff, 0xfe, 0x52, 0x00, 0x49, 0x00, 0x46, 0x00, 0x46, 0x00, 0x00, 0x00]), 'UTF-16 text "RIFF"');
  return cases;
}
