/**
 * "Why this emotion?" on clips whose emotion is carried by one time–frequency region only. A small CNN learns to tell
 * a rising glide ("happy") from a falling one ("angry") from plain noise ("neutral"), with the glide anywhere in time
 * and frequency; Grad-CAM and occlusion must then put their heat on the glide of held-out clips, wherever it is, from
 * the core, the worker (CLI) and a notebook cell.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { resolveFeatureConfig, type FeatureConfig } from '../../src/core/audio/config';
import { computeFeatures, prepareClip } from '../../src/core/audio/features';
import { createMatrix } from '../../src/core/audio/matrix';
import { melFrequencies } from '../../src/core/audio/mel';
import { PROSODY_ROWS } from '../../src/core/audio/prosody';
import { encodeWav } from '../../src/core/audio/wavWrite';
import { loadBundle, type ModelBundle } from '../../src/core/bundle/bundle';
import { FileError, UsageError } from '../../src/core/errors';
import { cellSize, explainFile, gradCam, type Explanation } from '../../src/core/infer/explain';
import { heatRegions } from '../../src/core/infer/heatRegions';
import { classifyFile } from '../../src/core/infer/classify';
import { buildModel } from '../../src/core/models';
import { Random } from '../../src/core/random';
import { paintExplanation } from '../../src/core/report/explanationImage';
import { initBackend } from '../../src/core/tf/backend';
import { computeNormalization, writeImage, type Example } from '../../src/core/train/data';
import { PanelGate } from '../../src/extension/panels/panelGate';
import { describeRegion, featureShades, MAX_LABEL_LENGTH, type ExplainRequest } from '../../src/shared/explanation';
import { MIME } from '../../src/shared/mime';
import type { CellEvent } from '../../src/shared/workerProtocol';
import {
  explanationAxis,
  explanationSummary,
  explanationTimes,
  heatRows,
  HEAT_FLOOR,
  regionBoxes,
  requestForFile,
  requestWithMethod,
  sameRequest,
} from '../../src/webview/panel/explanationModel';
import { formatHz } from '../../src/webview/panel/model';
import { checkOutput } from '../../src/webview/renderer/model';
import { NotebookKernel } from '../../src/worker/notebook/kernel';
import { runCli, tempDir } from '../helpers';
import { saveTestBundle } from '../helpers/bundles';

const RATE = 16000;
const CLIP_SECONDS = 2;
const BURST_SECONDS = 0.5;
const LABELS = ['happy', 'angry', 'neutral'];

const config: FeatureConfig = resolveFeatureConfig({ sampleRate: RATE, nMels: 64, nFft: 512, winLength: 512, hopLength: 256, clipSeconds: CLIP_SECONDS });

/** Where a clip's glide is: start in seconds of the clip and band in Hz. */
interface Burst {
  readonly start: number;
  readonly low: number;
  readonly high: number;
}

/**
 * `seconds` of background noise (about −35 dB per mel band) with, for "happy" and "angry", a 0.5-s glide of three
 * partials through its band: rising for "happy", falling for "angry".
 */
