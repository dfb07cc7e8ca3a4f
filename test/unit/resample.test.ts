import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resample, Resampler } from '../../src/core/audio/resample';
import { sine, spectrumDb } from '../helpers';

/** Peak level (dB re full-scale sine) and frequency of the strongest bin, and the strongest level away from it. */
function analyse(samples: Float32Array, rate: number, excludeHz: number[] = []) {
  const size = 8192;
  const db = spectrumDb(samples, Math.floor((samples.length - size) / 2), size);
  const hzPerBin = rate / size;
  let peak = 0;
  for (let k = 1; k < db.length; k++) if (db[k] > db[peak]) peak = k;
  let spurious = Number.NEGATIVE_INFINITY;
  for (let k = 1; k < db.length; k++) {
    const hz = k * hzPerBin;
    if ([peak * hzPerBin, ...excludeHz].some((f) => Math.abs(hz - f) < 8 * hzPerBin)) continue;
    spurious = Math.max(spurious, db[k]);
  }
  // Parabolic interpolation of the peak's frequency.
  const [a, b, c] = [db[peak - 1], db[peak], db[peak + 1]];
  const offset = (0.5 * (a - c)) / (a - 2 * b + c);
  return { peakHz: (peak + offset) * hzPerBin, peakDb: b - 0.25 * (a - c) * offset, spurious };
}

describe('resample', () => {
  it('48 kHz → 16 kHz keeps a 1 kHz sine\'s frequency and amplitude within 0.1 dB', () => {
    const out = resample(sine(1000, 48000, 2, 0.5), 48000, 16000);
    assert.equal(out.length, 32000);
    const { peakHz } = analyse(out, 16000);
    assert.ok(Math.abs(peakHz - 1000) < 0.5, `peak at ${peakHz} Hz`);
    let sumSquares = 0;
    for (let i = 4000; i < 28000; i++) sumSquares += out[i] * out[i];
    const rms = Math.sqrt(sumSquares / 24000);
    const levelDb = 20 * Math.log10(rms / (0.5 / Math.SQRT2));
    assert.ok(Math.abs(levelDb) < 0.1, `level changed by ${levelDb.toFixed(3)} dB`);
  });

  it('a 7.9 kHz tone at 48 kHz leaves no alias or spur above −60 dB in the 16 kHz output', () => {
    const out = resample(sine(7900, 48000, 2, 0.9), 48000, 16000);
    const { spurious } = analyse(out, 16000, [7900]);
    assert.ok(spurious < -60, `spurious component at ${spurious.toFixed(1)} dB`);
  });

  for (const hz of [8500, 9000, 12000, 15000, 20000]) {
    it(`a ${hz / 1000} kHz tone above the new Nyquist frequency is removed to below −60 dB`, () => {
      const out = resample(sine(hz, 48000, 2, 0.9), 48000, 16000);
      const db = spectrumDb(out, 8000, 8192);
      const worst = Math.max(...db);
      assert.ok(worst < -60, `alias at ${worst.toFixed(1)} dB`);
    });
  }

  it('44.1 kHz → 16 kHz (ratio 160/441) keeps a 3 kHz sine and removes 10 kHz', () => {
    const input = sine(3000, 44100, 2, 0.5);
    const high = sine(10000, 44100, 2, 0.5);
    for (let i = 0; i < input.length; i++) input[i] += high[i];
    const out = resample(input, 44100, 16000);
    assert.equal(out.length, Math.ceil((input.length * 16000) / 44100));
    const { peakHz, peakDb, spurious } = analyse(out, 16000);
    assert.ok(Math.abs(peakHz - 3000) < 0.5);
    assert.ok(Math.abs(peakDb - 20 * Math.log10(0.5)) < 0.1, `peak ${peakDb.toFixed(2)} dB`);
    assert.ok(spurious < -60, `10 kHz alias at ${spurious.toFixed(1)} dB`);
  });

  it('upsamples 16 kHz → 48 kHz without images above 8 kHz', () => {
    const out = resample(sine(2000, 16000, 2, 0.5), 16000, 48000);
    assert.equal(out.length, 96000);
    const { peakHz, spurious } = analyse(out, 48000);
    assert.ok(Math.abs(peakHz - 2000) < 1);
    assert.ok(spurious < -60, `image at ${spurious.toFixed(1)} dB`);
  });

  it('an awkward ratio (44,056 Hz, interpolated phases) is still band-limited and accurate', () => {
    const out = resample(sine(1000, 44056, 2, 0.5), 44056, 16000);
    const { peakHz, peakDb, spurious } = analyse(out, 16000);
    assert.ok(Math.abs(peakHz - 1000) < 0.5);
    assert.ok(Math.abs(peakDb - 20 * Math.log10(0.5)) < 0.1);
    assert.ok(spurious < -80, `spur at ${spurious.toFixed(1)} dB`);
  });

  it('streaming in uneven blocks gives exactly the one-shot result', () => {
    const input = sine(440, 48000, 1, 0.7);
    for (let i = 0; i < input.length; i += 997) input[i] += 0.2;
    const whole = resample(input, 48000, 16000);
    const resampler = new Resampler(48000, 16000);
    const out = new Float32Array(resampler.outputLength(input.length));
    let written = 0;
    for (let start = 0, step = 1; start < input.length; start += step, step = (step * 7 + 3) % 5000) {
      written += resampler.process(input.subarray(start, start + step), out, written);
    }
    written += resampler.flush(out, written);
    assert.equal(written, whole.length);
    assert.deepEqual(out, whole);
  });

  it('FFT-block decimation equals the direct filter sum, for whole signals and streams', () => {
    let state = 11;
    const noise = Float32Array.from({ length: 48000 * 2 + 17 }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 30 - 1;
    });
    for (const [from, to] of [[48000, 16000], [32000, 16000], [96000, 16000]]) {
      const fast = resample(noise, from, to);
      const direct = resample(noise, from, to, { blockFft: false });
      assert.equal(fast.length, direct.length);
      let worst = 0;
      for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i] - direct[i]));
      assert.ok(worst < 1e-6, `${from} → ${to}: largest difference ${worst}`);
    }
  });

  it('rejects non-integer or non-positive rates', () => {
    assert.throws(() => new Resampler(0, 16000), /positive integers/);
    assert.throws(() => new Resampler(44100.5, 16000), /positive integers/);
  });
});
