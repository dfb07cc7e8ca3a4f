/**
 * The audio core against an independent float64 reference (test/reference/librosa_reference.py: NumPy
 * re-implementations of librosa 0.10's algorithms, SciPy for WAV reading, DCT and Savitzky–Golay) on real speech
 * synthesised by espeak-ng.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import {
  computeFeatures,
  delta,
  denseFilterbank,
  melFilterbank,
  melSpectrogram,
  mfcc as mfccFn,
  mfccFromLogMel,
  powerToDb,
  preEmphasis,
  readWav,
  resolveFeatureConfig,
  toBinsMajor,
  trimSilence,
  type FeatureMatrix,
} from '../../src/core/audio';
import { findPython, ROOT, speechFiles, requireTools } from '../helpers';

type Rows = number[][];
interface Reference {
  sampleRate: number;
  samples: number;
  melFilterbank22050: Rows;
  melFilterbankHtk: Rows;
  spectrogramDb: Rows;
  logmel: Rows;
  mfcc: Rows;
  mfccLifter22: Rows;
  delta1: Rows;
  delta2: Rows;
  logmel400: Rows;
  trim: [number, number];
  preEmphasisHead: number[];
}

/** Largest absolute difference between a matrix and reference rows (bins-major). */
function maxAbsDiff(matrix: FeatureMatrix, rows: Rows): number {
  assert.equal(matrix.bins, rows.length, 'bin count');
  assert.equal(matrix.frames, rows[0].length, 'frame count');
  const actual = toBinsMajor(matrix);
  let worst = 0;
  for (let b = 0; b < rows.length; b++) for (let t = 0; t < rows[b].length; t++) worst = Math.max(worst, Math.abs(actual[b][t] - rows[b][t]));
  return worst;
}

