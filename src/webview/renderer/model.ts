import { MIME, type AudioJson, type ExplorerJson, type RendererReply, type SpectrogramView, type TableJson } from '../../shared/mime';

/**
 * Pure helpers of the notebook renderer: checking an output's JSON before drawing it, table cells, the explorer's
 * traces grouped by label, and the kernel's replies to clip requests. No DOM, no Plotly.
 */

/** A table cell's text: numbers as written (with their precision), booleans as "true"/"false", null as empty. */
export function formatTableCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  return String(value);
}

/** Which columns hold numbers (right-aligned): those whose non-empty cells are all numbers, at least one. */
export function numericColumns(table: TableJson): boolean[] {
  return table.columns.map((_, c) => {
    let numbers = 0;
    for (const row of table.rows) {
      const value = row[c];
      if (value === null || value === undefined) continue;
      if (typeof value !== 'number') return false;
      numbers++;
    }
    return numbers > 0;
  });
}

/** The explorer's clips of one label: one scatter trace. */
export interface ExplorerGroup {
  readonly label: string;
  readonly x: number[];
  readonly y: number[];
  /** Each point's clip path (sent to the kernel on click). */
  readonly files: string[];
  /** Each point's hover text. */
  readonly hover: string[];
}

/** Groups the explorer's points by label: the declared labels first, in their order, then any others as they appear; empty groups are left out. */
export function explorerGroups(json: ExplorerJson): ExplorerGroup[] {
  const groups = new Map<string, ExplorerGroup>();
  const group = (label: string) => {
    let found = groups.get(label);
    if (!found) {
      found = { label, x: [], y: [], files: [], hover: [] };
      groups.set(label, found);
    }
    return found;
  };
  for (const label of json.labels) group(label);
  for (const point of json.points) {
    const target = group(point.label);
    target.x.push(point.x);
    target.y.push(point.y);
    target.files.push(point.file);
    target.hover.push(`${point.name}<br>${point.label}${point.speaker !== undefined ? `<br>speaker ${point.speaker}` : ''}`);
  }
  return [...groups.values()].filter((g) => g.files.length > 0);
}

/** Throws a readable error naming the output kind when `condition` fails. */
function expect(condition: boolean, kind: string, problem: string): void {
  if (!condition) throw new Error(`malformed ${kind} output: ${problem}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isArray = Array.isArray;

/** Checks the parts of a waveform the charts read. */
function checkWaveform(value: unknown, kind: string): void {
  expect(isObject(value), kind, 'no waveform');
  const waveform = value as Record<string, unknown>;
  expect(isArray(waveform.min) && isArray(waveform.max), kind, 'the waveform has no min/max arrays');
  expect(typeof waveform.sampleRate === 'number' && typeof waveform.samplesPerPoint === 'number', kind, 'the waveform has no sample rate');
}

/** Checks a spectrogram view's waveform and matrix. */
function checkSpectrogram(value: unknown, kind: string): void {
  expect(isObject(value), kind, 'not an object');
  const view = value as Record<string, unknown>;
  checkWaveform(view.waveform, kind);
  const matrix = view.matrix as Record<string, unknown> | undefined;
  expect(isObject(matrix) && isArray(matrix.data) && isArray(matrix.shape), kind, 'no feature matrix');
}

/** Checks an audio clip's WAV data and waveform. */
function checkAudio(value: unknown, kind: string): void {
  expect(isObject(value), kind, 'not an object');
  const audio = value as Record<string, unknown>;
  expect(typeof audio.wavBase64 === 'string', kind, 'no WAV data');
  checkWaveform(audio.waveform, kind);
}

/** Checks an explanation's heat map (bins × frames values), the features under it, its time axis and regions. */
function checkExplanation(value: unknown, kind: string): void {
  expect(isObject(value), kind, 'not an object');
  const explanation = value as Record<string, unknown>;
  const { bins, frames, heat, time } = explanation;
  expect(typeof bins === 'number' && typeof frames === 'number' && isArray(heat) && heat.length === bins * frames, kind, 'the heat map is not bins × frames values');
  const features = explanation.features as Record<string, unknown> | undefined;
  expect(isObject(features) && isArray(features.data) && features.data.length === bins && isArray(features.shape), kind, 'no feature matrix under the heat');
  expect(isObject(time) && typeof time.startSeconds === 'number' && typeof time.hopSeconds === 'number', kind, 'no time axis');
  expect(isArray(explanation.regions) && isObject(explanation.resolution), kind, 'no regions or resolution');
  const rows = explanation.prosodyRows;
  expect(rows === undefined || (isArray(rows) && rows.length < (bins as number) && rows.every((row) => typeof row === 'string')), kind, 'the prosody rows are not names of fewer rows than the map has');
}

/**
 * Checks that `value` has the shape `mime` promises (the fields the views read), so a malformed output gets a clear
 * message instead of a failure deep inside a chart. Returns `value` unchanged.
 */
export function checkOutput(mime: string, value: unknown): unknown {
  const kind = Object.entries(MIME).find(([, type]) => type === mime)?.[0];
  if (!kind) throw new Error(`unsupported output type ${mime}`);
  const object = value as Record<string, unknown>;
  switch (mime) {
    case MIME.features:
      expect(isObject(value) && isArray(object.data) && isArray(object.shape), kind, 'no data or shape');
      break;
    case MIME.spectrogram:
      checkSpectrogram(value, kind);
      break;
    case MIME.audio:
      checkAudio(value, kind);
      break;
    case MIME.training:
      expect(isObject(value) && isArray(object.history) && isArray(object.labels), kind, 'no history or labels');
      break;
    case MIME.metrics: {
      const metrics = isObject(value) ? object.metrics : undefined;
      expect(isObject(metrics) && isArray(metrics.labels) && isArray(metrics.confusion) && isArray(metrics.perClass), kind, 'no labels, confusion matrix or per-class metrics');
      break;
    }
    case MIME.classification:
      expect(isArray(value) && value.every(isObject), kind, 'expected a list of rows');
      break;
    case MIME.table:
      expect(isObject(value) && isArray(object.columns) && isArray(object.rows) && (object.rows as unknown[]).every(isArray), kind, 'no columns or rows');
      break;
    case MIME.explorer:
      expect(isObject(value) && isArray(object.points) && isArray(object.labels) && isArray(object.axes), kind, 'no points, labels or axes');
      break;
    case MIME.explanation:
      checkExplanation(value, kind);
      break;
  }
  return value;
}

/** A clip the kernel sent back for an explorer click. */
export interface ClipPayload {
  readonly audio: AudioJson;
  readonly spectrogram: SpectrogramView;
}

/** Reads a message from the kernel: a reply to clip request `requestId`, or undefined when it is something else. */
export function parseReply(message: unknown): RendererReply | undefined {
  if (!isObject(message) || typeof message.requestId !== 'number') return undefined;
  if (message.type === 'error') return { type: 'error', requestId: message.requestId, message: String(message.message ?? 'unknown error') };
  if (message.type !== 'clip') return undefined;
  checkAudio(message.audio, 'clip');
  checkSpectrogram(message.spectrogram, 'clip');
  return message as unknown as RendererReply;
}
