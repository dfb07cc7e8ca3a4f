import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { FeatureMatrix } from '../../src/core/audio/matrix';
import { encodeWav } from '../../src/core/audio/wavWrite';
import {
  addNoise,
  applyGain,
  augmentFeatures,
  augmentWaveform,
  drawSpecAugmentMasks,
  formatAugmentPlan,
  generateImpulseResponse,
  loadNoiseBank,
  mixup,
  parseAugmentSpec,
  pinkNoise,
  pitchShift,
  reverb,
  sampleMixupLambda,
  specAugment,
  timeShift,
  timeStretch,
  whiteNoise,
  type AugmentPlan,
} from '../../src/core/augment';
import { FileError, UsageError } from '../../src/core/errors';
import { Random } from '../../src/core/random';
import { synthesizeVoice } from '../../src/core/synth/voice';
import { sine, spectrumDb, tempDir } from '../helpers';

const RATE = 16000;
const voice = synthesizeVoice({ sampleRate: RATE, durationSeconds: 1.5, seed: 3 });

function power(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return sum / samples.length;
}

/** Signal power over the power of what was added to it, in dB. */
function measuredSnrDb(clean: Float32Array, noisy: Float32Array): number {
  const added = new Float64Array(clean.length);
  for (let i = 0; i < clean.length; i++) added[i] = noisy[i] - clean[i];
  return 10 * Math.log10(power(clean) / power(added));
}

/** Frequency in Hz of the strongest component in the middle 8192 samples, by parabolic interpolation. */
function peakHz(samples: Float32Array, rate: number): number {
  const size = 8192;
  const db = spectrumDb(samples, Math.floor((samples.length - size) / 2), size);
  let peak = 1;
  for (let k = 1; k < db.length - 1; k++) if (db[k] > db[peak]) peak = k;
  const [a, b, c] = [db[peak - 1], db[peak], db[peak + 1]];
  return (peak + (0.5 * (a - c)) / (a - 2 * b + c)) * (rate / size);
}

/** Slope in dB per octave of the averaged power spectrum over the octave bands 125 Hz … 4 kHz. */
function spectralSlopeDbPerOctave(noise: Float32Array, rate: number): number {
  const size = 4096;
  const density = new Float64Array(size / 2 + 1);
  for (let start = 0; start + size <= noise.length; start += size) {
    const db = spectrumDb(noise, start, size);
    for (let k = 0; k < db.length; k++) density[k] += 10 ** (db[k] / 10);
  }
  const points: [number, number][] = [];
  for (let octave = 0; octave < 6; octave++) {
    const low = 125 * 2 ** octave;
    let sum = 0;
    let count = 0;
    for (let k = Math.ceil((low * size) / rate); (k * rate) / size < 2 * low; k++, count++) sum += density[k];
    points.push([octave, 10 * Math.log10(sum / count)]);
  }
  const meanX = points.reduce((s, [x]) => s + x, 0) / points.length;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return covariance / variance;
}

/** RT60 in seconds from the Schroeder backward-integrated energy curve, fitted between −5 and −35 dB (T30). */
function schroederRt60(ir: Float32Array, rate: number): number {
  const curve = new Float64Array(ir.length);
  let sum = 0;
  for (let i = ir.length - 1; i >= 0; i--) curve[i] = sum += ir[i] * ir[i];
  const points: [number, number][] = [];
  for (let i = 0; i < ir.length; i++) {
    const db = 10 * Math.log10(curve[i] / curve[0]);
    if (db <= -5 && db >= -35) points.push([i / rate, db]);
  }
  const meanX = points.reduce((s, [x]) => s + x, 0) / points.length;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return -60 / (covariance / variance);
}

/** Time in seconds of the energy centroid of a signal. */
function energyCentreSeconds(samples: Float32Array, rate: number): number {
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    weighted += i * samples[i] * samples[i];
    total += samples[i] * samples[i];
  }
  return weighted / total / rate;
}

