import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { WaveFile } from 'wavefile';
import { readWav, readWavInfo } from '../../src/core/audio/wav';
import { encodeWav, type WavBitDepth } from '../../src/core/audio/wavWrite';
import { FileError } from '../../src/core/errors';
import { sine, tempDir } from '../helpers';

const dir = tempDir();

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Asserts that reading `file` throws a FileError naming it, with a problem matching `pattern`. */
function assertFileError(file: string | Uint8Array, pattern: RegExp, name?: string): void {
  assert.throws(
    () => readWav(file, { name }),
    (error: unknown) => {
      assert.ok(error instanceof FileError, `expected FileError, got ${String(error)}`);
      assert.equal(error.file, typeof file === 'string' ? file : name);
      assert.match(error.problem, pattern);
      return true;
    },
  );
}

/** Builds a WAV by hand from chunks, for layouts wavefile does not write. */
function riff(chunks: [string, Uint8Array][], riffId = 'RIFF'): Uint8Array {
  const parts: number[] = [];
  const text = (s: string) => [...s].forEach((c) => parts.push(c.charCodeAt(0)));
  const u32 = (v: number) => parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  text(riffId);
  u32(0);
  text('WAVE');
  for (const [id, body] of chunks) {
    text(id);
    u32(body.length);
    parts.push(...body);
    if (body.length & 1) parts.push(0);
  }
  const out = Uint8Array.from(parts);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

function fmtBody(tag: number, channels: number, rate: number, bits: number, extra?: Uint8Array): Uint8Array {
  const body = new Uint8Array(16 + (extra ? 2 + extra.length : 0));
  const view = new DataView(body.buffer);
  view.setUint16(0, tag, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, (rate * channels * bits) / 8, true);
  view.setUint16(12, (channels * bits) / 8, true);
  view.setUint16(14, bits, true);
  if (extra) {
    view.setUint16(16, extra.length, true);
    body.set(extra, 18);
  }
  return body;
}

function extensibleExtra(validBits: number, subFormat: number, guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]): Uint8Array {
  const extra = new Uint8Array(22);
  const view = new DataView(extra.buffer);
  view.setUint16(0, validBits, true);
  view.setUint32(2, 0x3, true);
  view.setUint16(6, subFormat, true);
  extra.set(guidTail, 8);
  return extra;
}

