/** Prosodic features against synthetic signals whose F0, jitter, shimmer and noise level are known by construction. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { resolveFeatureConfig, type FeatureConfig } from '../../src/core/audio/config';
import { computeFeatures, prepareClip } from '../../src/core/audio/features';
import { toBinsMajor } from '../../src/core/audio/matrix';
import { appendProsodyRows, fileProsody, PROSODY_ROWS, prosodyContours, prosodySummary, type ProsodySummary } from '../../src/core/audio/prosody';
import { frameCount } from '../../src/core/audio/stft';
import { readWav } from '../../src/core/audio/wav';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { loadBundle } from '../../src/core/bundle/bundle';
import { readCacheEntry } from '../../src/core/cache/entry';
import { featureConfigHash, stableHash } from '../../src/core/cache/keys';
import { preprocessDataset } from '../../src/core/cache/preprocess';
import { loadDataset } from '../../src/core/dataset';
import { FileError, UsageError } from '../../src/core/errors';
import { classifyFile, predictMatrices } from '../../src/core/infer/classify';
import { buildModel } from '../../src/core/models';
import { Random } from '../../src/core/random';
import { synthesizeVoice } from '../../src/core/synth/voice';
import { resolveTrainConfig } from '../../src/core/train/run';
import { initBackend } from '../../src/core/tf/backend';
import { MIME, type TableJson } from '../../src/shared/mime';
import type { SpectrogramView } from '../../src/shared/panelProtocol';
import { prosodyTableRows } from '../../src/shared/prosodyView';
import type { CellEvent } from '../../src/shared/workerProtocol';
import { featureAxis, frequencyPosition } from '../../src/webview/panel/model';
import { spectrogramOfSamples } from '../../src/worker/notebook/clips';
import { NotebookKernel } from '../../src/worker/notebook/kernel';
import { runCli, sine, tempDir } from '../helpers';
import { saveTestBundle } from '../helpers/bundles';

const RATE = 16000;
const CONFIG = resolveFeatureConfig();

/**
 * Rosenberg glottal pulses of one fixed shape (opening 40%, closing 16% of the mean period), pulse k starting at the
 * sum of the first k periods (fractional samples; the pulse is evaluated in continuous time) with peak amplitudes[k].
 * The shape does not follow each period, so the distance between pulses is the period, unambiguously.
 */
function pulseTrain(periods: readonly number[], amplitudes: readonly number[] = periods.map(() => 0.5)): Float32Array {
  const mean = periods.reduce((sum, p) => sum + p, 0) / periods.length;
  const opening = 0.4 * mean;
  const closing = 0.16 * mean;
  const out = new Float32Array(Math.ceil(periods.reduce((sum, p) => sum + p, 0) + mean));
  let start = 0;
  periods.forEach((period, k) => {
    for (let i = Math.ceil(start); i < start + opening + closing && i < out.length; i++) {
      const x = i - start;
      out[i] += amplitudes[k] * (x < opening ? 0.5 * (1 - Math.cos((Math.PI * x) / opening)) : Math.cos((Math.PI * (x - opening)) / (2 * closing)));
    }
    start += period;
  });
  return out;
}

/** Mean absolute difference of consecutive values / their mean, in % (the definition of local jitter and shimmer). */
function localPerturbation(values: readonly number[]): number {
  let diff = 0;
  for (let i = 1; i < values.length; i++) diff += Math.abs(values[i] - values[i - 1]);
  return (100 * (diff / (values.length - 1))) / (values.reduce((sum, v) => sum + v, 0) / values.length);
}

/** Mean |20·log10| of the ratio of consecutive values, in dB. */
function localRatioDb(values: readonly number[]): number {
  let sum = 0;
  for (let i = 1; i < values.length; i++) sum += Math.abs(20 * Math.log10(values[i] / values[i - 1]));
  return sum / (values.length - 1);
}

/** `count` periods of `f0Hz` at 16 kHz, each scaled by (1 + deviation(k)). */
function periodsOf(f0Hz: number, count: number, deviation: (k: number) => number = () => 0): number[] {
  return Array.from({ length: count }, (_, k) => (RATE / f0Hz) * (1 + deviation(k)));
}

