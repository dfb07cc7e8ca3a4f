/**
 * The core scenarios through the VS Code API, run inside VS Code's extension host: by @vscode/test-electron
 * (`npm run test:electron`, desktop VS Code) and by the end-to-end suite in code-server (test/e2e/api.e2e.test.ts).
 * The workspace is made by makeWorkspace (test/e2e/workspace.ts): clip.wav, long.wav, corrupt.wav and quickstart.emonb.
 * The extension host loads this file's bundle and calls run(); a rejection fails the run.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Explanation } from '../../src/shared/explanation';
import type { ClassifyRowView, RunSummary, SpectrogramView } from '../../src/shared/panelProtocol';
import type { TrainCommandResult } from '../../src/extension/commands/train';

const EXTENSION_ID = 'voice-emotion-lab.voice-emotion';
const EMOTIONS = /^(neutral|calm|happy|sad|angry|fearful|disgust|surprised)$/;

interface Scenario {
  readonly name: string;
  readonly body: () => Promise<void>;
}

/** What one run reports (also written as JSON to $VOICE_EMOTION_API_RESULTS when that is set). */
export interface ApiResults {
  readonly passed: string[];
  readonly failed: { name: string; error: string }[];
}

const scenarios: Scenario[] = [];
function scenario(name: string, body: () => Promise<void>): void {
  scenarios.push({ name, body });
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

function wavFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? wavFilesUnder(full) : entry.name.endsWith('.wav') ? [full] : [];
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

let corpus = '';
let labels: string[] = [];

scenario('the extension activates and registers every command it contributes', async () => {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  await extension.activate();
  const contributed = (extension.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
  const registered = new Set(await vscode.commands.getCommands(true));
  assert.deepEqual(contributed.filter((id) => !registered.has(id)), []);
});

scenario('Generate Demo Corpus writes 480 RAVDESS-named clips into the workspace', async () => {
  corpus = (await vscode.commands.executeCommand<string | undefined>('voiceEmotion.generateDemoCorpus')) ?? '';
  assert.equal(corpus, workspaceFile('demo-corpus').fsPath);
  const files = wavFilesUnder(corpus);
  assert.equal(files.length, 480);
  assert.ok(files.every((f) => /^\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.wav$/.test(path.basename(f))));
});

scenario('Train Model with arguments trains (a second run meanwhile is refused), saves a valid bundle and makes it the active model', async () => {
  const args = { dataDir: corpus, arch: 'cnn', epochs: 2, augment: 'none', split: 'actors' };
  const running = vscode.commands.executeCommand<TrainCommandResult | undefined>('voiceEmotion.train', args);
  // One job at a time: a second run started meanwhile is refused at once.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await vscode.commands.executeCommand('voiceEmotion.train', args), undefined, 'a second run is refused while one trains');
  const result = await running;
  assert.ok(result, 'a model was saved');
  assert.deepEqual(fs.readdirSync(path.dirname(result.modelDir)), [path.basename(result.modelDir)], 'one model folder');
  for (const file of ['emotion.json', 'model.json', 'weights.bin']) assert.ok(fs.existsSync(path.join(result.modelDir, file)), `${file} is in the model folder`);
  const meta = JSON.parse(fs.readFileSync(path.join(result.modelDir, 'emotion.json'), 'utf8')) as { arch: string; labels: string[] };
  assert.equal(meta.arch, 'cnn');
  assert.equal(meta.labels.length, 8);
  labels = meta.labels;
  assert.ok(result.testUar !== undefined && result.testUar >= 0 && result.testUar <= 1, 'a test UAR in [0, 1]');
});

scenario('Classify Emotion (the active model) gives an emotion and probabilities that sum to 1', async () => {
  const rows = await vscode.commands.executeCommand<ClassifyRowView[] | undefined>('voiceEmotion.classify', workspaceFile('clip.wav'));
  assert.ok(rows?.length === 1, 'one row');
  const [row] = rows;
  assert.equal(row.error, undefined);
  assert.match(row.label ?? '', EMOTIONS);
  const probabilities = row.probabilities ?? {};
  assert.deepEqual(Object.keys(probabilities).sort(), [...labels].sort());
  const sum = Object.values(probabilities).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to 1 (got ${sum})`);
  assert.equal(row.label, Object.entries(probabilities).sort((a, b) => b[1] - a[1])[0][0], 'the label is the most probable emotion');
});

scenario('Explain Emotion resolves with the heat over the clip\'s features, by Grad-CAM and by occlusion', async () => {
  for (const method of ['gradcam', 'occlusion'] as const) {
    const explanation = await vscode.commands.executeCommand<Explanation | undefined>('voiceEmotion.explain', workspaceFile('clip.wav'), { method });
    assert.ok(explanation, `an explanation by ${method}`);
    assert.equal(explanation.method, method);
    assert.match(explanation.predicted, EMOTIONS);
    assert.equal(explanation.label, explanation.predicted);
    assert.deepEqual(Object.keys(explanation.probabilities).sort(), [...labels].sort());
    assert.equal(explanation.heat.length, explanation.bins * explanation.frames);
    assert.ok(explanation.heat.every((h) => h >= 0 && h <= 1), 'heat in 0..1');
    assert.deepEqual(explanation.features.shape, [explanation.bins, explanation.frames]);
    for (const region of explanation.regions) {
      assert.ok(region.startSeconds >= 0 && region.endSeconds <= explanation.durationSeconds + 1e-6 && region.startSeconds < region.endSeconds, 'regions lie in the file');
      assert.ok(region.lowHz !== undefined && region.highHz !== undefined && region.lowHz < region.highHz, 'regions have a band in Hz');
    }
  }
});

scenario('a corrupt .wav gets an error naming the problem; the next file still classifies, with a timeline', async () => {
  const rows = await vscode.commands.executeCommand<ClassifyRowView[] | undefined>('voiceEmotion.classify', workspaceFile('corrupt.wav'), [workspaceFile('corrupt.wav'), workspaceFile('long.wav')]);
  assert.ok(rows?.length === 2, 'two rows');
  const corrupt = rows.find((r) => r.file.endsWith('corrupt.wav'));
  const long = rows.find((r) => r.file.endsWith('long.wav'));
  assert.match(corrupt?.error ?? '', /truncated|fmt chunk|not a WAV|too short/i);
  assert.match(long?.label ?? '', EMOTIONS);
  assert.ok((long?.timeline?.length ?? 0) >= 2, 'the 8-s file has a timeline');
});

scenario('Show Spectrogram computes the waveform, the log-mel and the prosody of a .wav', async () => {
  const view = await vscode.commands.executeCommand<SpectrogramView | undefined>('voiceEmotion.showSpectrogram', workspaceFile('clip.wav'));
  assert.ok(view, 'a spectrogram');
  assert.equal(view.matrix.kind, 'logmel');
  const [bins, frames] = view.matrix.shape;
  assert.equal(bins, view.nMels);
  assert.ok(frames > 50, `frames for 2 s of audio (${frames})`);
  assert.ok(view.matrix.data.flat().every(Number.isFinite));
  // The clip is a synthetic voice around 120 Hz (±3 semitones): its F0 contour lines up with the frames.
  const prosody = view.prosody;
  assert.ok(prosody, 'the view carries the prosody');
  assert.equal(prosody.f0Hz.length, frames);
  assert.ok(prosody.summary.voicedFraction > 0.3, `voiced frames (${prosody.summary.voicedFraction})`);
  const f0 = prosody.summary.f0MeanHz ?? 0;
  assert.ok(f0 > 95 && f0 < 150, `F0 mean near 120 Hz (${f0})`);
});

scenario('Export Model for the Web writes the model, the runtime and a page, and refuses to overwrite without force', async () => {
  const models = workspaceFile('models').fsPath;
  const [name] = fs.readdirSync(models).filter((entry) => fs.existsSync(path.join(models, entry, 'emotion.json')));
  assert.ok(name, 'the trained model is in the models folder');
  const modelDir = path.join(models, name);
  const outDir = workspaceFile('web-export').fsPath;
  const result = await vscode.commands.executeCommand<{ outDir: string; files: string[] } | undefined>('voiceEmotion.exportModel', { modelDir, outDir });
  assert.ok(result, 'the model was exported');
  assert.equal(result.outDir, outDir);
  assert.deepEqual(fs.readdirSync(outDir).sort(), [...result.files].sort());
  for (const file of ['index.html', 'voice-emotion.js', 'tf.min.js', 'README.md']) assert.ok(result.files.includes(file), `${file} is exported`);
  for (const file of ['emotion.json', 'model.json', 'weights.bin']) assert.ok(fs.readFileSync(path.join(outDir, file)).equals(fs.readFileSync(path.join(modelDir, file))), `${file} is copied unchanged`);
  assert.equal(await vscode.commands.executeCommand('voiceEmotion.exportModel', { modelDir, outDir }), undefined, 'exporting into the non-empty folder is refused');
  assert.ok(await vscode.commands.executeCommand('voiceEmotion.exportModel', { modelDir, outDir, force: true }), 'with force the earlier export is replaced');
});

scenario('Train Model with a k-fold split trains a model per fold; Compare Runs resolves with the recorded runs', async () => {
  const result = await vscode.commands.executeCommand<TrainCommandResult | undefined>('voiceEmotion.train', { dataDir: corpus, arch: 'cnn', epochs: 1, augment: 'none', split: 'kfold', folds: 3 });
  assert.ok(result?.kfold, 'a k-fold result');
  const tested = result.kfold.folds.flatMap((fold) => fold.testSpeakers);
  assert.equal(result.kfold.folds.length, 3);
  assert.equal(new Set(tested).size, tested.length, 'no speaker is tested twice');
  assert.equal(tested.length, 8, 'every speaker of the demo corpus is tested once');
  assert.equal(result.kfold.summary.n, 480, 'every clip is tested once');
  for (const fold of result.kfold.folds) assert.ok(fs.existsSync(path.join(fold.modelDir, 'emotion.json')), `fold ${fold.fold} has a model`);
  const runs = await vscode.commands.executeCommand<RunSummary[]>('voiceEmotion.compareRuns');
  const kfold = runs.find((run) => run.kind === 'kfold' && path.basename(run.modelDir) === path.basename(result.modelDir));
  assert.ok(kfold?.kfold, 'Compare Runs shows the k-fold run with its summary');
  assert.equal(kfold.source, 'extension');
  assert.equal(kfold.kfold.folds, 3);
  assert.equal(kfold.testUar, result.testUar);
  assert.equal(runs.filter((run) => run.kind === 'fold').length, 3);
  assert.ok(runs.some((run) => run.kind === 'single' && run.source === 'extension' && run.status === 'done' && run.testConfusion), 'the earlier run is recorded with its confusion matrix');
});

scenario('the quickstart notebook runs top to bottom; its rich outputs are saved with the file', async () => {
  const uri = workspaceFile('quickstart.emonb');
  const document = await vscode.workspace.openNotebookDocument(uri);
  await vscode.window.showNotebookDocument(document);
  await vscode.commands.executeCommand('notebook.execute');
  const code = () => document.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
  await until('every code cell to finish', 600_000, () => {
    const failed = code().find((cell) => cell.executionSummary?.success === false);
    if (failed) throw new Error(`code cell ${failed.index + 1} failed: ${JSON.stringify(failed.outputs.flatMap((o) => o.items.map((i) => new TextDecoder().decode(i.data))).slice(0, 2))}`);
    return code().every((cell) => cell.executionSummary?.success === true) ? true : undefined;
  });
  await document.save();
  const saved = JSON.parse(fs.readFileSync(uri.fsPath, 'utf8')) as { cells: { outputs?: { items: { mime: string }[] }[] }[] };
  const mimes = new Set(saved.cells.flatMap((cell) => cell.outputs ?? []).flatMap((output) => output.items.map((item) => item.mime)));
  for (const kind of ['spectrogram', 'audio', 'training', 'metrics', 'classification', 'explorer']) {
    assert.ok(mimes.has(`application/vnd.voice-emotion.${kind}+json`), `the saved file has the ${kind} output`);
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

/** Runs every scenario in order (later ones use what earlier ones made); rejects when any failed. */
export async function run(): Promise<void> {
  const results: ApiResults = { passed: [], failed: [] };
  for (const { name, body } of scenarios) {
    const started = Date.now();
    try {
      await body();
      results.passed.push(name);
      process.stdout.write(`✔ ${name} (${Date.now() - started} ms)\n`);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.failed.push({ name, error: text });
      console.error(`✖ ${name}\n${text}`);
    }
  }
  process.stdout.write(`${results.passed.length} passed, ${results.failed.length} failed\n`);
  const out = process.env.VOICE_EMOTION_API_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 1));
  if (results.failed.length) throw new Error(`${results.failed.length} of ${scenarios.length} scenarios failed: ${results.failed.map((f) => f.name).join('; ')}`);
}