describe('readWav: formats', () => {
  const signal = sine(440, 8000, 0.25, 0.6);

  for (const [depth, tolerance] of [
    ['8', 1 / 128],
    ['16', 1 / 32768],
    ['24', 1 / 8388608],
    ['32', 1e-7],
    ['32f', 0],
    ['64', 0],
  ] as [WavBitDepth, number][]) {
    it(`decodes ${depth}-bit files written by wavefile to within one quantisation step`, () => {
      const file = write(`tone-${depth}.wav`, encodeWav(signal, 8000, { bitDepth: depth }));
      const audio = readWav(file);
      assert.equal(audio.sampleRate, 8000);
      assert.equal(audio.samples.length, signal.length);
      assert.equal(audio.info.bitsPerSample, depth === '32f' ? 32 : Number(depth));
      assert.equal(audio.info.encoding, depth === '32f' || depth === '64' ? 'float' : 'pcm');
      let worst = 0;
      for (let i = 0; i < signal.length; i++) worst = Math.max(worst, Math.abs(audio.samples[i] - signal[i]));
      assert.ok(worst <= tolerance + 1e-9, `max error ${worst} > ${tolerance}`);
    });
  }

  it('writes 16-bit PCM byte for byte as wavefile does', () => {
    const stereo = new Float32Array(2000).map((_, i) => 0.9 * Math.sin(i / 5) * (i % 2 ? 1 : -0.5));
    const wav = new WaveFile();
    const left = new Float64Array(1000).map((_, f) => Math.max(-32768, Math.min(32767, Math.round(stereo[2 * f] * 32768))));
    const right = new Float64Array(1000).map((_, f) => Math.max(-32768, Math.min(32767, Math.round(stereo[2 * f + 1] * 32768))));
    wav.fromScratch(2, 44100, '16', [left, right] as unknown as number[]);
    assert.deepEqual(Buffer.from(encodeWav(stereo, 44100, { channels: 2 })), Buffer.from(wav.toBuffer()));
  });

  it('mixes any number of channels to mono by averaging', () => {
    const frames = 1000;
    const channels = 6;
    const interleaved = new Float32Array(frames * channels);
    for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) interleaved[f * channels + c] = ((c + 1) / 10) * Math.sin(f / 7);
    const audio = readWav(encodeWav(interleaved, 22050, { channels, bitDepth: '32f' }), { name: 'six.wav' });
    assert.equal(audio.info.channels, channels);
    for (const f of [0, 10, 500, 999]) assert.ok(Math.abs(audio.samples[f] - 0.35 * Math.sin(f / 7)) < 1e-6);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE PCM (24 valid bits in 32) and float', () => {
    const frames = 64;
    const pcm = new Uint8Array(frames * 4);
    const view = new DataView(pcm.buffer);
    for (let f = 0; f < frames; f++) view.setInt32(f * 4, (f - 32) * 2 ** 26, true);
    const pcmFile = riff([
      ['fmt ', fmtBody(0xfffe, 1, 96000, 32, extensibleExtra(24, 1))],
      ['data', pcm],
    ]);
    const audio = readWav(pcmFile, { name: 'ext.wav' });
    assert.ok(audio.info.extensible);
    assert.equal(audio.info.sampleRate, 96000);
    assert.equal(audio.samples[0], -1);
    assert.equal(audio.samples[33], 1 / 32);

    const floats = new Float32Array([0.25, -0.5, 0.75, 1]);
    const floatFile = riff([
      ['fmt ', fmtBody(0xfffe, 2, 44100, 32, extensibleExtra(32, 3))],
      ['data', new Uint8Array(floats.buffer)],
    ]);
    assert.deepEqual([...readWav(floatFile, { name: 'extf.wav' }).samples], [-0.125, 0.875]);
  });

  it('skips LIST, fact and JUNK chunks and accepts data before fmt', () => {
    const data = new Uint8Array(new Int16Array([1000, -1000, 2000]).buffer);
    const odd = riff([
      ['JUNK', new Uint8Array(27)],
      ['data', data],
      ['LIST', new Uint8Array([73, 78, 70, 79, 1])],
      ['fact', new Uint8Array(4)],
      ['fmt ', fmtBody(1, 1, 16000, 16)],
    ]);
    const audio = readWav(odd, { name: 'odd.wav' });
    assert.deepEqual([...audio.samples], [1000 / 32768, -1000 / 32768, 2000 / 32768]);
  });

  it('reads a time range without decoding the rest', () => {
    const ramp = new Float32Array(16000);
    for (let i = 0; i < ramp.length; i++) ramp[i] = i / 16000;
    const file = write('ramp.wav', encodeWav(ramp, 16000, { bitDepth: '32f' }));
    const part = readWav(file, { startSeconds: 0.5, durationSeconds: 0.25 });
    assert.equal(part.samples.length, 4000);
    assert.equal(part.samples[0], 0.5);
  });

  it('readWavInfo reads only the header', () => {
    const file = write('info.wav', encodeWav(sine(100, 48000, 2), 48000));
    const info = readWavInfo(file);
    assert.equal(info.frames, 96000);
    assert.equal(info.durationSeconds, 2);
    assert.equal(info.dataOffset, 44);
  });
});