/** A 440 Hz burst from 0.5 s to 1.0 s inside 2 s of silence. */
function toneBurst(): Float32Array {
  const out = new Float32Array(2 * RATE);
  out.set(sine(440, RATE, 0.5, 0.5), 0.5 * RATE);
  return out;
}

function randomMatrix(bins: number, frames: number, seed: number): FeatureMatrix {
  const random = new Random(seed);
  const data = new Float32Array(bins * frames);
  for (let i = 0; i < data.length; i++) data[i] = random.uniform(-80, 0);
  return { bins, frames, data };
}

function assertUsageError(spec: string, pattern: RegExp): void {
  assert.throws(
    () => parseAugmentSpec(spec),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, `expected UsageError for "${spec}", got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('addNoise', () => {
  const shortRecording = pinkNoise(0.3 * RATE, new Random(11));
  const longRecording = whiteNoise(4 * RATE, new Random(12));
  const sources = { white: 'white', pink: 'pink', 'short recording': shortRecording, 'long recording': longRecording } as const;
  for (const [name, noise] of Object.entries(sources)) {
    it(`reaches the requested SNR within 0.5 dB with ${name} noise`, () => {
      for (const snrDb of [-5, 0, 10, 30]) {
        const noisy = addNoise(voice, { snrDb, noise }, new Random(snrDb + 100));
        assert.equal(noisy.length, voice.length);
        const measured = measuredSnrDb(voice, noisy);
        assert.ok(Math.abs(measured - snrDb) < 0.5, `${name} at ${snrDb} dB measured ${measured.toFixed(3)} dB`);
      }
    });
  }

  it('loops a short recording from a random offset', () => {
    const ramp = Float32Array.from({ length: 1000 }, (_, i) => i + 1);
    const offsets = new Set<number>();
    for (let seed = 1; seed <= 6; seed++) {
      const base = new Float32Array(2500).fill(0.5);
      const added = Array.from(addNoise(base, { snrDb: 0, noise: ramp }, new Random(seed)), (v) => v - 0.5);
      const wrap = added.findIndex((v, i) => i > 0 && v < added[i - 1]);
      const offset = 1000 - wrap;
      const scale = added[0] / ramp[offset % 1000];
      for (let i = 0; i < added.length; i++) assert.ok(Math.abs(added[i] - scale * ramp[(offset + i) % 1000]) < 1e-6);
      offsets.add(offset);
    }
    assert.ok(offsets.size > 1, 'the offset should vary with the seed');
  });

  it('cuts a long recording at a random offset', () => {
    const ramp = Float32Array.from({ length: 10000 }, (_, i) => i + 1);
    const offsets = new Set<number>();
    for (let seed = 1; seed <= 6; seed++) {
      const base = new Float32Array(2000).fill(0.5);
      const added = Array.from(addNoise(base, { snrDb: 0, noise: ramp }, new Random(seed)), (v) => v - 0.5);
      const scale = (added[1999] - added[0]) / 1999;
      const offset = Math.round(added[0] / scale) - 1;
      assert.ok(offset >= 0 && offset + 2000 <= 10000);
      for (let i = 0; i < added.length; i += 97) assert.ok(Math.abs(added[i] / scale - ramp[offset + i]) < 0.05);
      offsets.add(offset);
    }
    assert.ok(offsets.size > 1, 'the offset should vary with the seed');
  });

  it('returns silent input unchanged, as a copy', () => {
    const silent = new Float32Array(1000);
    const out = addNoise(silent, { snrDb: 10, noise: 'white' }, new Random(1));
    assert.notEqual(out, silent);
    assert.deepEqual(out, silent);
  });
});

describe('pinkNoise and whiteNoise', () => {
  it('pink noise falls by 3 dB per octave (±0.5 dB), white noise is flat', () => {
    const pink = spectralSlopeDbPerOctave(pinkNoise(16 * RATE, new Random(5)), RATE);
    const white = spectralSlopeDbPerOctave(whiteNoise(16 * RATE, new Random(5)), RATE);
    assert.ok(Math.abs(pink + 3) < 0.5, `pink slope ${pink.toFixed(2)} dB/octave`);
    assert.ok(Math.abs(white) < 0.5, `white slope ${white.toFixed(2)} dB/octave`);
  });
});

describe('applyGain and timeShift', () => {
  it('multiplies every sample by exactly 10^(dB/20)', () => {
    for (const db of [-12, -6, 0, 3.5]) {
      const out = applyGain(voice, db);
      const factor = 10 ** (db / 20);
      for (let i = 0; i < voice.length; i++) assert.equal(out[i], Math.fround(voice[i] * factor));
      assert.ok(Math.abs(10 * Math.log10(power(out) / power(voice)) - db) < 1e-4);
    }
  });

  it('shifts later and earlier by exactly the given samples, zero-filled, length kept', () => {
    const later = timeShift(voice, 100);
    const earlier = timeShift(voice, -100);
    assert.equal(later.length, voice.length);
    assert.equal(earlier.length, voice.length);
    for (let i = 0; i < 100; i++) assert.equal(later[i], 0);
    for (let i = 0; i + 100 < voice.length; i++) {
      assert.equal(later[i + 100], voice[i]);
      assert.equal(earlier[i], voice[i + 100]);
    }
    for (let i = voice.length - 100; i < voice.length; i++) assert.equal(earlier[i], 0);
    assert.deepEqual(timeShift(voice, voice.length), new Float32Array(voice.length));
    assert.throws(() => timeShift(voice, 1.5), RangeError);
  });
});

describe('timeStretch', () => {
  for (const rate of [0.8, 1.25]) {
    it(`rate ${rate} scales the duration by 1/rate and keeps a 440 Hz sine's pitch within 1%`, () => {
      const input = sine(440, RATE, 3, 0.5);
      const out = timeStretch(input, rate);
      assert.equal(out.length, Math.round(input.length / rate));
      const hz = peakHz(out, RATE);
      assert.ok(Math.abs(hz / 440 - 1) < 0.01, `peak at ${hz.toFixed(2)} Hz`);
      const middle = out.subarray(out.length / 4, (3 * out.length) / 4);
      const levelDb = 10 * Math.log10(power(middle) / power(input));
      assert.ok(Math.abs(levelDb) < 1.5, `level changed by ${levelDb.toFixed(2)} dB`);
    });

    it(`rate ${rate} moves a tone burst's timing by 1/rate`, () => {
      const burst = toneBurst();
      const centre = energyCentreSeconds(timeStretch(burst, rate), RATE);
      const expected = energyCentreSeconds(burst, RATE) / rate;
      assert.ok(Math.abs(centre / expected - 1) < 0.02, `centre at ${centre.toFixed(3)} s, expected ${expected.toFixed(3)} s`);
    });
  }
});

