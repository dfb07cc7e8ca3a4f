import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hzToMel, melFrequencies } from '../../src/core/audio/mel';
import type { ClassifyRowView, EpochView, MetricsView, RunSummary, SpectrogramView } from '../../src/shared/panelProtocol';
import {
  bestEpochOf,
  classRows,
  confusionCells,
  epochTickStep,
  featureAxis,
  featuredRow,
  formatCount,
  frequencyPosition,
  formatDuration,
  formatHz,
  formatPercent,
  frameTimes,
  metricsSummary,
  plotColor,
  rankedProbabilities,
  runCurves,
  sortRuns,
  timelineGroups,
  waveformEnvelope,
} from '../../src/webview/panel/model';

function epoch(epoch: number, validationUar: number, trainLoss = 1): EpochView {
  return {
    epoch,
    trainLoss,
    trainAccuracy: 0.5,
    validationLoss: 1.1,
    validationAccuracy: 0.5,
    validationUar,
    learningRate: 1e-3,
    samplesPerSecond: 900,
    seconds: 12,
  };
}

// Three emotions: 6 angry clips (5 right), 10 sad (6 right), 4 neutral (all right).
const METRICS: MetricsView = {
  n: 20,
  accuracy: 15 / 20,
  uar: (5 / 6 + 6 / 10 + 4 / 4) / 3,
  macroF1: 0.7533,
  labels: ['angry', 'sad', 'neutral'],
  confusion: [
    [5, 1, 0],
    [2, 6, 2],
    [0, 0, 4],
  ],
  confusionNormalized: [
    [5 / 6, 1 / 6, 0],
    [0.2, 0.6, 0.2],
    [0, 0, 1],
  ],
  perClass: [
    { label: 'angry', precision: 5 / 7, recall: 5 / 6, f1: 10 / 13, support: 6 },
    { label: 'sad', precision: 6 / 7, recall: 0.6, f1: 12 / 17, support: 10 },
    { label: 'neutral', precision: 4 / 6, recall: 1, f1: 0.8, support: 4 },
  ],
};

function matrix(kind: 'logmel' | 'mfcc' | 'spectrogram', bins: number, frames: number): SpectrogramView['matrix'] {
  return { kind, sampleRate: 16000, hopLength: 256, shape: [bins, frames], data: Array.from({ length: bins }, () => new Array<number>(frames).fill(0)) };
}

function run(name: string, scores: { testUar?: number; validationUar?: number }, history: EpochView[] = []): RunSummary {
  return { name, modelDir: `/ws/models/${name}`, arch: 'cnn', createdAt: '2024-05-01T10:00:00Z', epochs: 30, bestEpoch: 7, augment: '', split: 'speaker', backend: 'wasm', history, active: false, ...scores };
}

