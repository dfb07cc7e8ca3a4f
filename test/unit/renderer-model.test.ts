import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIME, type ExplorerJson, type TableJson } from '../../src/shared/mime';
import { checkOutput, explorerGroups, formatTableCell, numericColumns, parseReply } from '../../src/webview/renderer/model';

const WAVEFORM = { sampleRate: 16000, samplesPerPoint: 160, min: [-0.1], max: [0.2], durationSeconds: 0.01 };
const SPECTROGRAM = { file: '/a.wav', name: 'a.wav', waveform: WAVEFORM, matrix: { kind: 'logmel', sampleRate: 16000, shape: [1, 1], data: [[-20]] }, nMels: 1 };
const AUDIO = { name: 'a.wav', sampleRate: 16000, wavBase64: 'UklGRg==', waveform: WAVEFORM };

describe('renderer table cells', () => {
  it('formats numbers as written, booleans as words and null as empty', () => {
    assert.deepEqual(
      [0.1 + 0.2, 3, -0, 1e21, true, false, null, 'sad', undefined].map(formatTableCell),
      ['0.30000000000000004', '3', '0', '1e+21', 'true', 'false', '', 'sad', ''],
    );
  });

  it('right-aligns columns whose non-empty cells are all numbers', () => {
    const table: TableJson = {
      columns: ['emotion', 'clips', 'share', 'empty', 'mixed'],
      rows: [
        ['sad', 192, null, null, 1],
        ['angry', 96, 0.25, null, 'n/a'],
      ],
    };
    assert.deepEqual(numericColumns(table), [false, true, true, false, false]);
  });
});

describe('renderer explorer traces', () => {
  it('groups points by label in the declared order, then unknown labels as they appear, without empty groups', () => {
    const json: ExplorerJson = {
      method: 'PCA',
      axes: ['PC 1', 'PC 2'],
      labels: ['neutral', 'happy', 'sad'],
      points: [
        { x: 1, y: 2, label: 'sad', file: '/d/1.wav', name: '1.wav', speaker: '03' },
        { x: 3, y: 4, label: 'neutral', file: '/d/2.wav', name: '2.wav' },
        { x: 5, y: 6, label: 'calm', file: '/d/3.wav', name: '3.wav' },
        { x: 7, y: 8, label: 'sad', file: '/d/4.wav', name: '4.wav', speaker: '04' },
      ],
    };
    assert.deepEqual(explorerGroups(json), [
      { label: 'neutral', x: [3], y: [4], files: ['/d/2.wav'], hover: ['2.wav<br>neutral'] },
      { label: 'sad', x: [1, 7], y: [2, 8], files: ['/d/1.wav', '/d/4.wav'], hover: ['1.wav<br>sad<br>speaker 03', '4.wav<br>sad<br>speaker 04'] },
      { label: 'calm', x: [5], y: [6], files: ['/d/3.wav'], hover: ['3.wav<br>calm'] },
    ]);
  });
});

describe('renderer output checks', () => {
  it('accepts well-formed outputs unchanged', () => {
    const table = { columns: ['a'], rows: [[1]] };
    assert.equal(checkOutput(MIME.table, table), table);
    assert.equal(checkOutput(MIME.spectrogram, SPECTROGRAM), SPECTROGRAM);
    assert.equal(checkOutput(MIME.audio, AUDIO), AUDIO);
    assert.deepEqual(checkOutput(MIME.classification, []), []);
  });

  it('names the output kind and the missing part of malformed outputs', () => {
    assert.throws(() => checkOutput(MIME.metrics, { title: 'x' }), { message: 'malformed metrics output: no labels, confusion matrix or per-class metrics' });
    assert.throws(() => checkOutput(MIME.audio, { ...AUDIO, wavBase64: 3 }), { message: 'malformed audio output: no WAV data' });
    assert.throws(() => checkOutput(MIME.spectrogram, { ...SPECTROGRAM, waveform: { sampleRate: 1 } }), {
      message: 'malformed spectrogram output: the waveform has no min/max arrays',
    });
    assert.throws(() => checkOutput(MIME.table, { columns: [], rows: [1] }), { message: 'malformed table output: no columns or rows' });
    assert.throws(() => checkOutput(MIME.explorer, null), { message: 'malformed explorer output: no points, labels or axes' });
    assert.throws(() => checkOutput('text/plain', {}), { message: 'unsupported output type text/plain' });
  });
});

describe('renderer clip replies', () => {
  it('reads clip and error replies and ignores other messages', () => {
    assert.deepEqual(parseReply({ type: 'error', requestId: 4, message: 'no such file' }), { type: 'error', requestId: 4, message: 'no such file' });
    const clip = { type: 'clip', requestId: 5, audio: AUDIO, spectrogram: SPECTROGRAM };
    assert.equal(parseReply(clip), clip);
    assert.equal(parseReply({ type: 'progress', requestId: 5 }), undefined);
    assert.equal(parseReply({ type: 'clip' }), undefined);
    assert.equal(parseReply('clip'), undefined);
    assert.throws(() => parseReply({ ...clip, audio: { ...AUDIO, waveform: undefined } }), { message: 'malformed clip output: no waveform' });
  });
});