describe('pitchShift', () => {
  for (const semitones of [3, -5]) {
    it(`${semitones > 0 ? '+' : ''}${semitones} semitones moves 440 Hz to 440·2^(s/12) within 1%, length and timing kept`, () => {
      const input = sine(440, RATE, 3, 0.5);
      const out = pitchShift(input, RATE, semitones);
      assert.equal(out.length, input.length);
      const expected = 440 * 2 ** (semitones / 12);
      const hz = peakHz(out, RATE);
      assert.ok(Math.abs(hz / expected - 1) < 0.01, `peak at ${hz.toFixed(2)} Hz, expected ${expected.toFixed(2)} Hz`);
      const burst = toneBurst();
      const centre = energyCentreSeconds(pitchShift(burst, RATE, semitones), RATE);
      assert.ok(Math.abs(centre - energyCentreSeconds(burst, RATE)) < 0.02, `burst centre moved to ${centre.toFixed(3)} s`);
    });
  }
});

describe('reverb', () => {
  for (const rt60 of [0.3, 0.6, 1]) {
    it(`an impulse response for RT60 ${rt60} s decays by 60 dB in ${rt60} s (Schroeder, ±20%)`, () => {
      const ir = generateImpulseResponse(RATE, rt60, new Random(7));
      const measured = schroederRt60(ir, RATE);
      assert.ok(Math.abs(measured / rt60 - 1) < 0.2, `measured RT60 ${measured.toFixed(3)} s`);
      assert.ok(Math.abs(power(ir) * ir.length - 1) < 1e-4, 'unit energy');
    });
  }

  it('an impulse through a fully wet reverb comes out as a room response with the requested RT60', () => {
    const click = new Float32Array(RATE);
    click[100] = 0.8;
    const out = reverb(click, RATE, { rt60Seconds: 0.4, wetDry: 1 }, new Random(2));
    assert.equal(out.length, click.length);
    const measured = schroederRt60(out.subarray(100), RATE);
    assert.ok(Math.abs(measured / 0.4 - 1) < 0.2, `measured RT60 ${measured.toFixed(3)} s`);
  });

  it('keeps the length and peak level of a 3-s clip; wet 0 is the dry signal', () => {
    const clip = synthesizeVoice({ sampleRate: RATE, durationSeconds: 3 });
    const out = reverb(clip, RATE, { rt60Seconds: 0.8, wetDry: 0.3 }, new Random(1));
    assert.equal(out.length, clip.length);
    const peak = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(Math.abs(peak(out) / peak(clip) - 1) < 1e-5);
    const dry = reverb(clip, RATE, { rt60Seconds: 0.8, wetDry: 0 }, new Random(1));
    for (let i = 0; i < clip.length; i += 101) assert.ok(Math.abs(dry[i] - clip[i]) < 1e-6);
  });
});