function clip(label: string, burst: Burst, seed: number, seconds = CLIP_SECONDS): Float32Array {
  const random = new Random(seed);
  const samples = new Float32Array(Math.round(RATE * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.01 * random.normal();
  if (label === 'neutral') return samples;
  const first = Math.round(burst.start * RATE);
  const length = Math.round(BURST_SECONDS * RATE);
  const ramp = Math.round(0.01 * RATE);
  const ratio = burst.high / (burst.low * 1.25);
  const phases = [0, 0, 0];
  for (let i = 0; i < length; i++) {
    const progress = label === 'happy' ? i / length : 1 - i / length;
    const base = burst.low * ratio ** progress;
    const gain = 0.15 * Math.min(1, i / ramp, (length - 1 - i) / ramp);
    [1, 1.12, 1.25].forEach((factor, k) => {
      phases[k] += (2 * Math.PI * base * factor) / RATE;
      samples[first + i] += gain * Math.sin(phases[k]);
    });
  }
  return samples;
}

/** A glide over one octave somewhere between 300 Hz and 6 kHz, somewhere in the clip. */
function randomBurst(random: Random): Burst {
  const low = 300 * 2 ** random.uniform(0, 3.3);
  return { start: random.uniform(0.05, CLIP_SECONDS - BURST_SECONDS - 0.05), low, high: low * 2 };
}

/** A held-out file: its emotion, its glide, and how much silence precedes the clip in the file. */
interface HeldOut {
  readonly label: string;
  readonly burst: Burst;
  readonly silenceBefore: number;
  readonly file: string;
}

/** The burst's extent in an explanation's map: bins whose band centre is in its band, frames whose time (in the file) is in its span. */
function burstBox(explanation: Explanation, burst: Burst, offsetSeconds: number): { lowBin: number; highBin: number; startFrame: number; endFrame: number } {
  const centres = melFrequencies(explanation.bins + 2, config.fMin, config.fMax, config.melScale).subarray(1, explanation.bins + 1);
  const bins = [...centres.keys()].filter((b) => centres[b] >= burst.low && centres[b] <= burst.high);
  const times = explanationTimes(explanation);
  const frames = [...times.keys()].filter((t) => times[t] >= offsetSeconds + burst.start && times[t] <= offsetSeconds + burst.start + BURST_SECONDS);
  return { lowBin: bins[0], highBin: bins[bins.length - 1], startFrame: frames[0], endFrame: frames[frames.length - 1] };
}

/** Checks that an explanation's heat lies on the burst: peak, mean inside vs outside, and the top region. */
function assertHeatOnBurst(explanation: Explanation, burst: Burst, offsetSeconds: number, what: string): void {
  const box = burstBox(explanation, burst, offsetSeconds);
  const { bins, frames, heat } = explanation;
  assert.equal(heat.length, bins * frames);
  assert.ok(heat.every((h) => h >= 0 && h <= 1), `${what}: heat in 0..1`);
  let hotBins = 0;
  let hotFrames = 0;
  let hot = 0;
  let inside = 0;
  let outside = 0;
  let count = 0;
  for (let b = 0; b < bins; b++) {
    for (let t = 0; t < frames; t++) {
      const value = heat[b * frames + t];
      if (value >= 0.9) {
        hotBins += b;
        hotFrames += t;
        hot++;
      }
      if (b >= box.lowBin && b <= box.highBin && t >= box.startFrame && t <= box.endFrame) {
        inside += value;
        count++;
      } else outside += value;
    }
  }
  inside /= count;
  outside /= bins * frames - count;
  assert.equal(Math.max(...heat), 1, `${what}: heat scaled to a maximum of 1`);
  // The hottest area (heat ≥ 0.9) is centred on the burst, give or take half a cell of the method's resolution (an
  // upsampled Grad-CAM cell at the edge of the map is a plateau, so no single hottest pixel stands for it).
  const peakBin = hotBins / hot;
  const peakFrame = hotFrames / hot;
  const slackBins = explanation.resolution.bins / 2;
  const slackFrames = explanation.resolution.frames / 2;
  assert.ok(
    peakBin >= box.lowBin - slackBins && peakBin <= box.highBin + slackBins && peakFrame >= box.startFrame - slackFrames && peakFrame <= box.endFrame + slackFrames,
    `${what}: hottest around bin ${peakBin.toFixed(1)}, frame ${peakFrame.toFixed(1)}; the burst covers bins ${box.lowBin}–${box.highBin}, frames ${box.startFrame}–${box.endFrame}`,
  );
  assert.ok(inside >= 3 * outside, `${what}: mean heat on the burst ${inside.toFixed(3)}, elsewhere ${outside.toFixed(3)}`);
  const top = explanation.regions[0];
  assert.ok(top, `${what}: a region stands out`);
  const burstStart = offsetSeconds + burst.start;
  assert.ok(top.startSeconds < burstStart + BURST_SECONDS && top.endSeconds > burstStart, `${what}: top region ${top.startSeconds}–${top.endSeconds} s, burst ${burstStart}–${burstStart + BURST_SECONDS} s`);
  assert.ok(top.lowHz !== undefined && top.highHz !== undefined && top.lowHz < burst.high && top.highHz > burst.low, `${what}: top region ${top.lowHz}–${top.highHz} Hz, burst ${burst.low}–${burst.high} Hz`);
  assert.ok(top.share > 0 && top.share <= 1);
}

/** The width and height in a PNG file's header, after checking its signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('explanations', () => {
  const dir = tempDir();
  const modelDir = path.join(dir, 'model');
  let bundle: ModelBundle;
  /** Each emotion's burst low and early, and high and late (one of them after half a second of silence). */
  const heldOut: HeldOut[] = [
    { label: 'happy', burst: { start: 0.25, low: 450, high: 900 }, silenceBefore: 0 },
    { label: 'happy', burst: { start: 1.3, low: 2400, high: 4800 }, silenceBefore: 0.5 },
    { label: 'angry', burst: { start: 0.3, low: 2400, high: 4800 }, silenceBefore: 0 },
    { label: 'angry', burst: { start: 1.2, low: 450, high: 900 }, silenceBefore: 0 },
  ].map((c, i) => ({ ...c, file: path.join(dir, `${c.label}-${i}.wav`) }));
  /** A 7-s file, noise throughout, with a "happy" burst at 4.6 s. */
  const longFile = path.join(dir, 'long.wav');
  const longBurst: Burst = { start: 4.6, low: 1000, high: 2000 };

  before(async () => {
    await initBackend('wasm');
    const random = new Random(7);
    const examples: Example[] = [];
    for (let i = 0; i < 24; i++) {
      LABELS.forEach((label, index) => {
        const samples = clip(label, randomBurst(random), 100 + i * 3 + index);
        examples.push({ id: `${label}-${i}`, label: index, copy: 0, features: computeFeatures(prepareClip(samples, config).samples, 'logmel', config) });
      });
    }
    const { bins, frames } = examples[0].features;
    const inputShape: [number, number, number] = [bins, frames, 1];
    // Standardised per bin like training does; the statistics go into emotion.json, so explanations see the same input.
    const normalization = computeNormalization(examples, bins);
    const images = new Float32Array(examples.length * bins * frames);
    examples.forEach((example, i) => writeImage(example.features, normalization, images, i * bins * frames));
    const model = buildModel('cnn', { inputShape, numClasses: LABELS.length, seed: 3 });
    const x = tf.tensor4d(images, [examples.length, bins, frames, 1]);
    const y = tf.oneHot(tf.tensor1d(examples.map((e) => e.label), 'int32'), LABELS.length);
    model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 14, batchSize: 12, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    await saveTestBundle(modelDir, model, { arch: 'cnn', labels: LABELS, config, inputShape, purpose: 'explain', datasetRoot: dir, normalization });
    model.dispose();
    bundle = await loadBundle(modelDir);
    heldOut.forEach((c, i) => {
      const samples = clip(c.label, c.burst, 9000 + i);
      const file = new Float32Array(Math.round(c.silenceBefore * RATE) + samples.length);
      file.set(samples, file.length - samples.length);
      fs.writeFileSync(c.file, encodeWav(file, RATE));
    });
    fs.writeFileSync(longFile, encodeWav(clip('happy', longBurst, 9100, 7), RATE));
  });

  for (const method of ['gradcam', 'occlusion'] as const) {
    it(`${method} puts the heat on the burst that carries the emotion, wherever it is`, async () => {
      for (const c of heldOut) {
        const explanation = await explainFile(bundle, c.file, { method });
        const what = `${method} of ${path.basename(c.file)}`;
        assert.equal(explanation.predicted, c.label, `${what}: classified by its burst`);
        assert.equal(explanation.label, c.label);
        assert.equal(explanation.method, method);
        assert.deepEqual(explanation.features.shape, [explanation.bins, explanation.frames]);
        assert.deepEqual(Object.keys(explanation.probabilities), LABELS);
        // The time axis is the file's: the clip after the leading silence was trimmed.
        assert.ok(Math.abs(explanation.time.startSeconds - c.silenceBefore) < 0.05, `${what}: clip starts at ${explanation.time.startSeconds} s`);
        assertHeatOnBurst(explanation, c.burst, c.silenceBefore, what);
        if (method === 'gradcam') assert.equal(explanation.targetLayer, 'block4_pool');
        else assert.deepEqual(explanation.patch, { bins: 8, frames: 16, binStride: 4, frameStride: 8 });
      }
    });
  }

  it('reports no region for heat that lies wholly in the padding of a short clip', () => {
    // A 1-s clip centred in the 2-s input: frames before its start and after its end are zero padding.
    const bins = bundle.meta.inputShape[0];
    const frames = bundle.meta.inputShape[1];
    const hop = bundle.meta.feature.config.hopLength / bundle.meta.feature.config.sampleRate;
    const heat = new Float32Array(bins * frames);
    for (let b = 10; b < 20; b++) {
      for (let t = 0; t < 8; t++) heat[b * frames + t] = 1; // in the leading padding
      for (let t = 60; t < 70; t++) heat[b * frames + t] = 0.8; // inside the clip
    }
    const time = { startSeconds: -0.5, hopSeconds: hop };
    const regions = heatRegions(bundle, { heat, bins, frames, resolution: { bins: 1, frames: 1 } }, time, { startSeconds: 0, endSeconds: 1 });
    assert.equal(regions.length, 1, 'only the region inside the file');
    assert.ok(regions[0].startSeconds > 0 && regions[0].endSeconds < 1 && regions[0].startFrame === 60);
  });

  it('explains a long file in its most confident window, in the seconds of the file', async () => {
    const explanation = await explainFile(bundle, longFile, { method: 'gradcam', label: 'happy' });
    assert.ok(explanation.window, 'a window was chosen');
    assert.ok(Math.abs(explanation.durationSeconds - 7) < 1e-6);
    assert.ok(explanation.window.startSeconds <= longBurst.start && explanation.window.endSeconds >= longBurst.start + BURST_SECONDS, `window ${explanation.window.startSeconds}–${explanation.window.endSeconds} s`);
    assert.equal(explanation.time.startSeconds, explanation.window.startSeconds);
    assert.equal(explanation.predicted, 'happy');
    assertHeatOnBurst(explanation, longBurst, 0, 'Grad-CAM of the long file');
  });

  it('explains another emotion when asked, and refuses unknown emotions, methods and bad files by name', async () => {
    const angryClip = heldOut[2];
    const asHappy = await explainFile(bundle, angryClip.file, { method: 'gradcam', label: 'happy' });
    assert.equal(asHappy.label, 'happy');
    assert.equal(asHappy.predicted, 'angry');
    await assert.rejects(explainFile(bundle, angryClip.file, { label: 'sad' }), (error: unknown) => error instanceof UsageError && /no emotion "sad".*happy, angry, neutral/.test(error.message));
    await assert.rejects(explainFile(bundle, angryClip.file, { method: 'saliency' as never }), UsageError);
    const garbage = path.join(dir, 'not-audio.wav');
    fs.writeFileSync(garbage, 'this is not a WAV file at all');
    for (const bad of [garbage, path.join(dir, 'missing.wav')]) {
      await assert.rejects(explainFile(bundle, bad), (error: unknown) => error instanceof FileError && error.file === bad && error.problem.length > 0);
    }
  });

  it('leaves no tensor behind', async () => {
    const file = heldOut[1].file;
    const before = tf.memory().numTensors;
    await explainFile(bundle, file, { method: 'gradcam' });
    await explainFile(bundle, file, { method: 'occlusion', patch: { bins: 16, frames: 32 } });
    await explainFile(bundle, longFile, { method: 'gradcam' });
    assert.equal(tf.memory().numTensors, before);
  });

  it('Grad-CAM cuts every architecture at its last feature map, without leaking tensors', async () => {
    const file = heldOut[0].file;
    const inputShape: [number, number, number] = [bundle.meta.inputShape[0], bundle.meta.inputShape[1], 1];
    for (const [arch, layer] of [['cnn-bn', 'block4_pool'], ['resnet-blocks', 'stage3_block2_out'], ['resnet18', 'layer4.1.relu2']] as const) {
      const archDir = path.join(dir, arch);
      const model = buildModel(arch, { inputShape, numClasses: LABELS.length, seed: 1 });
      await saveTestBundle(archDir, model, { arch, labels: LABELS, config, inputShape, purpose: 'explain', datasetRoot: dir });
      model.dispose();
      const untrained = await loadBundle(archDir);
      const before = tf.memory().numTensors;
      const explanation = await explainFile(untrained, file, { method: 'gradcam' });
      assert.equal(tf.memory().numTensors, before, `${arch}: no tensor left behind`);
      assert.equal(explanation.targetLayer, layer, arch);
      assert.equal(explanation.score, 'logit');
      assert.equal(explanation.heat.length, explanation.bins * explanation.frames);
      assert.ok(explanation.heat.every((h) => h >= 0 && h <= 1), `${arch}: heat in 0..1`);
      assert.ok(explanation.resolution.bins > 1 && explanation.resolution.frames > 1, `${arch}: a coarser feature map than the input`);
      untrained.model.dispose();
    }
  });

  it('stops occlusion when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(explainFile(bundle, heldOut[0].file, { method: 'occlusion', signal: controller.signal }), { name: 'CancelledError' });
  });

  it('shapes the overlay figure: times in the file, clear heat below the floor, numbered region boxes, a summary', async () => {
    const explanation = await explainFile(bundle, heldOut[1].file, { method: 'gradcam' });
    const times = explanationTimes(explanation);
    assert.equal(times.length, explanation.frames);
    assert.equal(times[0], explanation.time.startSeconds);
    assert.ok(Math.abs(times[1] - times[0] - 256 / RATE) < 1e-9);
    const rows = heatRows(explanation);
    assert.equal(rows.length, explanation.bins);
    assert.equal(rows.flat().filter((v) => v !== null).length, explanation.heat.filter((h) => h >= HEAT_FLOOR).length);
    assert.equal(rows[0][0], explanation.heat[0] >= HEAT_FLOOR ? explanation.heat[0] : null);
    const [box] = regionBoxes(explanation);
    const [region] = explanation.regions;
    assert.equal(box.number, 1);
    assert.ok(box.x0 <= region.startSeconds + 1e-9 && box.x1 >= region.endSeconds - 1e-9);
    assert.equal(box.y0, region.lowBin - 0.5);
    assert.match(box.text, /^1\. \d+\.\d\d–\d+\.\d\d s, [\d,]+–[\d,]+ Hz \(\d+% of the heat\)$/);
    assert.match(explanationSummary(explanation), /^Predicted happy \(\d+\.\d%\)\. Grad-CAM: strongest region /);
    assert.equal(checkOutput(MIME.explanation, explanation), explanation, 'the notebook renderer accepts it');
    assert.throws(() => checkOutput(MIME.explanation, { ...explanation, heat: explanation.heat.slice(1) }), /malformed explanation output: the heat map is not bins × frames values/);
  });

  it('paints the PNG overlay: heat in colour over grey features, regions outlined', async () => {
    const explanation = await explainFile(bundle, heldOut[0].file, { method: 'gradcam' });
    const { pixels, width, height } = paintExplanation(explanation);
    const sx = width / explanation.frames;
    const sy = height / explanation.bins;
    assert.ok(Number.isInteger(sx) && Number.isInteger(sy) && sx >= 1 && sy >= 1);
    const pixel = (bin: number, frame: number) => {
      const p = 4 * (((explanation.bins - 1 - bin) * sy + 1) * width + frame * sx + 1);
      return [pixels[p], pixels[p + 1], pixels[p + 2]];
    };
    const hottest = explanation.heat.indexOf(1);
    const [r, g, b] = pixel(Math.floor(hottest / explanation.frames), hottest % explanation.frames);
    assert.ok(Math.max(r, g, b) - Math.min(r, g, b) > 60, `the hottest cell is coloured (${r}, ${g}, ${b})`);
    const cold = explanation.heat.indexOf(0);
    assert.ok(cold >= 0, 'some cell has no heat');
    const [cr, cg, cb] = pixel(Math.floor(cold / explanation.frames), cold % explanation.frames);
    assert.ok(cr === cg && cg === cb, `a cell without heat is grey (${cr}, ${cg}, ${cb})`);
    const region = explanation.regions[0];
    const corner = 4 * ((explanation.bins - 1 - region.highBin) * sy * width + region.startFrame * sx);
    assert.deepEqual([...pixels.subarray(corner, corner + 4)], [255, 255, 255, 255], 'the top region is outlined in white');
  });

  it('emo.explain shows the overlay in a notebook cell', async () => {
    const kernel = new NotebookKernel(dir);
    const events: CellEvent[] = [];
    const result = await kernel.execute(
      { code: `await emo.explain("model", "${path.basename(heldOut[3].file)}", { method: "occlusion", backend: "wasm" })`, language: 'typescript', cellLabel: 'cell 1' },
      new AbortController().signal,
      (event) => events.push(event),
    );
    assert.ok(result.success, JSON.stringify(result.error));
    const display = events.find((e) => e.type === 'display');
    assert.ok(display && display.type === 'display');
    const explanation = display.items.find((i) => i.mime === MIME.explanation)?.data as Explanation;
    assert.equal(explanation.method, 'occlusion');
    assert.equal(explanation.predicted, 'angry');
    assertHeatOnBurst(explanation, heldOut[3].burst, 0, 'emo.explain');
    const text = String(display.items.find((i) => i.mime === 'text/plain')?.data);
    assert.match(text, /^angry-3\.wav: angry \(\d+%\) · Occlusion of angry: \d/);
  });

  it('panels may ask to explain only with a known method, a file path and optionally an emotion', () => {
    const gate = new PanelGate();
    const request = (id: number, params: unknown) => gate.admit({ kind: 'request', id, method: 'explain', params });
    assert.equal(request(1, { file: '/w/a.wav', method: 'occlusion' }).action, 'forward');
    const withLabel = request(7, { file: '/w/a.wav', method: 'occlusion', label: 'sad' });
    assert.ok(withLabel.action === 'forward');
    assert.deepEqual(withLabel.messages, [{ kind: 'request', id: 7, method: 'explain', params: { file: '/w/a.wav', method: 'occlusion', label: 'sad' } }]);
    for (const [id, params] of [
      [2, { file: '/w/a.wav', method: 'saliency' }],
      [3, { file: '/w/a.wav' }],
      [4, { file: '', method: 'gradcam' }],
      [5, { file: '/w/a.wav', method: 'gradcam', label: '' }],
      [6, { file: 42, method: 'gradcam' }],
      [8, { file: '/w/a.wav', method: 'gradcam', label: 42 }],
      [9, { file: '/w/a.wav', method: 'gradcam', label: 'x'.repeat(MAX_LABEL_LENGTH + 1) }],
      [10, { file: '/w/a.wav', method: 'gradcam', label: 'sad', layer: 'block3_pool' }],
    ] as const) {
      const admission = request(id, params);
      assert.ok(admission.action === 'refuse' && admission.reply.kind === 'error' && admission.reply.error.name === 'InvalidParams', JSON.stringify(params));
    }
  });

  it('the panel keeps the file, method and emotion asked for when switching method, also after a failure', () => {
    // Grad-CAM of "sad" failed (nothing is shown): the switch asks occlusion for the same file and emotion.
    const failed: ExplainRequest = { file: '/w/a.wav', method: 'gradcam', label: 'sad' };
    const occlusionOfSad = requestWithMethod(failed, 'occlusion');
    assert.deepEqual(occlusionOfSad, { file: '/w/a.wav', method: 'occlusion', label: 'sad' });
    // A row's "Why?" keeps the method in use; another file is explained by its own emotion, the same file by the one asked for.
    assert.deepEqual(requestForFile(occlusionOfSad, '/w/b.wav'), { file: '/w/b.wav', method: 'occlusion' });
    assert.ok(sameRequest(requestForFile(occlusionOfSad, '/w/a.wav'), occlusionOfSad));
    assert.deepEqual(requestForFile(undefined, '/w/a.wav'), { file: '/w/a.wav', method: 'gradcam' });
    assert.ok(!sameRequest(occlusionOfSad, failed));
    assert.ok(!sameRequest(occlusionOfSad, { file: '/w/a.wav', method: 'occlusion' }));
  });

  it('voice-emotion explain: JSON like the core, text with regions in seconds and Hz, a PNG overlay, clear errors', async () => {
    const c = heldOut[0];
    const json = runCli(['explain', c.file, '--model', modelDir, '--json', '--backend', 'wasm']);
    assert.equal(json.code, 0, json.stderr);
    const fromCli = JSON.parse(json.stdout) as Explanation;
    const inProcess = await explainFile(bundle, c.file, { method: 'gradcam' });
    assert.equal(fromCli.predicted, 'happy');
    assert.equal(fromCli.method, 'gradcam');
    assert.equal(fromCli.heat.length, inProcess.heat.length);
    assert.ok(fromCli.heat.every((h, i) => Math.abs(h - inProcess.heat[i]) < 1e-3), 'the worker computes what the core computes');
    assertHeatOnBurst(fromCli, c.burst, 0, 'CLI --json');

    const png = path.join(dir, 'out', 'happy.png');
    fs.mkdirSync(path.dirname(png));
    const text = runCli(['explain', c.file, '--model', modelDir, '--method', 'occlusion', '--png', png, '--backend', 'wasm']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^${c.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: happy \\(\\d+\\.\\d%\\)\\n  Occlusion of happy with 8 × 16 patches:\\n    1\\. \\d+\\.\\d\\d–\\d+\\.\\d\\d s, [\\d,]+–[\\d,]+ Hz \\(\\d+% of the heat\\)`));
    const size = pngSize(fs.readFileSync(png));
    assert.ok(size.width % fromCli.frames === 0 && size.height % fromCli.bins === 0 && size.width >= fromCli.frames, `${size.width} × ${size.height}`);

    const unknown = runCli(['explain', c.file, '--model', modelDir, '--label', 'sad', '--backend', 'wasm']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no emotion "sad"/);
    const garbage = path.join(dir, 'not-audio.wav');
    const bad = runCli(['explain', garbage, '--model', modelDir, '--backend', 'wasm']);
    assert.equal(bad.code, 1);
    assert.ok(bad.stderr.startsWith(`error: ${garbage}: `), bad.stderr);
    const usage = runCli(['explain', c.file]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /explain needs --model MODEL_DIR/);
    assert.equal(runCli(['explain', c.file, '--model', modelDir, '--method', 'saliency']).code, 2);
  });
});

/**
 * A model whose Grad-CAM is known exactly: four 2 × 2 'same' max-poolings (cells of 16 × 16 input bins and frames, the
 * last ones cut short when the input is not a multiple of 16), global average pooling and logits [m, −m, 0] of the
 * pooled mean m. The heat of "happy" is then the pooled normalised input itself, wherever it is positive.
 */
describe('explanations of a prosody model whose input is not a multiple of the feature map', () => {
  const dir = tempDir();
  const modelDir = path.join(dir, 'prosody-model');
  const prosodyConfig = resolveFeatureConfig({ prosody: true, melScale: 'htk' });
  const spectral = prosodyConfig.nMels;
  const bins = spectral + PROSODY_ROWS.length;
  const frames = 188;
  /** Normalisation that leaves the F0 and voicing rows as they are and makes every other row negative. */
  const mean = Array.from({ length: bins }, (_, b) => (b === spectral || b === spectral + 1 ? 0 : 200));
  const file = path.join(dir, 'voiced.wav');
  const voiced = { start: 1, end: 2 };
  let bundle: ModelBundle;

  before(async () => {
    await initBackend('wasm');
    const input = tf.input({ shape: [bins, frames, 1] });
    let x = input;
    for (let i = 1; i <= 4; i++) x = tf.layers.maxPooling2d({ name: `block${i}_pool`, poolSize: 2, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: LABELS.length, name: 'logits' });
    const output = tf.layers.softmax({ name: 'probabilities' }).apply(logits.apply(x)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const weights = [tf.tensor2d([[1, -1, 0]]), tf.zeros([LABELS.length])];
    logits.setWeights(weights);
    tf.dispose(weights);
    await saveTestBundle(modelDir, model, { arch: 'cnn', labels: LABELS, config: prosodyConfig, inputShape: [bins, frames, 1], purpose: 'prosody-explain', datasetRoot: dir, normalization: { mean, std: new Array(bins).fill(1) } });
    model.dispose();
    bundle = await loadBundle(modelDir);
    // 3 s of faint noise with a 150-Hz voice (five harmonics) from 1 s to 2 s.
    const random = new Random(11);
    const samples = new Float32Array(3 * prosodyConfig.sampleRate);
    for (let i = 0; i < samples.length; i++) {
      const t = i / prosodyConfig.sampleRate;
      samples[i] = 0.0005 * random.normal();
      if (t >= voiced.start && t < voiced.end) for (let h = 1; h <= 5; h++) samples[i] += (0.2 / h) * Math.sin(2 * Math.PI * 150 * h * t);
    }
    fs.writeFileSync(file, encodeWav(samples, prosodyConfig.sampleRate));
  });

  it('finds the cells of pooled maps: powers of two whose padded pooling gives the map', () => {
    assert.equal(cellSize(132, 9), 16);
    assert.equal(cellSize(188, 12), 16);
    assert.equal(cellSize(64, 4), 16);
    assert.equal(cellSize(126, 8), 16);
    assert.equal(cellSize(132, 17), 8);
    assert.equal(cellSize(131, 8), 16, "'valid' pooling: ⌊131 / 16⌋ = 8");
    assert.equal(cellSize(90, 7), 90 / 7, 'no power of two: cells spread evenly');
  });

  it('Grad-CAM puts the heat on the bins and frames of the cell that caused it', () => {
    assert.deepEqual(bundle.meta.inputShape, [132, 188, 1]);
    // The normalised input is 0 except rows 112–127 × frames 160–175 (cell 7, 10 of the 9 × 12 map), where it is 1.
    const matrix = createMatrix(bins, frames);
    for (let t = 0; t < frames; t++) {
      for (let b = 0; b < bins; b++) matrix.data[t * bins + b] = mean[b] + (b >= 112 && b < 128 && t >= 160 && t < 176 ? 1 : 0);
    }
    const before = tf.memory().numTensors;
    const map = gradCam(bundle, matrix, 0);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    assert.equal(map.targetLayer, 'block4_pool');
    assert.deepEqual(map.resolution, { bins: 16, frames: 16 });
    let rows = 0;
    let columns = 0;
    let hot = 0;
    for (let b = 0; b < bins; b++) {
      for (let t = 0; t < frames; t++) {
        if (map.heat[b * frames + t] < 0.9) continue;
        rows += b;
        columns += t;
        hot++;
      }
    }
    // The cell's centre is bin 119.5, frame 167.5 (spreading the 9 × 12 cells evenly over 132 × 188 would put it near bin 110, frame 164).
    assert.ok(Math.abs(rows / hot - 119.5) <= 0.5, `hottest around bin ${(rows / hot).toFixed(1)}`);
    assert.ok(Math.abs(columns / hot - 167.5) <= 0.5, `hottest around frame ${(columns / hot).toFixed(1)}`);
    assert.equal(map.heat[0], 0);

    // Another layer is cut on request, and the default cut is still the default afterwards.
    const earlier = gradCam(bundle, matrix, 0, 'block3_pool');
    assert.equal(earlier.targetLayer, 'block3_pool');
    assert.deepEqual(earlier.resolution, { bins: 8, frames: 8 });
    assert.equal(gradCam(bundle, matrix, 0).targetLayer, 'block4_pool');
    assert.throws(() => gradCam(bundle, matrix, 0, 'block9_pool'), (error: unknown) => error instanceof FileError && error.file === path.join(modelDir, 'model.json') && /block9_pool/.test(error.problem));
  });

  it('names the prosody rows in regions and on the axis, and gives Hz only for spectral bins (on the model\'s mel scale)', async () => {
    const explanation = await explainFile(bundle, file, { label: 'happy' });
    assert.equal(explanation.bins, 132);
    assert.equal(explanation.frames, 188);
    assert.deepEqual(explanation.resolution, { bins: 16, frames: 16 });
    assert.deepEqual(explanation.prosodyRows, PROSODY_ROWS);
    assert.equal(explanation.melScale, 'htk');
    // Only the F0 and voicing rows are positive, so the heat is on the top cell row: hottest in the prosody rows.
    const hottest = explanation.heat.indexOf(1);
    assert.ok(Math.floor(hottest / frames) >= spectral, `hottest in row ${Math.floor(hottest / frames)}`);
    const [top] = explanation.regions;
    assert.ok(top, 'a region stands out');
    assert.equal(top.highBin, bins - 1);
    assert.deepEqual(top.prosodyRows, PROSODY_ROWS.slice(Math.max(0, top.lowBin - spectral)));
    assert.ok(top.startSeconds < voiced.end && top.endSeconds > voiced.start, `region ${top.startSeconds}–${top.endSeconds} s`);
    // Bilinear upsampling spills the cell's heat a little into the mel bands below: their Hz end at fMax, not beyond.
    const edges = melFrequencies(spectral + 2, prosodyConfig.fMin, prosodyConfig.fMax, 'htk');
    if (top.lowBin < spectral) {
      assert.equal(top.lowHz, edges[top.lowBin]);
      assert.equal(top.highHz, edges[spectral + 1]);
      assert.ok(Math.abs(edges[spectral + 1] - prosodyConfig.fMax) < 1e-6);
      assert.match(describeRegion(top), /^\d\.\d\d–\d\.\d\d s, [\d,]+–8,000 Hz and the F0, voicing, energy and harmonics-to-noise ratio rows \(\d+% of the heat\)$/);
    } else {
      assert.equal(top.lowHz, undefined);
      assert.equal(top.highHz, undefined);
      assert.match(describeRegion(top), /^\d\.\d\d–\d\.\d\d s, the (F0|voicing)[a-z ,-]* rows? \(\d+% of the heat\)$/);
    }
    for (const region of explanation.regions) assert.ok(region.highHz === undefined || region.highHz <= prosodyConfig.fMax + 1e-6);

    // The overlay's axis: HTK centres for the mel bands, names for the prosody rows, one "prosody" tick.
    const axis = explanationAxis(explanation);
    assert.equal(axis.labels.length, bins);
    assert.deepEqual(axis.labels.slice(spectral), PROSODY_ROWS);
    assert.equal(axis.values[spectral - 1], edges[spectral]);
    assert.equal(axis.labels[spectral - 1], formatHz(edges[spectral]));
    assert.notEqual(axis.labels[spectral - 1], formatHz(melFrequencies(spectral + 2, prosodyConfig.fMin, prosodyConfig.fMax, 'slaney')[spectral]));
    assert.equal(axis.ticktext[axis.ticktext.length - 1], 'prosody');
    assert.equal(axis.tickvals[axis.tickvals.length - 1], spectral + 1.5);
    assert.ok(axis.tickvals.slice(0, -1).every((at) => at < spectral - 1), 'the frequency ticks stay below the prosody rows');

    // Drawn shades: the mel bands on one scale, each prosody row on its own (voicing is 0 or 1).
    const shades = featureShades(explanation);
    assert.equal(shades.length, bins);
    assert.ok(shades.every((row) => row.every((v) => v >= 0 && v <= 1)));
    assert.deepEqual([...new Set(shades[spectral + 1])].sort(), [0, 1]);
    assert.equal(Math.max(...shades[spectral + 2]), 1, 'the energy row spans the full grey scale');
    assert.equal(checkOutput(MIME.explanation, explanation), explanation);
    assert.throws(() => checkOutput(MIME.explanation, { ...explanation, prosodyRows: new Array(bins).fill('F0') }), /prosody rows/);
  });

  it('explain and classify name emotion.json when its feature settings no longer give the model\'s input', async () => {
    const changed: ModelBundle = { ...bundle, meta: { ...bundle.meta, feature: { ...bundle.meta.feature, config: { ...prosodyConfig, clipSeconds: 2 } } } };
    await assert.rejects(explainFile(changed, file, { label: 'happy' }), (error: unknown) => error instanceof FileError && error.file === path.join(modelDir, 'emotion.json') && /126 frames but its input shape is 132 × 188/.test(error.problem));
    // Classification refuses the same model the same way instead of predicting on a misaligned input.
    assert.throws(() => classifyFile(changed, file), (error: unknown) => error instanceof FileError && error.file === path.join(modelDir, 'emotion.json') && /input shape is 132 × 188/.test(error.problem));
  });
});