describe('panel formatting', () => {
  it('formats percentages with one decimal and unknowns as a dash', () => {
    assert.equal(formatPercent(0.7534), '75.3%');
    assert.equal(formatPercent(1), '100.0%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(undefined), '—');
    assert.equal(formatPercent(Number.NaN), '—');
  });

  it('formats durations in words', () => {
    assert.equal(formatDuration(3.24), '3.2 s');
    assert.equal(formatDuration(42.4), '42 s');
    assert.equal(formatDuration(80), '1 min 20 s');
    assert.equal(formatDuration(59.6), '1 min');
    assert.equal(formatDuration(120), '2 min');
    assert.equal(formatDuration(3725), '1 h 2 min');
    assert.equal(formatDuration(7200), '2 h');
    assert.equal(formatDuration(undefined), '—');
    assert.equal(formatDuration(-1), '—');
  });

  it('formats counts and frequencies with thousands separators', () => {
    assert.equal(formatCount(1234.6), '1,235');
    assert.equal(formatHz(1249.7), '1,250 Hz');
    assert.equal(formatHz(23.4), '23 Hz');
  });

  it('turns 8- and 4-digit hex theme colours into rgba() for Plotly', () => {
    assert.equal(plotColor('#ff000080'), 'rgba(255, 0, 0, 0.502)');
    assert.equal(plotColor('#0f08'), 'rgba(0, 255, 0, 0.533)');
    assert.equal(plotColor(' #1e1e1e '), '#1e1e1e');
    assert.equal(plotColor('rgba(1, 2, 3, 0.5)'), 'rgba(1, 2, 3, 0.5)');
  });
});

describe('best epoch', () => {
  const history = [epoch(0, 0.3), epoch(1, 0.52), epoch(2, 0.52), epoch(3, 0.41)];

  it('takes the declared best epoch when the history has it', () => {
    assert.equal(bestEpochOf(history, 2)?.epoch, 2);
  });

  it('otherwise takes the first epoch with the highest validation UAR', () => {
    assert.equal(bestEpochOf(history)?.epoch, 1);
    assert.equal(bestEpochOf(history, 9)?.epoch, 1);
    assert.equal(bestEpochOf([]), undefined);
  });
});

describe('metrics shaping', () => {
  it('puts row fractions as colour and counts as text in a 3-class confusion matrix', () => {
    const cells = confusionCells(METRICS);
    assert.deepEqual(cells.truth, ['angry', 'sad', 'neutral']);
    assert.deepEqual(cells.predicted, ['angry', 'sad', 'neutral']);
    assert.deepEqual(cells.counts, [
      ['5', '1', '0'],
      ['2', '6', '2'],
      ['0', '0', '4'],
    ]);
    assert.deepEqual(cells.fractions[1], [0.2, 0.6, 0.2]);
    assert.equal(cells.fractions[0][0], 5 / 6);
    assert.equal(cells.hover[1][2], 'True: sad<br>Predicted: neutral<br>2 clips (20.0% of sad)');
    assert.equal(cells.hover[0][1], 'True: angry<br>Predicted: sad<br>1 clip (16.7% of angry)');
  });

  it('formats per-class rows and the summary', () => {
    assert.deepEqual(classRows(METRICS), [
      { label: 'angry', precision: '71.4%', recall: '83.3%', f1: '76.9%', support: '6' },
      { label: 'sad', precision: '85.7%', recall: '60.0%', f1: '70.6%', support: '10' },
      { label: 'neutral', precision: '66.7%', recall: '100.0%', f1: '80.0%', support: '4' },
    ]);
    assert.deepEqual(metricsSummary(METRICS), [
      { name: 'Accuracy', value: '75.0%' },
      { name: 'UAR', value: '81.1%' },
      { name: 'Macro-F1', value: '75.3%' },
      { name: 'Files', value: '20' },
    ]);
  });
});

describe('feature axes', () => {
  it('gives log-mel bands their Slaney centre frequencies between fMin and fMax', () => {
    const axis = featureAxis({ matrix: matrix('logmel', 128, 10), fMin: 0, fMax: 8000 });
    // Slaney: linear below 1 kHz (200/3 Hz per mel, 15 mel at 1 kHz), then log steps of ln(6.4)/27 per mel.
    const melStep = (15 + Math.log(8) / (Math.log(6.4) / 27)) / 129;
    assert.equal(axis.values.length, 128);
    assert.ok(Math.abs(axis.values[0] - (melStep * 200) / 3) < 1e-9);
    assert.equal(axis.labels[0], '23 Hz');
    for (let i = 1; i < axis.values.length; i++) assert.ok(axis.values[i] > axis.values[i - 1], `band ${i} rises`);
    const lastMel = 128 * melStep;
    assert.ok(Math.abs(axis.values[127] - 1000 * Math.exp((Math.log(6.4) / 27) * (lastMel - 15))) < 1e-6);
    assert.ok(axis.values[127] < 8000 && axis.values[127] > 7700);
    assert.equal(axis.title, 'Frequency (Hz, mel scale)');
    assert.equal(axis.unit, 'dB');
    // 50 and 100 Hz would crowd the 200 Hz tick (less than 128/14 bands apart) and are left out; 8 kHz is above the top band.
    assert.deepEqual(axis.ticktext, ['200', '500', '1k', '2k', '4k']);
    // 1 kHz is 15 mel: band index 15 / melStep - 1.
    assert.ok(Math.abs(axis.tickvals[2] - (15 / melStep - 1)) < 1e-9);
  });

  it('follows the HTK mel scale when the features use it', () => {
    const view = { matrix: matrix('logmel', 64, 10), fMin: 0, fMax: 8000, melScale: 'htk' as const };
    const axis = featureAxis(view);
    const htk = melFrequencies(66, 0, 8000, 'htk');
    const slaney = melFrequencies(66, 0, 8000, 'slaney');
    axis.values.forEach((hz, band) => assert.ok(Math.abs(hz - htk[band + 1]) < 1e-9, `band ${band}`));
    // The scales differ most in the low bands (HTK is logarithmic down to 0 Hz, Slaney linear below 1 kHz).
    assert.ok(Math.abs(axis.values[5] - slaney[6]) > 20, `band 5: ${axis.values[5]} Hz`);
    // 1 kHz lies where its HTK mel value falls between the band centres.
    const melsPerBand = hzToMel(8000, 'htk') / 65;
    assert.ok(Math.abs(frequencyPosition(view)!(1000) - (hzToMel(1000, 'htk') / melsPerBand - 1)) < 1e-9);
    assert.ok(Math.abs(axis.tickvals[axis.ticktext.indexOf('1k')] - (hzToMel(1000, 'htk') / melsPerBand - 1)) < 1e-9);
  });

  it('labels prosody rows after the spectral bins by name, with one tick', () => {
    const rows = ['F0 (semitones)', 'voicing', 'energy (dB)', 'HNR (dB)'];
    const axis = featureAxis({ matrix: matrix('logmel', 132, 10), fMin: 0, fMax: 8000, prosodyRows: rows });
    const bands = featureAxis({ matrix: matrix('logmel', 128, 10), fMin: 0, fMax: 8000 });
    assert.deepEqual(axis.values.slice(0, 128), bands.values);
    assert.ok(axis.values.slice(128).every(Number.isNaN));
    assert.deepEqual(axis.labels.slice(128), rows);
    assert.equal(axis.labels[127], bands.labels[127]);
    assert.deepEqual(axis.ticktext, ['200', '500', '1k', '2k', '4k', 'prosody']);
    assert.equal(axis.tickvals[axis.tickvals.length - 1], 129.5);
    // Up to 4.1 kHz, the 4 kHz tick lies just below the prosody rows and would crowd their tick.
    const low = featureAxis({ matrix: matrix('logmel', 132, 10), fMin: 0, fMax: 4100, prosodyRows: rows });
    assert.deepEqual(featureAxis({ matrix: matrix('logmel', 128, 10), fMin: 0, fMax: 4100 }).ticktext, ['200', '500', '1k', '2k', '4k']);
    assert.deepEqual(low.ticktext, ['200', '500', '1k', '2k', 'prosody']);
    const mfcc = featureAxis({ matrix: matrix('mfcc', 44, 10), prosodyRows: rows });
    assert.deepEqual(mfcc.labels.slice(38, 41), ['coefficient 38', 'coefficient 39', rows[0]]);
  });

  it('spaces linear-spectrogram bins evenly up to the Nyquist frequency', () => {
    const axis = featureAxis({ matrix: matrix('spectrogram', 513, 10), fMin: 0, fMax: 8000 });
    assert.equal(axis.values.length, 513);
    assert.equal(axis.values[0], 0);
    assert.equal(axis.values[1], 15.625);
    assert.equal(axis.values[512], 8000);
    assert.equal(axis.labels[512], '8,000 Hz');
    assert.deepEqual(axis.tickvals, [0, 64, 128, 192, 256, 320, 384, 448, 512]);
    assert.deepEqual(axis.ticktext, ['0', '1k', '2k', '3k', '4k', '5k', '6k', '7k', '8k']);
    assert.equal(axis.title, 'Frequency (Hz)');
  });

  it('numbers MFCC coefficients and shows plain values', () => {
    const axis = featureAxis({ matrix: matrix('mfcc', 40, 10) });
    assert.equal(axis.title, 'MFCC coefficient');
    assert.equal(axis.unit, '');
    assert.equal(axis.values[39], 39);
    assert.equal(axis.labels[3], 'coefficient 3');
    assert.deepEqual(axis.tickvals, [0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
  });

  it('times frames by hop length, or spreads them over the duration without one', () => {
    assert.deepEqual(frameTimes({ sampleRate: 16000, hopLength: 256, shape: [128, 4] }, 1), [0, 0.016, 0.032, 0.048]);
    assert.deepEqual(frameTimes({ sampleRate: 16000, shape: [128, 4] }, 1), [0, 0.25, 0.5, 0.75]);
  });

  it('places waveform envelope points at the start of the samples they cover', () => {
    const envelope = waveformEnvelope({ sampleRate: 16000, samplesPerPoint: 160, min: [-0.5, -0.25, -0.1], max: [0.5, 0.3, 0.2], durationSeconds: 0.03 });
    assert.deepEqual(envelope, { time: [0, 0.01, 0.02], min: [-0.5, -0.25, -0.1], max: [0.5, 0.3, 0.2] });
  });
});

describe('runs', () => {
  it('ticks whole epochs, about ten at most', () => {
    assert.equal(epochTickStep(4), 1);
    assert.equal(epochTickStep(10), 1);
    assert.equal(epochTickStep(30), 3);
    assert.equal(epochTickStep(0), 1);
  });

  it('sorts by test UAR, else validation UAR, descending, with unscored runs last', () => {
    const runs = [run('a', { testUar: 0.6, validationUar: 0.9 }), run('unscored', {}), run('b', { validationUar: 0.7 }), run('c', { testUar: 0.65 })];
    assert.deepEqual(
      sortRuns(runs).map((r) => r.name),
      ['b', 'c', 'a', 'unscored'],
    );
    assert.deepEqual(
      runs.map((r) => r.name),
      ['a', 'unscored', 'b', 'c'],
    );
  });

  it('gives one curve per run with a history', () => {
    const curves = runCurves([run('a', {}, [epoch(0, 0.3, 1.9), epoch(1, 0.4, 1.4)]), run('empty', {})], 'trainLoss');
    assert.deepEqual(curves, [{ name: 'a', epochs: [0, 1], values: [1.9, 1.4] }]);
  });
});

describe('classification', () => {
  const rows: ClassifyRowView[] = [
    { file: '/ws/broken.wav', name: 'broken.wav', error: 'not a WAV file' },
    {
      file: '/ws/talk.wav',
      name: 'talk.wav',
      label: 'happy',
      probabilities: { angry: 0.1, happy: 0.6, sad: 0.1, neutral: 0.2 },
      durationSeconds: 6,
      timeline: [
        { start: 0, end: 2, label: 'happy', probabilities: { angry: 0.1, happy: 0.7, sad: 0.05, neutral: 0.15 }, voiced: true },
        { start: 2, end: 3, label: 'neutral', probabilities: { angry: 0.25, happy: 0.25, sad: 0.25, neutral: 0.25 }, voiced: false },
        { start: 3, end: 4.5, label: 'angry', probabilities: { angry: 0.5, happy: 0.3, sad: 0.1, neutral: 0.1 }, voiced: true },
        { start: 4.5, end: 6, label: 'happy', probabilities: { angry: 0.2, happy: 0.55, sad: 0.05, neutral: 0.2 }, voiced: true },
      ],
    },
  ];

  it('features the first classified row', () => {
    assert.equal(featuredRow(rows)?.name, 'talk.wav');
    assert.equal(featuredRow([rows[0]]), undefined);
  });

  it('ranks probabilities, ties by label', () => {
    assert.deepEqual(rankedProbabilities(rows[1].probabilities!), [
      { label: 'happy', probability: 0.6 },
      { label: 'neutral', probability: 0.2 },
      { label: 'angry', probability: 0.1 },
      { label: 'sad', probability: 0.1 },
    ]);
  });

  it('groups timeline segments by label, unvoiced last, with top probabilities on hover', () => {
    const groups = timelineGroups(rows[1].timeline!);
    assert.deepEqual(
      groups.map((g) => [g.name, g.voiced, g.starts, g.lengths]),
      [
        ['happy', true, [0, 4.5], [2, 1.5]],
        ['angry', true, [3], [1.5]],
        ['unvoiced', false, [2], [1]],
      ],
    );
    assert.equal(groups[0].hover[0], '0.00–2.00 s: happy<br>happy 70.0%<br>neutral 15.0%<br>angry 10.0%');
    assert.equal(groups[2].hover[0], '2.00–3.00 s: unvoiced<br>angry 25.0%<br>happy 25.0%<br>neutral 25.0%');
  });
});