describe('specAugment', () => {
  const options = { timeMasks: 3, maxTimeWidth: 20, freqMasks: 2, maxFreqWidth: 12 };

  it('masks exactly the drawn spans, with the requested counts and width bounds, filled with the mean', () => {
    const widths = { time: new Set<number>(), freq: new Set<number>() };
    for (let seed = 1; seed <= 40; seed++) {
      const matrix = randomMatrix(64, 200, seed);
      const original = matrix.data.slice();
      const masks = drawSpecAugmentMasks(64, 200, options, new Random(seed));
      const out = specAugment(matrix, options, new Random(seed));
      assert.deepEqual(matrix.data, original, 'input not mutated');
      assert.equal(masks.time.length, 3);
      assert.equal(masks.freq.length, 2);
      for (const span of masks.time) {
        assert.ok(span.width >= 0 && span.width <= 20 && span.start + span.width <= 200);
        widths.time.add(span.width);
      }
      for (const span of masks.freq) {
        assert.ok(span.width >= 0 && span.width <= 12 && span.start + span.width <= 64);
        widths.freq.add(span.width);
      }
      const mean = Math.fround(original.reduce((s, v) => s + v, 0) / original.length);
      for (let t = 0; t < 200; t++) {
        for (let b = 0; b < 64; b++) {
          const masked = masks.time.some((s) => t >= s.start && t < s.start + s.width) || masks.freq.some((s) => b >= s.start && b < s.start + s.width);
          assert.equal(out.data[t * 64 + b], masked ? mean : original[t * 64 + b]);
        }
      }
    }
    assert.ok(widths.time.has(0) || widths.time.has(1), 'narrow time masks occur');
    assert.ok(widths.time.has(20) && widths.freq.has(12), 'the widest masks occur');
    assert.ok([...widths.time].every((w) => w <= 20) && [...widths.freq].every((w) => w <= 12));
  });

  it('uses a fixed fill value and never masks beyond the matrix', () => {
    const matrix = randomMatrix(8, 10, 3);
    const out = specAugment(matrix, { timeMasks: 1, maxTimeWidth: 50, freqMasks: 0, maxFreqWidth: 0, fill: -100 }, new Random(4));
    const masked = out.data.filter((v) => v === -100).length;
    assert.equal(masked % 8, 0);
    assert.ok(masked <= 80);
  });
});

