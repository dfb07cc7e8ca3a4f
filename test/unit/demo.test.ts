import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { readWav } from '../../src/core/audio/wav';
import { writeFileAtomic } from '../../src/core/fsutil';
import { encodePng } from '../../src/core/report/png';
import { synthesizeVoice } from '../../src/core/synth/voice';
import { runCli, tempDir } from '../helpers';

/** Fundamental frequency by autocorrelation over 60–400 Hz. */
function estimateF0(x: Float32Array, rate: number): number {
  let bestLag = 0;
  let best = Number.NEGATIVE_INFINITY;
  for (let lag = Math.floor(rate / 400); lag <= Math.ceil(rate / 60); lag++) {
    let sum = 0;
    for (let i = 0; i + lag < x.length; i++) sum += x[i] * x[i + lag];
    if (sum > best) {
      best = sum;
      bestLag = lag;
    }
  }
  return rate / bestLag;
}

describe('synthesizeVoice', () => {
  it('is deterministic per seed and has the requested pitch', () => {
    const a = synthesizeVoice({ sampleRate: 16000, durationSeconds: 1, f0Hz: 200, f0RangeSemitones: 0, jitter: 0, seed: 7 });
    const b = synthesizeVoice({ sampleRate: 16000, durationSeconds: 1, f0Hz: 200, f0RangeSemitones: 0, jitter: 0, seed: 7 });
    const c = synthesizeVoice({ sampleRate: 16000, durationSeconds: 1, f0Hz: 200, f0RangeSemitones: 0, jitter: 0, seed: 8 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    // Declination lowers pitch by up to 1.5 semitones over the clip; measure the first quarter.
    const f0 = estimateF0(a.subarray(2000, 6000), 16000);
    assert.ok(f0 > 180 && f0 < 210, `estimated F0 ${f0} Hz`);
    assert.ok(Math.abs(Math.max(...a.map(Math.abs)) - 0.5) < 1e-6);
  });

  it('rejects unknown vowels', () => assert.throws(() => synthesizeVoice({ vowels: 'ax' }), /unknown vowel "x"/));
});

describe('encodePng', () => {
  it('writes a valid PNG whose pixels inflate back unchanged', () => {
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 41) & 255);
    const png = encodePng(3, 2, rgba);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), 3);
    assert.equal(png.readUInt32BE(20), 2);
    const idatLength = png.readUInt32BE(33);
    assert.equal(png.toString('latin1', 37, 41), 'IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    assert.deepEqual([...raw.subarray(1, 13)], [...rgba.subarray(0, 12)]);
    assert.deepEqual([...raw.subarray(14, 26)], [...rgba.subarray(12, 24)]);
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temporary file behind', () => {
    const dir = tempDir();
    const file = path.join(dir, 'nested', 'model.json');
    writeFileAtomic(file, 'first');
    writeFileAtomic(file, 'second');
    assert.equal(fs.readFileSync(file, 'utf8'), 'second');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['model.json']);
  });

  it('keeps the previous version when the write fails', () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.txt');
    writeFileAtomic(file, 'kept');
    // A directory where the temporary file's rename target must be a file makes rename fail.
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(blocked, 'inner'), { recursive: true });
    assert.throws(() => writeFileAtomic(blocked, 'new'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'kept');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['blocked', 'notes.txt']);
  });
});

describe('voice-emotion demo', () => {
  it('synthesises a corpus, trains cnn-bn, evaluates held-out actors and writes a self-contained report', () => {
    const out = path.join(tempDir(), 'demo');
    const result = runCli(['demo', '--out', out, '--actors', '4', '--epochs', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /not RAVDESS/);
    assert.match(result.stdout, /test \(speakers 04\): accuracy [\d.]+%, UAR [\d.]+% \(chance 12\.5%\)/);
    const audio = readWav(path.join(out, 'corpus', 'Actor_01', '03-01-05-02-01-01-01.wav'));
    assert.equal(audio.sampleRate, 48000);
    assert.ok(fs.existsSync(path.join(out, 'model', 'emotion.json')));
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 8);
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.match(html, /class="confusion"/);
    assert.match(html, /This corpus is synthetic/);
    assert.doesNotMatch(html, /<script/);
  });
});