describe('audio core vs. independent librosa-algorithm reference on espeak-ng speech', () => {
  let reference: Reference | undefined;
  let samples: Float32Array;
  let skipReason: string | undefined;

  before(() => {
    const python = findPython();
    const missing = [!python && 'python3 with numpy and scipy'].filter(Boolean);
    if (missing.length) {
      skipReason = `needs ${missing.join(', ')}`;
      if (process.env.CI) throw new Error(skipReason);
      return;
    }
    const speech = speechFiles();
    const json = execFileSync(python!, [path.join(ROOT, 'test', 'reference', 'librosa_reference.py'), speech.speech16k], {
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8',
    });
    reference = JSON.parse(json) as Reference;
    samples = readWav(speech.speech16k).samples;
  });

  const guard = (t: { skip(message: string): void }): boolean => {
    if (!requireTools(t, 'espeak-ng', 'sox')) return false;
    if (!reference) {
      t.skip(skipReason ?? 'reference unavailable');
      return false;
    }
    return true;
  };

  it('the speech clip is what the reference read', (t) => {
    if (!guard(t)) return;
    assert.equal(reference!.sampleRate, 16000);
    assert.equal(samples.length, reference!.samples);
    assert.ok(samples.length > 16000 * 2, 'at least two seconds of audio');
  });

  it('mel filterbank (sr 22050, n_fft 2048, 128 mels, Slaney) matches to 1e-7', (t) => {
    if (!guard(t)) return;
    const dense = denseFilterbank(melFilterbank({ sampleRate: 22050, nFft: 2048, nMels: 128 }));
    let worst = 0;
    reference!.melFilterbank22050.forEach((row, m) => row.forEach((w, k) => (worst = Math.max(worst, Math.abs(dense[m * 1025 + k] - w)))));
    assert.ok(worst < 1e-7, `max difference ${worst}`);
  });

  it('HTK mel filterbank without normalisation matches to 1e-7', (t) => {
    if (!guard(t)) return;
    const dense = denseFilterbank(melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 40, fMin: 20, fMax: 7600, scale: 'htk', norm: null }));
    let worst = 0;
    reference!.melFilterbankHtk.forEach((row, m) => row.forEach((w, k) => (worst = Math.max(worst, Math.abs(dense[m * 257 + k] - w)))));
    assert.ok(worst < 1e-7, `max difference ${worst}`);
  });

  const full = () => resolveFeatureConfig({ trim: false, clipSeconds: null });

  it('power spectrogram in dB matches to 0.01 dB', (t) => {
    if (!guard(t)) return;
    const worst = maxAbsDiff(computeFeatures(samples, 'spectrogram', full()), reference!.spectrogramDb);
    assert.ok(worst < 0.01, `max difference ${worst} dB`);
  });

  it('log-mel (128 mels to 8 kHz, ref 1, top_db 80) matches to 0.01 dB', (t) => {
    if (!guard(t)) return;
    const worst = maxAbsDiff(computeFeatures(samples, 'logmel', full()), reference!.logmel);
    assert.ok(worst < 0.01, `max difference ${worst} dB`);
    const viaMelSpectrogram = powerToDb(melSpectrogram(samples, { sampleRate: 16000, nFft: 1024, hopLength: 256, fMax: 8000 }));
    assert.ok(maxAbsDiff(viaMelSpectrogram, reference!.logmel) < 0.01);
  });

  it('log-mel with a 400-point FFT (Bluestein path), 64 mels, hop 160 matches to 0.01 dB', (t) => {
    if (!guard(t)) return;
    const config = resolveFeatureConfig({ trim: false, clipSeconds: null, nFft: 400, hopLength: 160, nMels: 64 });
    const worst = maxAbsDiff(computeFeatures(samples, 'logmel', config), reference!.logmel400);
    assert.ok(worst < 0.01, `max difference ${worst} dB`);
  });

  it('40 MFCCs (DCT-II ortho) match to 1e-3, with and without liftering', (t) => {
    if (!guard(t)) return;
    const mfcc = computeFeatures(samples, 'mfcc', full());
    const worst = maxAbsDiff(mfcc, reference!.mfcc);
    assert.ok(worst < 1e-3, `max difference ${worst}`);
    const lifted = mfccFromLogMel(computeFeatures(samples, 'logmel', full()), { nMfcc: 40, lifter: 22 });
    const worstLifted = maxAbsDiff(lifted, reference!.mfccLifter22);
    assert.ok(worstLifted < 1e-2, `max difference with lifter ${worstLifted}`);
    // The librosa-named one-call form gives the same numbers.
    const direct = mfccFn(samples, { sampleRate: 16000, nFft: 1024, hopLength: 256, nMels: 128, fMax: 8000, nMfcc: 40 });
    assert.ok(maxAbsDiff(direct, reference!.mfcc) < 1e-3);
  });

  it('delta and delta-delta (width 9, interp edges) match scipy savgol_filter to 1e-3', (t) => {
    if (!guard(t)) return;
    const mfcc = computeFeatures(samples, 'mfcc', full());
    const d1 = maxAbsDiff(delta(mfcc), reference!.delta1);
    const d2 = maxAbsDiff(delta(mfcc, { order: 2 }), reference!.delta2);
    assert.ok(d1 < 1e-3 && d2 < 1e-3, `max differences ${d1}, ${d2}`);
  });

  it('trimSilence finds the same [start, end) as librosa effects.trim', (t) => {
    if (!guard(t)) return;
    const { start, end } = trimSilence(samples);
    assert.deepEqual([start, end], reference!.trim);
    assert.ok(start > 0 && end < samples.length, 'the padded silence is actually trimmed');
  });

  it('preEmphasis matches scipy lfilter with librosa initial state', (t) => {
    if (!guard(t)) return;
    const out = preEmphasis(samples, 0.97);
    reference!.preEmphasisHead.forEach((v, i) => assert.ok(Math.abs(out[i] - v) < 1e-6, `sample ${i}: ${out[i]} vs ${v}`));
  });
});