describe('mixup', () => {
  it('returns λ·a + (1−λ)·b for inputs and labels', () => {
    const a = sine(300, RATE, 0.1);
    const b = sine(700, RATE, 0.1, 0.2);
    const labelA = Float32Array.from([1, 0, 0, 0]);
    const labelB = Float32Array.from([0, 0, 0.5, 0.5]);
    const { samples, label } = mixup(a, b, labelA, labelB, 0.3);
    for (let i = 0; i < a.length; i++) assert.equal(samples[i], Math.fround(0.3 * a[i] + 0.7 * b[i]));
    assert.deepEqual(label, Float32Array.from([0.3, 0, 0.35, 0.35]));
    assert.throws(() => mixup(a, b.subarray(1), labelA, labelB, 0.5), RangeError);
    assert.throws(() => mixup(a, b, labelA, labelB, 1.5), RangeError);
  });

  for (const alpha of [0.2, 2]) {
    it(`sampleMixupLambda(${alpha}) follows Beta(α, α): inside (0, 1), mean 0.5, variance 1/(4(2α+1))`, () => {
      const random = new Random(9);
      const values = Array.from({ length: 20000 }, () => sampleMixupLambda(alpha, random));
      assert.ok(values.every((v) => v > 0 && v < 1));
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
      const expected = 1 / (4 * (2 * alpha + 1));
      assert.ok(Math.abs(mean - 0.5) < 0.015, `mean ${mean.toFixed(4)}`);
      assert.ok(Math.abs(variance / expected - 1) < 0.1, `variance ${variance.toFixed(4)}, expected ${expected.toFixed(4)}`);
    });
  }
});

