import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyFilterbank,
  computeFeatures,
  dctMatrix,
  DEFAULT_FEATURE_CONFIG,
  delta,
  denseFilterbank,
  fileFeatures,
  fixLength,
  fromBinsMajor,
  hzToMel,
  melFilterbank,
  melSpectrogram,
  melToHz,
  mfccFromLogMel,
  powerSpectrogram,
  powerToDb,
  prepareClip,
  RealFft,
  resolveFeatureConfig,
  stft,
  toBinsMajor,
  trimSilence,
} from '../../src/core/audio';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { UsageError } from '../../src/core/errors';
import { sine } from '../helpers';

/** Direct float64 DFT of one frame (the definition, O(n²)). */
function directDft(frame: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = frame.length;
  const bins = Math.floor(n / 2) + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * ((k * t) % n)) / n;
      sr += frame[t] * Math.cos(angle);
      si += frame[t] * Math.sin(angle);
    }
    re[k] = sr;
    im[k] = si;
  }
  return { re, im };
}

/** Test signal: chirp plus noise-like components, so every bin carries energy. */
function testSignal(length: number): Float32Array {
  const out = new Float32Array(length);
  let seed = 12345;
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = 0.4 * Math.sin(0.0005 * i * i) + 0.2 * (seed / 2147483648 - 0.5);
  }
  return out;
}

describe('RealFft', () => {
  for (const n of [16, 1024, 400, 441, 1000]) {
    it(`matches the direct float64 DFT for n = ${n} to 1e-9 relative`, () => {
      const x = Float64Array.from(testSignal(n));
      const fft = new RealFft(n);
      const re = new Float64Array(fft.bins);
      const im = new Float64Array(fft.bins);
      fft.forward(x, re, im);
      const ref = directDft(x);
      let scale = 0;
      let worst = 0;
      for (let k = 0; k < fft.bins; k++) scale = Math.max(scale, Math.hypot(ref.re[k], ref.im[k]));
      for (let k = 0; k < fft.bins; k++) worst = Math.max(worst, Math.hypot(re[k] - ref.re[k], im[k] - ref.im[k]));
      assert.ok(worst / scale < 1e-9, `relative error ${worst / scale}`);
    });
  }
});

describe('stft', () => {
  for (const [nFft, hop, winLength] of [
    [1024, 256, 1024],
    [400, 160, 400],
    [512, 128, 300],
  ]) {
    it(`agrees with a float64 direct DFT (n_fft ${nFft}, hop ${hop}, window ${winLength}) to 1e-5 relative`, () => {
      const y = testSignal(6000);
      const spec = stft(y, { nFft, hopLength: hop, winLength });
      assert.equal(spec.bins, nFft / 2 + 1);
      assert.equal(spec.frames, 1 + Math.floor(y.length / hop));
      const pad = nFft / 2;
      const offset = Math.floor((nFft - winLength) / 2);
      for (const t of [0, 1, Math.floor(spec.frames / 2), spec.frames - 1]) {
        // Independent framing: zero padding outside the signal, periodic Hann centred in the frame.
        const frame = new Float64Array(nFft);
        for (let i = 0; i < winLength; i++) {
          const index = t * hop - pad + offset + i;
          const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / winLength);
          frame[offset + i] = index >= 0 && index < y.length ? y[index] * w : 0;
        }
        const ref = directDft(frame);
        let scale = 0;
        let worst = 0;
        for (let k = 0; k < spec.bins; k++) {
          scale = Math.max(scale, Math.hypot(ref.re[k], ref.im[k]));
          const i = t * spec.bins + k;
          worst = Math.max(worst, Math.hypot(spec.re[i] - ref.re[k], spec.im[i] - ref.im[k]));
        }
        assert.ok(worst / scale < 1e-5, `frame ${t}: relative error ${worst / scale}`);
      }
    });
  }

  it('reflect padding mirrors the signal at the edges', () => {
    const y = testSignal(2048);
    const reflect = stft(y, { nFft: 256, hopLength: 64, padMode: 'reflect' });
    const frame = new Float64Array(256);
    for (let i = 0; i < 256; i++) {
      const index = Math.abs(i - 128);
      frame[i] = y[index] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 256));
    }
    const ref = directDft(frame);
    for (let k = 0; k < 129; k++) assert.ok(Math.abs(reflect.re[k] - ref.re[k]) < 1e-4);
  });

  it('a sine puts its power in the right bin', () => {
    const rate = 16000;
    const power = powerSpectrogram(sine(1000, rate, 1), { nFft: 1024, hopLength: 256 });
    const frame = 30;
    let best = 0;
    for (let k = 0; k < power.bins; k++) if (power.data[frame * power.bins + k] > power.data[frame * power.bins + best]) best = k;
    assert.equal(best, 64); // 1000 Hz / (16000 / 1024) = 64
  });
});

