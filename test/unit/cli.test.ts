/** The built `voice-emotion` command, run as a user runs it (node bin/voice-emotion.js …). */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { requireTools, runCli, sine, speechFiles, tempDir } from '../helpers';

const dir = tempDir();

interface FeaturesJson {
  kind: string;
  sampleRate: number;
  shape: [number, number];
  data: number[][];
}

describe('voice-emotion features', () => {
  it('computes 128 × 188 log-mels of a 48 kHz 16-bit RAVDESS-style file', (t) => {
    if (!requireTools(t, 'espeak-ng', 'sox')) return;
    const { speech48k } = speechFiles();
    assert.equal(path.basename(speech48k), '03-01-05-02-01-01-12.wav');
    const result = runCli(['features', speech48k, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as FeaturesJson;
    assert.equal(json.kind, 'logmel');
    assert.equal(json.sampleRate, 16000);
    assert.deepEqual(json.shape, [128, 188]);
    assert.equal(json.data.length, 128);
    assert.ok(json.data.every((row) => row.length === 188 && row.every(Number.isFinite)));
    const max = Math.max(...json.data.flat());
    const min = Math.min(...json.data.flat());
    assert.ok(max - min <= 80 + 1e-3 && max - min > 40, `dynamic range ${max - min} dB`);
  });

  it('--kind mfcc --n-mfcc 13, --kind spectrogram and custom STFT sizes give the right shapes', (t) => {
    if (!requireTools(t, 'espeak-ng', 'sox')) return;
    const { speech48k } = speechFiles();
    const mfcc = JSON.parse(runCli(['features', speech48k, '--kind', 'mfcc', '--n-mfcc', '13', '--json']).stdout) as FeaturesJson;
    assert.deepEqual(mfcc.shape, [13, 188]);
    const spec = JSON.parse(runCli(['features', speech48k, '--kind=spectrogram', '--n-fft', '512', '--hop', '128', '--json']).stdout) as FeaturesJson;
    assert.deepEqual(spec.shape, [257, 1 + 48000 / 128]);
    const small = JSON.parse(runCli(['features', speech48k, '--sr', '8000', '--n-mels', '40', '--duration', '1.5', '--json']).stdout) as FeaturesJson;
    assert.equal(small.sampleRate, 8000);
    assert.deepEqual(small.shape, [40, 1 + Math.floor(12000 / 256)]);
  });

  it('--full analyses every sample with no trimming or cropping; --no-trim keeps the silence', () => {
    const file = path.join(dir, 'tone-5s.wav');
    const tone = new Float32Array(48000 * 5);
    tone.set(sine(500, 48000, 1), 48000 * 2);
    fs.writeFileSync(file, encodeWav(tone, 48000));
    const full = JSON.parse(runCli(['features', file, '--full', '--json']).stdout) as FeaturesJson;
    assert.deepEqual(full.shape, [128, 1 + Math.floor(80000 / 256)]);
    // Trimmed and cropped: the 1-s tone fills the middle of a 3-s clip; without trimming the centre 3 s hold it too.
    const trimmed = JSON.parse(runCli(['features', file, '--json']).stdout) as FeaturesJson;
    const untrimmed = JSON.parse(runCli(['features', file, '--no-trim', '--duration', '5', '--json']).stdout) as FeaturesJson;
    assert.deepEqual(untrimmed.shape, [128, 313]);
    const loudFrames = (json: FeaturesJson) => json.data[0].filter((_, t) => Math.max(...json.data.map((row) => row[t])) > -20).length;
    assert.ok(Math.abs(loudFrames(trimmed) - loudFrames(untrimmed)) <= 4);
    assert.ok(loudFrames(untrimmed) > 55 && loudFrames(untrimmed) < 75, `${loudFrames(untrimmed)} loud frames`);
  });

  it('prints a readable summary without --json', () => {
    const file = path.join(dir, 'summary.wav');
    fs.writeFileSync(file, encodeWav(sine(440, 22050, 2), 22050, { bitDepth: '24' }));
    const result = runCli(['features', file, '--kind', 'mfcc']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /22050 Hz, 24-bit PCM, 1 channel, 2\.00 s/);
    assert.match(result.stdout, /mfcc: 40 × 188/);
  });
});

describe('voice-emotion bench', () => {
  it('--json prints one {name, value, unit} object per measurement', () => {
    const result = runCli(['bench', '--json', '--repeat', '1', '--only', 'features']);
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; value: number; unit: string });
    assert.ok(rows.length >= 4);
    for (const row of rows) {
      assert.equal(typeof row.name, 'string');
      assert.ok(Number.isFinite(row.value) && row.value > 0, `${row.name}: ${row.value}`);
      assert.equal(row.unit, 'audio s per s');
    }
  });
});

describe('voice-emotion errors', () => {
  const cases: [string, () => string, RegExp][] = [
    ['an empty file', () => write('empty.wav', new Uint8Array(0)), /empty \(0 bytes\)/],
    ['an MP3 renamed .wav', () => write('song.wav', Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 0xff, 0xfb])), /MP3 file/],
    ['a truncated file', () => write('cut.wav', encodeWav(sine(440, 16000, 1), 16000).subarray(0, 5000)), /truncated/],
    ['a directory', () => dir, /is a directory/],
    ['a missing file', () => path.join(dir, 'missing.wav'), /file not found/],
    ['NaN samples', () => write('nan.wav', encodeWav(Float32Array.from([0, Number.NaN, 0.5]), 16000, { bitDepth: '32f' })), /non-finite/],
  ];
  for (const [what, make, pattern] of cases) {
    it(`${what}: exit 1 and "error: <file>: <problem>" on stderr`, () => {
      const file = make();
      const result = runCli(['features', file, '--json']);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.ok(lines[0].startsWith(`error: ${file}: `), lines[0]);
      assert.match(lines[0], pattern);
    });
  }

  for (const [args, pattern] of [
    [['features'], /needs a FILE\.wav/],
    [['features', 'a.wav', '--kind', 'chroma'], /--kind must be one of spectrogram, logmel, mfcc/],
    [['features', 'a.wav', '--hop', 'ten'], /--hop needs a number/],
    [['features', 'a.wav', '--n-mfcc', '500'], /n-mfcc must be/],
    [['features', 'a.wav', '--full', '--duration', '2'], /cannot be used together/],
    [['features', 'a.wav', '--frobnicate'], /unknown option --frobnicate/],
    [['transmogrify'], /unknown command/],
  ] as [string[], RegExp][]) {
    it(`usage error exits 2: ${args.join(' ')}`, () => {
      const result = runCli(args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^error: [^\n]+\n$/);
      assert.match(result.stderr, pattern);
    });
  }

  it('--help prints usage and exits 0', () => {
    const result = runCli(['features', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--n-mels N/);
  });
});

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}