/** Sum of the first five harmonics of f0 (amplitudes 1/k) plus white Gaussian noise at `snrDb` (none when Infinity). */
function harmonicsWithNoise(f0Hz: number, seconds: number, snrDb: number, seed = 7): Float32Array {
  const harmonic = new Float64Array(Math.round(seconds * RATE));
  let power = 0;
  for (let i = 0; i < harmonic.length; i++) {
    for (let k = 1; k <= 5; k++) harmonic[i] += Math.sin((2 * Math.PI * k * f0Hz * i) / RATE + k) / k;
    power += harmonic[i] ** 2;
  }
  power /= harmonic.length;
  const random = new Random(seed);
  const noiseRms = Number.isFinite(snrDb) ? Math.sqrt(power / 10 ** (snrDb / 10)) : 0;
  return Float32Array.from(harmonic, (v) => 0.2 * (v + noiseRms * random.normal()));
}

function within(actual: number | null, expected: number, tolerance: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

describe('F0 (YIN) and voicing', () => {
  for (const f0 of [100, 150, 220, 330]) {
    it(`finds ${f0} Hz in a pure tone and in a glottal pulse train, in every frame, within 1%`, () => {
      for (const [signal, samples] of [
        ['tone', sine(f0, RATE, 2)],
        ['pulse train', pulseTrain(periodsOf(f0, 2 * f0))],
      ] as const) {
        const contours = prosodyContours(samples, CONFIG);
        const voiced = Array.from(contours.f0Hz).filter((_, t) => contours.voiced[t]);
        assert.ok(voiced.length >= 0.95 * contours.frames, `${signal}: ${voiced.length} of ${contours.frames} frames voiced`);
        for (const hz of voiced) within(hz, f0, 0.01 * f0, `${signal} frame F0`);
        const summary = prosodySummary(samples, CONFIG, {}, contours);
        within(summary.f0MeanHz, f0, 0.002 * f0, `${signal} mean F0`);
        assert.ok(summary.f0StdSemitones! < 0.05, `${signal}: F0 spread ${summary.f0StdSemitones} semitones`);
      }
    });
  }

  it('follows glides between 100 and 300 Hz frame by frame, in time with the STFT frame centres', () => {
    const n = 2 * RATE;
    for (const [from, to] of [
      [100, 300],
      [300, 100],
    ]) {
      const what = `${from}→${to} Hz`;
      // F0 moves exponentially, so the sample at which the glide has a given F0 follows from its logarithm.
      const frequencyAt = (i: number) => from * (to / from) ** (i / n);
      const sampleOf = (hz: number) => (n * Math.log(hz / from)) / Math.log(to / from);
      const glide = new Float32Array(n);
      let phase = 0;
      for (let i = 0; i < n; i++) {
        glide[i] = 0.5 * Math.sin(phase);
        phase += (2 * Math.PI * frequencyAt(i)) / RATE;
      }
      const contours = prosodyContours(glide, CONFIG);
      let voiced = 0;
      const offsets: number[] = [];
      for (let t = 0; t < contours.frames; t++) {
        if (!contours.voiced[t]) continue;
        voiced++;
        const centre = t * CONFIG.hopLength;
        within(contours.f0Hz[t], frequencyAt(Math.min(n - 1, centre)), 0.02 * frequencyAt(Math.min(n - 1, centre)), `${what}, frame ${t}`);
        // Away from the ends (50 ms, more than the longest analysis span) each F0 must be the glide's at the frame centre.
        if (centre >= 0.05 * RATE && centre <= n - 0.05 * RATE) offsets.push(sampleOf(contours.f0Hz[t]) - centre);
      }
      assert.ok(voiced >= 0.95 * contours.frames, `${what}: ${voiced} of ${contours.frames} frames voiced`);
      assert.ok(offsets.length >= 0.9 * contours.frames, `${what}: ${offsets.length} interior frames voiced`);
      // A contour running a third of a hop (85 samples, 5.3 ms) early or late fails both limits.
      const meanOffset = offsets.reduce((sum, o) => sum + o, 0) / offsets.length;
      within(meanOffset, 0, CONFIG.hopLength / 16, `${what}: mean time offset (samples) of the F0 contour`);
      offsets.forEach((offset, i) => within(offset, 0, CONFIG.hopLength / 8, `${what}: time offset (samples) of interior frame ${i}`));
      const summary = prosodySummary(glide, CONFIG, {}, contours);
      within(summary.f0MinHz, 100, 3, `${what}: lowest F0`);
      within(summary.f0MaxHz, 300, 9, `${what}: highest F0`);
      // log2(3) octaves spread evenly: the standard deviation of a uniform range of 12·log2(3) semitones.
      within(summary.f0StdSemitones, (12 * Math.log2(3)) / Math.sqrt(12), 0.3, `${what}: F0 spread`);
    }
  });

  it('finds no voice in silence or in white noise', () => {
    const silence = prosodySummary(new Float32Array(RATE), CONFIG);
    assert.equal(silence.voicedFraction, 0);
    assert.equal(silence.f0MeanHz, null);
    assert.equal(silence.energyMeanDb, null);
    assert.equal(silence.jitterLocalPercent, null);
    assert.equal(silence.hnrMeanDb, null);
    const random = new Random(5);
    const noise = Float32Array.from({ length: 2 * RATE }, () => 0.2 * random.normal());
    const summary = prosodySummary(noise, CONFIG);
    assert.ok(summary.voicedFraction < 0.05, `${summary.voicedFraction} of noise frames voiced`);
    within(summary.energyMeanDb, 20 * Math.log10(0.2), 0.5, 'noise level');
  });

  it('gives a synthetic voice the F0 it was made with', () => {
    for (const f0 of [120, 250]) {
      // A flat contour: only the built-in declination of 1.5 semitones moves the pitch (mean 0.75 semitones down).
      const voice = synthesizeVoice({ sampleRate: RATE, durationSeconds: 2, f0Hz: f0, f0RangeSemitones: 0, seed: 3 });
      const summary = prosodySummary(voice, CONFIG);
      const expected = f0 * 2 ** (-0.75 / 12);
      within(summary.f0MeanHz, expected, 0.05 * expected, `voice at ${f0} Hz`);
      assert.ok(summary.voicedFraction > 0.6, `voiced ${summary.voicedFraction}`);
    }
  });
});

describe('jitter and shimmer from glottal cycles', () => {
  for (const f0 of [120, 220]) {
    it(`measures the period jitter a ${f0}-Hz pulse train was made with`, () => {
      const count = 2 * f0;
      const alternating = periodsOf(f0, count, (k) => (k % 2 ? 0.01 : -0.01));
      const random = new Random(f0);
      const gaussian = periodsOf(f0, count, () => 0.02 * random.normal());
      for (const [what, periods] of [
        ['alternating ±1%', alternating],
        ['random 2%', gaussian],
      ] as const) {
        const truth = localPerturbation(periods);
        const summary = prosodySummary(pulseTrain(periods), CONFIG);
        within(summary.jitterLocalPercent, truth, 0.1 * truth, `${what} jitter`);
        assert.ok(summary.cycles >= 0.9 * count, `${what}: ${summary.cycles} of ${count} cycles`);
        assert.ok(summary.shimmerLocalPercent! < 0.5, `${what}: shimmer ${summary.shimmerLocalPercent}% with constant amplitudes`);
      }
      const periodic = prosodySummary(pulseTrain(periodsOf(f0, count)), CONFIG);
      assert.ok(periodic.jitterLocalPercent! < 0.1, `periodic train: jitter ${periodic.jitterLocalPercent}%`);
    });

    it(`measures the amplitude shimmer a ${f0}-Hz pulse train was made with`, () => {
      const random = new Random(3 * f0);
      const amplitudes = Array.from({ length: 2 * f0 }, () => 0.5 * (1 + 0.05 * random.normal()));
      const summary = prosodySummary(pulseTrain(periodsOf(f0, amplitudes.length), amplitudes), CONFIG);
      within(summary.shimmerLocalPercent, localPerturbation(amplitudes), 0.1 * localPerturbation(amplitudes), 'shimmer (%)');
      within(summary.shimmerLocalDb, localRatioDb(amplitudes), 0.1 * localRatioDb(amplitudes), 'shimmer (dB)');
      assert.ok(summary.jitterLocalPercent! < 0.1, `jitter ${summary.jitterLocalPercent}% with constant periods`);
    });
  }
});

describe('harmonics-to-noise ratio', () => {
  it('grows with the signal-to-noise ratio, matches it, and is high for a clean signal', () => {
    for (const f0 of [123, 200]) {
      const levels = [5, 10, 20, 30];
      const hnr = levels.map((snr) => prosodySummary(harmonicsWithNoise(f0, 1.5, snr), CONFIG).hnrMeanDb!);
      for (let i = 1; i < hnr.length; i++) assert.ok(hnr[i] > hnr[i - 1] + 3, `${f0} Hz: HNR ${hnr.join(', ')} dB for SNR ${levels.join(', ')} dB`);
      levels.forEach((snr, i) => within(hnr[i], snr, 1.5, `${f0} Hz at SNR ${snr} dB`));
      assert.ok(prosodySummary(harmonicsWithNoise(f0, 1.5, Infinity), CONFIG).hnrMeanDb! > 45);
    }
  });
});

describe('prosody frames line up with the spectrogram', () => {
  it('has exactly one value per STFT frame, whatever the length and framing', () => {
    const configs: FeatureConfig[] = [
      CONFIG,
      resolveFeatureConfig({ center: false }),
      resolveFeatureConfig({ nFft: 512, hopLength: 160, winLength: 400 }),
      resolveFeatureConfig({ sampleRate: 8000, nFft: 256, hopLength: 80 }),
    ];
    for (const config of configs) {
      for (const length of [10, 700, 1000, 16000, 48037]) {
        const samples = sine(180, config.sampleRate, length / config.sampleRate);
        const contours = prosodyContours(samples, config);
        const stftFrames = frameCount(samples.length, config);
        assert.equal(contours.frames, stftFrames, `${length} samples, hop ${config.hopLength}, centred ${config.center}`);
        assert.equal(computeFeatures(samples, 'logmel', config).frames, stftFrames);
        for (const contour of [contours.f0Hz, contours.voiced, contours.energyDb, contours.hnrDb]) assert.equal(contour.length, stftFrames);
      }
    }
  });

  it('energy is the RMS level in dB re full scale', () => {
    const contours = prosodyContours(sine(300, RATE, 1, 0.5), CONFIG);
    // A sine of peak 0.5 has RMS 0.5/√2: −9.03 dB. Interior frames see whole windows.
    for (let t = 5; t < contours.frames - 5; t++) within(contours.energyDb[t], 20 * Math.log10(0.5 / Math.SQRT2), 0.1, `frame ${t}`);
  });
});

describe('prosody as model inputs', () => {
  it('appends F0, voicing, energy and HNR rows when the feature configuration asks for them', () => {
    const config = resolveFeatureConfig({ prosody: true });
    const tone = sine(220, RATE, 1);
    for (const kind of ['logmel', 'mfcc'] as const) {
      const plain = computeFeatures(tone, kind, CONFIG);
      const withProsody = computeFeatures(tone, kind, config);
      assert.equal(withProsody.bins, plain.bins + PROSODY_ROWS.length);
      assert.equal(withProsody.frames, plain.frames);
      const rows = toBinsMajor(withProsody);
      assert.deepEqual(rows.slice(0, plain.bins), toBinsMajor(plain));
      const [f0, voicing, energy] = rows.slice(plain.bins);
      // 220 Hz is A3, exactly 36 semitones above A0 = 27.5 Hz.
      for (let t = 2; t < plain.frames - 2; t++) {
        assert.equal(voicing[t], 1);
        within(f0[t], 36, 0.05, `F0 row, frame ${t}`);
        within(energy[t], 20 * Math.log10(0.5 / Math.SQRT2), 0.1, `energy row, frame ${t}`);
      }
    }
    assert.throws(() => appendProsodyRows(computeFeatures(tone, 'logmel', CONFIG), prosodyContours(tone.subarray(0, 8000), CONFIG)), /frames/);
  });

  it('keeps existing cache keys: the setting is part of the key only when on', () => {
    assert.equal('prosody' in resolveFeatureConfig({ prosody: false }), false);
    assert.equal(featureConfigHash(resolveFeatureConfig({ prosody: false }), 'logmel'), featureConfigHash(resolveFeatureConfig(), 'logmel'));
    assert.notEqual(featureConfigHash(resolveFeatureConfig({ prosody: true }), 'logmel'), featureConfigHash(resolveFeatureConfig(), 'logmel'));
    assert.throws(() => resolveFeatureConfig({ prosody: 'yes' as unknown as boolean }), UsageError);
  });

  it('keeps run keys and run records: a training configuration carries the setting only when on', () => {
    const features = { nMels: 32, clipSeconds: 1 };
    const without = resolveTrainConfig({ arch: 'cnn', features });
    const off = resolveTrainConfig({ arch: 'cnn', features: { ...features, prosody: false } });
    assert.deepEqual(off.features, features);
    assert.equal(stableHash(off), stableHash(without));
    const on = resolveTrainConfig({ arch: 'cnn', features: { ...features, prosody: true } });
    assert.deepEqual(on.features, { ...features, prosody: true });
    assert.notEqual(stableHash(on), stableHash(without));
  });

  describe('cache and classification', () => {
    const root = path.join(tempDir(), 'folders');
    const config = resolveFeatureConfig({ prosody: true, nMels: 16, clipSeconds: 1 });

    before(async () => {
      for (const [label, f0s] of [
        ['calm', [110, 130]],
        ['angry', [210, 260]],
      ] as const) {
        fs.mkdirSync(path.join(root, label), { recursive: true });
        for (const f0 of f0s) fs.writeFileSync(path.join(root, label, `${f0}.wav`), encodeWav(pulseTrain(periodsOf(f0, f0)), RATE));
      }
      await initBackend('cpu');
    });

    it('caches the rows, and a model trained on them classifies with the same rows', async () => {
      const report = await preprocessDataset(loadDataset(root), { cacheDir: path.join(tempDir(), 'cache'), threads: 0, config });
      assert.equal(report.config.prosody, true);
      assert.equal(report.examples.length, 4);
      const file = path.join(root, 'angry', '210.wav');
      const entry = readCacheEntry(report.examples.find((e) => e.id.endsWith('210.wav'))!.file);
      assert.equal(entry.features.bins, 16 + PROSODY_ROWS.length);
      const f0Row = toBinsMajor(entry.features)[16];
      const voicedF0 = f0Row.filter((v) => v > 0);
      assert.ok(voicedF0.length > 0.8 * entry.features.frames);
      for (const semitones of voicedF0) within(semitones, 12 * Math.log2(210 / 27.5), 0.2, 'cached F0 row');

      const dir = path.join(tempDir(), 'model');
      const inputShape: [number, number, number] = [entry.features.bins, entry.features.frames, 1];
      const model = buildModel('cnn', { inputShape, numClasses: 2, seed: 1 });
      await saveTestBundle(dir, model, { arch: 'cnn', labels: ['angry', 'calm'], config, inputShape, purpose: 'prosody inputs', datasetRoot: root });
      model.dispose();
      const tensors = tf.memory().numTensors;
      const bundle = await loadBundle(dir);
      assert.equal(bundle.meta.feature.config.prosody, true);
      const result = classifyFile(bundle, file);
      const clip = prepareClip(readWav(file, { targetRate: RATE }).samples, config).samples;
      const expected = predictMatrices(bundle, [computeFeatures(clip, 'logmel', config)]);
      assert.deepEqual(Object.values(result.probabilities), Array.from(expected));
      within(Object.values(result.probabilities).reduce((sum, p) => sum + p, 0), 1, 1e-5, 'probabilities');
      bundle.model.dispose();
      assert.equal(tf.memory().numTensors, tensors);
    });
  });
});

describe('prosody of files, views, the notebook and the CLI', () => {
  const dir = tempDir();
  const pulses = path.join(dir, 'pulses-150.wav');
  const tone = path.join(dir, 'tone-220.wav');
  const bad = path.join(dir, 'broken.wav');
  const periods = periodsOf(150, 300, (k) => (k % 2 ? 0.01 : -0.01));

  before(() => {
    fs.writeFileSync(pulses, encodeWav(pulseTrain(periods), RATE));
    fs.writeFileSync(tone, encodeWav(sine(220, 48000, 1.5), 48000));
    fs.writeFileSync(bad, Buffer.from('RIFF\x04\x00\x00\x00WAVEjunk'));
  });

  it('fileProsody reads and resamples the whole file; a broken file is named in the error', () => {
    const result = fileProsody(tone);
    assert.equal(result.info.sampleRate, 48000);
    assert.equal(result.contours.frames, frameCount(1.5 * RATE, CONFIG));
    within(result.summary.f0MeanHz, 220, 1, 'F0 after resampling');
    within(result.summary.durationSeconds, 1.5, 1e-9, 'duration');
    assert.throws(
      () => fileProsody(bad),
      (error: unknown) => error instanceof FileError && error.file === bad,
    );
    assert.throws(() => fileProsody(tone, {}, { fMinHz: 400, fMaxHz: 300 }), UsageError);
  });

  it('the spectrogram view carries the contours, one per column, and a summary; its heatmap never has the rows', () => {
    const samples = sine(220, RATE, 1);
    const view = spectrogramOfSamples(tone, samples, 'logmel', { prosody: true }, 500);
    assert.equal(view.matrix.shape[0], 128);
    const prosody = view.prosody!;
    assert.equal(prosody.f0Hz.length, view.matrix.shape[1]);
    assert.equal(prosody.energyDb.length, view.matrix.shape[1]);
    assert.equal(prosody.hnrDb.length, view.matrix.shape[1]);
    within(prosody.summary.f0MeanHz, 220, 0.5, 'summary F0');
    // On the log-mel axis the F0 line lies where the bins' centre frequencies say 220 Hz is.
    const position = frequencyPosition(view)!(220);
    const values = featureAxis(view).values;
    const below = Math.floor(position);
    const interpolated = values[below] + (values[below + 1] - values[below]) * (position - below);
    within(interpolated, 220, 0.5, 'frequency at the F0 line');
    assert.equal(frequencyPosition(spectrogramOfSamples(tone, samples, 'mfcc', {}, 500)), undefined);
  });

  it('formats the summary for tables with units, and a dash where nothing was measured', () => {
    const summary = prosodySummary(pulseTrain(periods), CONFIG);
    const rows = new Map(prosodyTableRows(summary));
    assert.match(rows.get('F0 mean')!, /^150\.\d Hz$/);
    assert.equal(rows.get('Voiced frames'), `${(summary.voicedFraction * 100).toFixed(1)} %`);
    assert.match(rows.get('Jitter (local)')!, /^2\.0\d %$/);
    const silent: ProsodySummary = prosodySummary(new Float32Array(4000), CONFIG);
    assert.equal(new Map(prosodyTableRows(silent)).get('F0 mean'), '—');
  });

  it('emo.prosody shows a summary table and the spectrogram with the contours', async () => {
    const kernel = new NotebookKernel(dir);
    const events: CellEvent[] = [];
    const result = await kernel.execute({ code: 'const p = emo.prosody("pulses-150.wav"); p', language: 'typescript', cellLabel: 'cell 1' }, new AbortController().signal, (event) => {
      events.push(event);
    });
    assert.deepEqual(result, { success: true });
    const items = events.flatMap((e) => (e.type === 'display' ? e.items : []));
    const table = items.find((i) => i.mime === MIME.table)?.data as TableJson;
    const view = items.find((i) => i.mime === MIME.spectrogram)?.data as SpectrogramView;
    assert.ok(table && view, `outputs: ${items.map((i) => i.mime).join(', ')}`);
    assert.match(String(table.rows.find((row) => row[0] === 'Jitter (local)')?.[1]), /^2\.0\d %$/);
    within(view.prosody!.summary.f0MeanHz, 150, 0.5, 'notebook F0');
    const later: CellEvent[] = [];
    await kernel.execute({ code: 'p.jitterLocalPercent', language: 'typescript', cellLabel: 'cell 2' }, new AbortController().signal, (event) => {
      later.push(event);
    });
    const shown = later.flatMap((e) => (e.type === 'display' ? e.items.filter((i) => i.mime === 'text/plain').map((i) => Number(i.data)) : []));
    assert.equal(shown.length, 1);
    within(shown[0], localPerturbation(periods), 0.1 * localPerturbation(periods), 'jitter returned to the notebook');
  });

  it('voice-emotion prosody prints JSON per file, writes a CSV, and names a broken file (exit 1)', () => {
    const csv = path.join(dir, 'out', 'prosody.csv');
    fs.mkdirSync(path.dirname(csv));
    const result = runCli(['prosody', pulses, bad, tone, '--json', '--csv', csv]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { file: string } & ProsodySummary);
    assert.deepEqual(
      lines.map((l) => l.file),
      [pulses, tone],
    );
    within(lines[0].f0MeanHz, 150, 0.5, 'CLI F0 of the pulse train');
    within(lines[0].jitterLocalPercent, localPerturbation(periods), 0.1 * localPerturbation(periods), 'CLI jitter');
    within(lines[1].f0MeanHz, 220, 1, 'CLI F0 of the tone');
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(rows.length, 4);
    assert.match(rows[0], /^file,durationSeconds,f0MeanHz,.*,error$/);
    assert.match(rows[2], /^.*broken\.wav,(,)+.+$/);
    assert.equal(rows[1].split(',').length, rows[0].split(',').length);
    const usage = runCli(['prosody', tone, '--fmin', '400', '--fmax', '300']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /F0 floor/);
  });
});