describe('mel scale and filterbank', () => {
  it('Hz↔mel round-trips on both scales and Slaney is linear below 1 kHz', () => {
    for (const hz of [0, 100, 999, 1000, 4000, 11025]) {
      assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9);
      assert.ok(Math.abs(melToHz(hzToMel(hz, 'htk'), 'htk') - hz) < 1e-9);
    }
    assert.ok(Math.abs(hzToMel(500) - 7.5) < 1e-12);
    assert.ok(Math.abs(hzToMel(1000, 'htk') - 1000) < 0.1);
  });

  it("reproduces librosa's published values for sr 22050, n_fft 2048 (0.016 and 0.02 at [0, 1])", () => {
    // librosa.filters.mel docstring: mel(sr=22050, n_fft=2048)[0, 1] ≈ 0.016; with fmax=8000 ≈ 0.02.
    const bank = denseFilterbank(melFilterbank({ sampleRate: 22050, nFft: 2048 }));
    assert.equal(bank.length, 128 * 1025);
    assert.equal(bank[0], 0);
    assert.equal(Number(bank[1].toFixed(3)), 0.016);
    const clipped = denseFilterbank(melFilterbank({ sampleRate: 22050, nFft: 2048, fMax: 8000 }));
    assert.equal(Number(clipped[1].toFixed(2)), 0.02);
  });

  it('Slaney normalisation gives every triangle unit area in Hz, HTK without norm peaks at 1', () => {
    const rate = 16000;
    const nFft = 16384;
    const bank = melFilterbank({ sampleRate: rate, nFft, nMels: 40, fMin: 100, fMax: 7000 });
    for (let m = 0; m < bank.nMels; m++) {
      let area = 0;
      for (let j = 0; j < bank.length[m]; j++) area += bank.weights[bank.offset[m] + j] * (rate / nFft);
      assert.ok(Math.abs(area - 1) < 0.01, `band ${m} area ${area}`);
    }
    const htk = melFilterbank({ sampleRate: rate, nFft, nMels: 40, scale: 'htk', norm: null });
    for (let m = 0; m < htk.nMels; m++) {
      const peak = Math.max(...htk.weights.subarray(htk.offset[m], htk.offset[m] + htk.length[m]));
      assert.ok(peak > 0.95 && peak <= 1, `band ${m} peak ${peak}`);
    }
  });

  it('rejects impossible ranges', () => {
    assert.throws(() => melFilterbank({ sampleRate: 16000, nFft: 512, fMax: 9000 }), /fMax/);
  });
});

describe('fast paths equal their definitions', () => {
  const noise = (length: number, seed: number) => {
    let state = seed;
    return Float32Array.from({ length }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 30 - 1;
    });
  };

  it('the FFT-based DCT of a power-of-two mel count equals the DCT-II basis matrix for every coefficient count', () => {
    for (const nMels of [8, 64, 128]) {
      const frames = 5;
      const logMel = { bins: nMels, frames, data: noise(nMels * frames, nMels).map((v) => 40 * v - 30) };
      for (const nMfcc of [1, 3, nMels / 2, nMels / 2 + 1, nMels - 1, nMels]) {
        const fast = mfccFromLogMel(logMel, { nMfcc, lifter: 22 });
        const basis = dctMatrix(nMfcc, nMels);
        for (let t = 0; t < frames; t++) {
          for (let k = 0; k < nMfcc; k++) {
            let expected = 0;
            for (let n = 0; n < nMels; n++) expected += basis[k * nMels + n] * logMel.data[t * nMels + n];
            expected *= 1 + 11 * Math.sin((Math.PI * (k + 1)) / 22);
            assert.ok(Math.abs(fast.data[t * nMfcc + k] - expected) < 1e-3, `nMels ${nMels}, nMfcc ${nMfcc}, frame ${t}, k ${k}`);
          }
        }
      }
    }
  });

  it('the fused mel spectrogram equals the filterbank applied to the stored power spectrogram', () => {
    const samples = noise(16000, 7);
    for (const options of [{ nFft: 1024, hopLength: 256 }, { nFft: 400, hopLength: 160, winLength: 320 }]) {
      const bank = melFilterbank({ sampleRate: 16000, nFft: options.nFft, nMels: 40 });
      const fused = melSpectrogram(samples, { ...options, sampleRate: 16000, nMels: 40 });
      const twoStep = applyFilterbank(powerSpectrogram(samples, options), bank);
      assert.deepEqual([fused.bins, fused.frames], [twoStep.bins, twoStep.frames]);
      for (let i = 0; i < fused.data.length; i++) {
        assert.ok(Math.abs(fused.data[i] - twoStep.data[i]) <= 1e-5 * Math.max(1, twoStep.data[i]), `value ${i}`);
      }
    }
  });
});