describe('parseAugmentSpec and formatAugmentPlan', () => {
  it('reads the presets', () => {
    assert.deepEqual(parseAugmentSpec('none'), {});
    const light = parseAugmentSpec('light');
    assert.deepEqual(Object.keys(light).sort(), ['gain', 'noise', 'shift']);
    assert.deepEqual(light.noise, { p: 0.5, snrDb: { low: 20, high: 40 }, type: 'white' });
    const standard = parseAugmentSpec(' standard ');
    assert.deepEqual(Object.keys(standard).sort(), ['gain', 'noise', 'pitch', 'shift', 'specaugment', 'stretch']);
    assert.deepEqual(standard.noise?.snrDb, { low: 10, high: 30 });
    assert.equal(standard.noise?.p, 0.5);
    assert.equal(standard.pitch?.p, 0.3);
    assert.equal(standard.stretch?.p, 0.3);
    const strong = parseAugmentSpec('strong');
    for (const key of Object.keys(standard)) assert.ok(key in strong, `strong has ${key}`);
    assert.equal(strong.reverb?.p, 0.3);
    assert.ok(strong.mixup);
    assert.ok(strong.noise!.snrDb.low < standard.noise!.snrDb.low);
    assert.ok(strong.pitch!.semitones.high > standard.pitch!.semitones.high);
    assert.ok(strong.stretch!.rate.low < standard.stretch!.rate.low);
  });

  it('reads custom specs with defaults, ranges, single values and probabilities', () => {
    const plan = parseAugmentSpec('noise:snr=5..15:type=pink:p=0.7, pitch:semitones=-1..1, gain:db=3, shift, specaugment:time=1x10, mixup');
    assert.deepEqual(plan, {
      noise: { p: 0.7, snrDb: { low: 5, high: 15 }, type: 'pink' },
      pitch: { p: 1, semitones: { low: -1, high: 1 } },
      gain: { p: 1, db: { low: 3, high: 3 } },
      shift: { p: 1, maxSeconds: 0.2 },
      specaugment: { p: 1, timeMasks: 1, maxTimeWidth: 10, freqMasks: 2, maxFreqWidth: 12 },
      mixup: { p: 1, alpha: 0.2 },
    } satisfies AugmentPlan);
    assert.deepEqual(parseAugmentSpec('reverb,stretch'), {
      reverb: { p: 1, rt60Seconds: { low: 0.2, high: 0.8 }, wet: { low: 0.1, high: 0.4 } },
      stretch: { p: 1, rate: { low: 0.9, high: 1.1 } },
    });
    assert.deepEqual(parseAugmentSpec('noise:type=files:dir=C:\\noise\\room').noise, {
      p: 1,
      snrDb: { low: 10, high: 30 },
      type: 'files',
      dir: 'C:\\noise\\room',
    });
  });

  it('formats canonically and round-trips', () => {
    const specs = ['none', 'light', 'standard', 'strong', 'noise:type=files:dir=/data/noise:snr=0..1e-3', 'gain:db=-0.5..0.25:p=0.125'];
    for (const spec of specs) {
      const plan = parseAugmentSpec(spec);
      const text = formatAugmentPlan(plan);
      assert.deepEqual(parseAugmentSpec(text), plan, text);
      assert.equal(formatAugmentPlan(parseAugmentSpec(text)), text);
    }
    assert.equal(formatAugmentPlan(parseAugmentSpec('gain,shift')), formatAugmentPlan(parseAugmentSpec('shift:max=0.2 , gain:db=-6..6:p=1')));
    assert.equal(formatAugmentPlan({}), 'none');
    assert.equal(formatAugmentPlan(parseAugmentSpec('gain,stretch')), 'stretch:p=1:rate=0.9..1.1,gain:p=1:db=-6..6');
  });

  it('rejects bad specs with a UsageError naming the bad part', () => {
    assertUsageError('echo', /unknown augmentation step "echo".*steps: .*noise/);
    assertUsageError('noise:snr=30..10', /bad range "snr=30\.\.10" in step "noise": the low end 30 is above the high end 10/);
    assertUsageError('gain:db=loud', /bad range "db=loud" in step "gain": "loud" is not a number/);
    assertUsageError('shift:max=0x10', /bad number "max=0x10" in step "shift"/);
    assertUsageError('mixup:alpha=0', /bad number "alpha=0" in step "mixup": 0 must be above 0/);
    assertUsageError('noise:p=1.5', /bad number "p=1.5" in step "noise": 1.5 must be between 0 and 1/);
    assertUsageError('noise:level=3', /unknown option "level" in step "noise" \(options: p, snr, type, dir\)/);
    assertUsageError('noise:type=brown', /bad noise type "type=brown"/);
    assertUsageError('noise:type=files', /needs dir=FOLDER/);
    assertUsageError('specaugment:time=2by20', /bad mask size "time=2by20".*COUNTxWIDTH/);
    assertUsageError('gain,gain', /step "gain" appears twice/);
    assertUsageError('gain:db=1:db=2', /option "db" is given twice/);
    assertUsageError('gain:db', /bad part "db" in step "gain:db"/);
    assertUsageError('standard,reverb', /preset "standard" must be the whole augmentation spec/);
    assertUsageError('gain,,shift', /empty step/);
    assertUsageError('  ', /empty augmentation spec/);
  });
});