describe('readWav: bad input names the file and the problem', () => {
  const good = encodeWav(sine(440, 16000, 0.1), 16000);

  it('missing file', () => assertFileError(path.join(dir, 'absent.wav'), /file not found/));
  it('a directory', () => assertFileError(dir, /is a directory/));
  it('empty file', () => assertFileError(write('empty.wav', new Uint8Array(0)), /empty \(0 bytes\)/));
  it('truncated header', () => assertFileError(write('short.wav', good.subarray(0, 30)), /truncated|no fmt/));
  it('header cut inside the fmt chunk', () => assertFileError(write('cut-fmt.wav', good.subarray(0, 20)), /truncated/));
  it('data chunk longer than the file', () => {
    assertFileError(write('cut.wav', good.subarray(0, good.length - 100)), /data chunk declares \d+ bytes but only \d+ remain/);
  });
  it('an MP3 renamed .wav', () => {
    assertFileError(write('song.wav', Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90])), /MP3 file/);
    assertFileError(write('frame.wav', Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0])), /MP3 file/);
  });
  it('random bytes', () => assertFileError(write('noise.wav', Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 255)), /not a WAV file/));
  it('0 samples', () => {
    assertFileError(riff([['fmt ', fmtBody(1, 1, 16000, 16)], ['data', new Uint8Array(0)]]), /no audio samples/, 'zero.wav');
  });
  it('NaN and Infinity floats', () => {
    const bad = new Float32Array([0.1, Number.NaN, 0.2, Number.POSITIVE_INFINITY]);
    assertFileError(write('nan.wav', encodeWav(bad, 16000, { bitDepth: '32f' })), /2 non-finite samples/);
  });
  it('0 channels and absurd rates', () => {
    assertFileError(riff([['fmt ', fmtBody(1, 0, 16000, 16)], ['data', new Uint8Array(4)]]), /0 channels/, 'c0.wav');
    assertFileError(riff([['fmt ', fmtBody(1, 1, 0, 16)], ['data', new Uint8Array(4)]]), /sample rate 0 Hz/, 'r0.wav');
    assertFileError(riff([['fmt ', fmtBody(1, 1, 1, 16)], ['data', new Uint8Array(4)]]), /sample rate 1 Hz/, 'r1.wav');
  });
  it('unsupported encodings and extensible GUIDs', () => {
    assertFileError(riff([['fmt ', fmtBody(7, 1, 8000, 8)], ['data', new Uint8Array(4)]]), /µ-law/, 'ulaw.wav');
    assertFileError(riff([['fmt ', fmtBody(1, 1, 8000, 12)], ['data', new Uint8Array(4)]]), /12-bit/, 'odd.wav');
    const badGuid = extensibleExtra(16, 1, new Array(14).fill(7));
    assertFileError(riff([['fmt ', fmtBody(0xfffe, 1, 8000, 16, badGuid)], ['data', new Uint8Array(4)]]), /sub-format GUID/, 'guid.wav');
  });
  it('a RIFF file that is not WAVE, and big-endian RIFX', () => {
    const avi = riff([['fmt ', fmtBody(1, 1, 8000, 16)]]);
    avi.set([65, 86, 73, 32], 8);
    assertFileError(avi, /not WAVE/, 'movie.wav');
    assertFileError(riff([['fmt ', fmtBody(1, 1, 8000, 16)], ['data', new Uint8Array(4)]], 'RIFX'), /big-endian/, 'rifx.wav');
  });
});

describe('readWav: long files', () => {
  it('decodes a 10-minute 48 kHz file to 16 kHz holding only the output and one block', () => {
    const rate = 48000;
    const seconds = 600;
    const frames = rate * seconds;
    const file = path.join(dir, 'ten-minutes.wav');
    // Write the file in pieces so the test itself never holds it whole.
    const header = encodeWav(new Float32Array(0), rate);
    new DataView(header.buffer, header.byteOffset).setUint32(40, frames * 2, true);
    new DataView(header.buffer, header.byteOffset).setUint32(4, 36 + frames * 2, true);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, header);
    const block = new Int16Array(rate);
    for (let i = 0; i < rate; i++) block[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / rate));
    for (let s = 0; s < seconds; s++) fs.writeSync(fd, new Uint8Array(block.buffer));
    fs.closeSync(fd);
    assert.equal(fs.statSync(file).size, 44 + frames * 2);

    global.gc?.();
    const before = process.memoryUsage();
    const audio = readWav(file, { targetRate: 16000 });
    const after = process.memoryUsage();
    assert.equal(audio.samples.length, 16000 * seconds);
    assert.ok(Math.abs(audio.samples[16000 * 300 + 4] - (8000 / 32768) * Math.sin((2 * Math.PI * 1000 * 4) / 16000)) < 1e-3);
    // The output is 38.4 MB of float32; the 57.6 MB file is never held whole: at most a few MB of blocks besides.
    const grown = after.arrayBuffers - before.arrayBuffers;
    const output = audio.samples.byteLength;
    assert.ok(grown < output + 16e6, `array buffers grew by ${(grown / 1e6).toFixed(1)} MB for a ${(output / 1e6).toFixed(1)} MB output`);
  });
});