describe('powerToDb', () => {
  it('follows librosa: 10·log10(max(amin, S)/ref) floored at max − topDb', () => {
    const power = { bins: 4, frames: 1, data: Float32Array.from([1, 0.1, 1e-12, 100]) };
    assert.deepEqual([...powerToDb(power, { topDb: null }).data].map((v) => Math.round(v * 1000) / 1000), [0, -10, -100, 20]);
    assert.deepEqual([...powerToDb(power).data].map((v) => Math.round(v)), [0, -10, -60, 20]);
    assert.deepEqual([...powerToDb(power, { ref: 'max', topDb: 25 }).data].map((v) => Math.round(v)), [-20, -25, -25, 0]);
  });
});

describe('delta', () => {
  it('is exact for linear and quadratic trajectories, including the edges', () => {
    const frames = 20;
    const rows = [Array.from({ length: frames }, (_, t) => 3 * t - 5), Array.from({ length: frames }, (_, t) => 0.5 * t * t)];
    const matrix = fromBinsMajor(rows);
    const d1 = toBinsMajor(delta(matrix));
    for (let t = 0; t < frames; t++) assert.ok(Math.abs(d1[0][t] - 3) < 1e-4);
    const d2 = toBinsMajor(delta(matrix, { order: 2 }));
    for (let t = 0; t < frames; t++) assert.ok(Math.abs(d2[1][t] - 1) < 1e-4, `frame ${t}: ${d2[1][t]}`);
  });

  it('refuses a window longer than the signal, like librosa', () => {
    assert.throws(() => delta(fromBinsMajor([[1, 2, 3]])), /exceeds the number of frames/);
  });
});

describe('trimSilence and fixLength', () => {
  it('finds a tone between silences to within one hop, with librosa frame semantics', () => {
    const rate = 16000;
    const y = new Float32Array(rate * 2);
    const tone = sine(440, rate, 1);
    y.set(tone, 8000);
    const { start, end } = trimSilence(y);
    assert.ok(start % 512 === 0 && end % 512 === 0);
    assert.ok(start <= 8000 && start > 8000 - 2048, `start ${start}`);
    assert.ok(end >= 24000 && end < 24000 + 2048, `end ${end}`);
  });

  it('keeps digital silence whole (every frame is at the 0 dB reference, as in librosa) and a steady tone whole', () => {
    assert.equal(trimSilence(new Float32Array(5000)).samples.length, 5000);
    const quiet = new Float32Array(20000);
    quiet.set(sine(440, 16000, 0.25, 0.1), 8000);
    assert.ok(trimSilence(quiet).samples.length < 8000);
    const loud = sine(100, 16000, 0.5);
    assert.equal(trimSilence(loud).samples.length, loud.length);
  });

  it('centre-crops and zero-pads symmetrically', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5]);
    assert.deepEqual([...fixLength(x, 3)], [2, 3, 4]);
    assert.deepEqual([...fixLength(x, 9)], [0, 0, 1, 2, 3, 4, 5, 0, 0]);
  });
});

describe('feature pipeline', () => {
  it('project defaults: 16 kHz, 1024/256, 128 mels to 8 kHz, 40 MFCCs, 3-s clips → 188 frames', () => {
    assert.equal(DEFAULT_FEATURE_CONFIG.sampleRate, 16000);
    const clip = prepareClip(sine(300, 16000, 1.2), DEFAULT_FEATURE_CONFIG);
    assert.equal(clip.samples.length, 48000);
    const logmel = computeFeatures(clip.samples, 'logmel', DEFAULT_FEATURE_CONFIG);
    assert.deepEqual([logmel.bins, logmel.frames], [128, 188]);
    const mfcc = computeFeatures(clip.samples, 'mfcc', DEFAULT_FEATURE_CONFIG);
    assert.deepEqual([mfcc.bins, mfcc.frames], [40, 188]);
    const spectrogram = computeFeatures(clip.samples, 'spectrogram', DEFAULT_FEATURE_CONFIG);
    assert.deepEqual([spectrogram.bins, spectrogram.frames], [513, 188]);
  });

  it('decodes, resamples and analyses a 48 kHz file; full keeps every frame', () => {
    const bytes = encodeWav(sine(1000, 48000, 5), 48000);
    const clipped = fileFeatures(bytes, 'logmel');
    assert.equal(clipped.matrix.frames, 188);
    const full = fileFeatures(bytes, 'logmel', {}, { full: true });
    assert.equal(full.matrix.frames, 1 + Math.floor(80000 / 256));
  });

  it('validates configuration with messages that name the parameter', () => {
    assert.throws(() => resolveFeatureConfig({ nMfcc: 200 }), (e: unknown) => e instanceof UsageError && /n-mfcc/.test(e.message));
    assert.throws(() => resolveFeatureConfig({ hopLength: 0 }), /hop/);
    assert.throws(() => resolveFeatureConfig({ sampleRate: 100 }), /sample rate/);
    assert.equal(resolveFeatureConfig({ sampleRate: 8000 }).fMax, 4000);
    assert.equal(resolveFeatureConfig({ nFft: 512 }).winLength, 512);
  });
});