describe('augmentWaveform and augmentFeatures', () => {
  const strong = parseAugmentSpec('strong');
  const everything = parseAugmentSpec('stretch,pitch,reverb,shift,noise:type=pink,gain');

  it('gives identical output for the same seed and different output for another, without touching the input', () => {
    const input = voice.slice();
    const first = augmentWaveform(voice, RATE, everything, new Random(42));
    const again = augmentWaveform(voice, RATE, everything, new Random(42));
    const other = augmentWaveform(voice, RATE, everything, new Random(43));
    assert.deepEqual(again, first);
    assert.notDeepEqual(other, first);
    assert.deepEqual(voice, input);
    for (let seed = 0; seed < 5; seed++) augmentWaveform(voice, RATE, strong, new Random(seed));
    assert.deepEqual(voice, input);
  });

  it('applies a single fixed step exactly and skips steps with p=0', () => {
    assert.deepEqual(augmentWaveform(voice, RATE, parseAugmentSpec('gain:db=-6'), new Random(1)), applyGain(voice, -6));
    const skipped = augmentWaveform(voice, RATE, parseAugmentSpec('gain:p=0,noise:p=0,stretch:p=0'), new Random(1));
    assert.notEqual(skipped, voice);
    assert.deepEqual(skipped, voice);
    assert.equal(augmentWaveform(voice, RATE, parseAugmentSpec('stretch:rate=1.25'), new Random(1)).length, Math.round(voice.length / 1.25));
  });

  it('uses the noise bank for type=files and needs one', () => {
    const plan = parseAugmentSpec('noise:type=files:dir=unused:snr=10');
    assert.throws(() => augmentWaveform(voice, RATE, plan, new Random(1)), UsageError);
    const out = augmentWaveform(voice, RATE, plan, new Random(1), [sine(50, RATE, 0.2)]);
    assert.ok(Math.abs(measuredSnrDb(voice, out) - 10) < 0.5);
  });

  it('masks features with SpecAugment, deterministically, without touching the input', () => {
    const matrix = randomMatrix(40, 120, 8);
    const original = matrix.data.slice();
    const plan = parseAugmentSpec('specaugment:time=2x20:freq=2x10');
    const a = augmentFeatures(matrix, plan, new Random(5));
    assert.deepEqual(augmentFeatures(matrix, plan, new Random(5)), a);
    assert.notDeepEqual(a.data, original);
    assert.deepEqual(matrix.data, original);
    assert.deepEqual(augmentFeatures(matrix, parseAugmentSpec('none'), new Random(5)).data, original);
  });

  it('leaves every waveform function\'s input untouched', () => {
    const input = voice.slice();
    addNoise(voice, { snrDb: 5, noise: 'pink' }, new Random(1));
    applyGain(voice, 6);
    timeShift(voice, 300);
    timeStretch(voice, 1.1);
    pitchShift(voice, RATE, 2);
    reverb(voice, RATE, { rt60Seconds: 0.5, wetDry: 0.5 }, new Random(1));
    mixup(voice, input, Float32Array.of(1, 0), Float32Array.of(0, 1), 0.4);
    assert.deepEqual(voice, input);
  });
});

describe('loadNoiseBank', () => {
  it('loads every WAV in the folder, resampled, and skips bad or silent files with the reason', () => {
    const dir = tempDir('voice-emotion-noise-');
    fs.writeFileSync(path.join(dir, 'a-hum.wav'), encodeWav(sine(100, 48000, 0.5), 48000));
    fs.writeFileSync(path.join(dir, 'B-HISS.WAV'), encodeWav(whiteNoise(8000, new Random(1)).map((v) => v * 0.1), 16000));
    fs.writeFileSync(path.join(dir, 'broken.wav'), 'not a wav file at all');
    fs.writeFileSync(path.join(dir, 'silent.wav'), encodeWav(new Float32Array(1000), 16000));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const bank = loadNoiseBank(dir, RATE);
    assert.equal(bank.noises.length, 2);
    assert.deepEqual(bank.files.map((f) => path.basename(f)), ['B-HISS.WAV', 'a-hum.wav']);
    assert.equal(bank.noises[1].length, 8000);
    assert.deepEqual(bank.skipped.map((s) => path.basename(s.file)), ['broken.wav', 'silent.wav']);
    assert.ok(bank.skipped.every((s) => s.problem.length > 0));
    assert.match(bank.skipped[1].problem, /silent/);
    assert.throws(() => loadNoiseBank(path.join(dir, 'missing'), RATE), FileError);
  });
});
