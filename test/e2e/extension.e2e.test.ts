import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBundle } from '../../src/core/bundle/bundle';
import { makeWorkspace } from './workspace';
import { answer, chooseFile, e2eSkip, notification, openVsCode, panelFrame, panelText, pick, removeTree, runCommand, screenshot, type VsCode } from './harness';

const skip = e2eSkip();

/** Polls `condition` every 250 ms for up to 30 s. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Model folders under the workspace's models/ folder. */
function models(workspace: string): string[] {
  const root = path.join(workspace, 'models');
  return fs.existsSync(root) ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'emotion.json'))) : [];
}

describe('the extension in VS Code (code-server + Chromium), trusted workspace', { skip, timeout: 1_200_000 }, () => {
  let vs: VsCode;
  let workspace: string;
  const step = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      await vs.saveFailure(`failure-${name}`);
      throw error;
    }
  };

  before(async () => {
    workspace = makeWorkspace();
    vs = await openVsCode({ workspace, trusted: true, settings: { 'voiceEmotion.features.clipSeconds': 2 } });
  });
  after(async () => {
    await vs?.close();
    if (workspace) removeTree(workspace);
  });

  it('Generate Demo Corpus writes the RAVDESS-shaped corpus into the workspace', () =>
    step('demo-corpus', async () => {
      await runCommand(vs.page, 'Voice Emotion: Generate Demo Corpus');
      await notification(vs.page, /demo corpus written to demo-corpus \(480 clips, 8 actors\)/, 180_000);
      assert.equal(fs.readdirSync(path.join(workspace, 'demo-corpus', 'Actor_01')).filter((f) => f.endsWith('.wav')).length, 60);
    }));

  it('Train Model… asks five questions, trains with the live dashboard, saves the model and makes it active', () =>
    step('train', async () => {
      const page = vs.page;
      await runCommand(page, 'Voice Emotion: Train Model…');
      await pick(page, 'demo-corpus');
      await pick(page, 'cnn-bn');
      await answer(page, '2', '(3/5)');
      await pick(page, 'none');
      await pick(page, 'By actor');
      const dashboard = await panelFrame(page, 'dashboard');
      await dashboard.locator('#root', { hasText: /running/i }).waitFor({ timeout: 60_000 });
      await screenshot(page, 'dashboard-running');
      // The progress notification advances: it is read while training runs, until the model is saved.
      const saved = notification(page, /model cnn-bn-\S+ saved \(test UAR [\d.]+%\); it is now the active model/, 600_000);
      let finished = false;
      void saved.then(() => (finished = true), () => (finished = true));
      const positions: number[] = [];
      while (!finished) {
        const toasts = await page.locator('.notifications-toasts .notification-toast', { hasText: 'Training cnn-bn' }).allInnerTexts().catch(() => []);
        for (const match of toasts.flatMap((text) => [...text.matchAll(/Epoch (\d+)\/2, batch (\d+)\/(\d+)/g)])) {
          const position = Number(match[1]) * 10_000 + Number(match[2]);
          if (positions.at(-1) !== position) positions.push(position);
        }
        await page.waitForTimeout(200);
      }
      await saved;
      assert.ok(new Set(positions).size >= 3, `the progress notification advanced (saw ${positions.length} positions)`);
      assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'progress only moves forward');
      assert.ok(positions.some((p) => p >= 20_000), 'progress reached the second epoch');
      await dashboard.locator('#root', { hasText: /Predicted/ }).waitFor({ timeout: 30_000 });
      const text = await dashboard.locator('#root').innerText();
      assert.match(text, /done/i);
      assert.match(text, /UAR/);
      // The model folder holds a valid bundle: emotion.json matches the model files' hashes, shapes agree.
      assert.equal(models(workspace).length, 1);
      const bundle = await loadBundle(path.join(workspace, 'models', models(workspace)[0]));
      assert.equal(bundle.meta.arch, 'cnn-bn');
      assert.equal(bundle.model.outputs[0].shape[1], bundle.meta.labels.length);
      bundle.model.dispose();
      await screenshot(page, 'dashboard-done');
    }));

  it('Classify Emotion (palette, file dialog) shows the emotion, the probabilities, the spectrogram and why (Grad-CAM, occlusion)', () =>
    step('classify', async () => {
      await runCommand(vs.page, 'Voice Emotion: Classify Emotion');
      await chooseFile(vs.page, path.join(workspace, 'clip.wav'));
      const panel = await panelFrame(vs.page, 'classify');
      await panel.locator('#root', { hasText: 'clip.wav' }).waitFor({ timeout: 60_000 });
      const text = await panel.locator('#root').innerText();
      assert.match(text, /neutral|calm|happy|sad|angry|fearful|disgust|surprised/);
      assert.ok((await panel.locator('.js-plotly-plot').count()) >= 2, 'probability bars and spectrogram are drawn');
      // Why this emotion: the Grad-CAM heat over the clip's features, then occlusion from the method switch.
      const explanation = panel.locator('section.explanation');
      await explanation.locator('h2', { hasText: /^Why \w+\? clip\.wav/ }).waitFor({ timeout: 60_000 });
      await explanation.locator('p.meta', { hasText: /^Grad-CAM at layer/ }).waitFor({ timeout: 10_000 });
      const heat = () =>
        panel.evaluate(() =>
          [...document.querySelectorAll('section.explanation .js-plotly-plot')]
            .flatMap((plot) => (plot as unknown as { data?: { name?: string; z?: (number | null)[][] }[] }).data ?? [])
            .filter((trace) => trace.name === 'Heat')
            .map((trace) => (trace.z ?? []).flat().filter((v): v is number => v !== null)),
        );
      const [gradCam] = await heat();
      assert.ok(gradCam?.length, 'the heat overlay is drawn');
      assert.ok(gradCam.every((v) => v >= 0 && v <= 1) && Math.max(...gradCam) > 0.5, 'heat in 0..1 with a hot region');
      await screenshot(vs.page, 'classify');
      await explanation.getByText('Occlusion', { exact: true }).click();
      await explanation.locator('p.meta', { hasText: /^Occlusion with patches/ }).waitFor({ timeout: 120_000 });
      assert.ok((await heat())[0]?.length, 'the occlusion heat is drawn');
      assert.match(await explanation.innerText(), /\d+(\.\d+)?[–-]\d+(\.\d+)? s/, 'the regions are given in seconds');
    }));

  it('Classify Emotion from the Explorer context menu classifies the file, the long one with a timeline', () =>
    step('classify-explorer', async () => {
      const page = vs.page;
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'long.wav' }).first();
      await row.click({ button: 'right' });
      const item = page.locator('.context-view .action-label', { hasText: 'Classify Emotion' }).first();
      await item.hover();
      await page.keyboard.press('Enter');
      await screenshot(page, 'explorer-context-menu');
      const text = await panelText(page, 'classify', 'long.wav');
      assert.match(text, /neutral|calm|happy|sad|angry|fearful|disgust|surprised/);
      assert.match(text, /over time|timeline/i);
      // The probability bars are the model's softmax: one bar per emotion, summing to 1.
      const panel = await panelFrame(page, 'classify');
      const bars = await panel.evaluate(() =>
        [...document.querySelectorAll('.js-plotly-plot')]
          .map((plot) => (plot as unknown as { data?: { type?: string; orientation?: string; base?: unknown; x?: number[]; y?: string[] }[] }).data?.[0])
          // The probability bars start at 0; the timeline's bars start where their segment does (a base).
          .filter((trace) => trace?.type === 'bar' && trace.orientation === 'h' && trace.base === undefined)
          .map((trace) => ({ labels: trace!.y ?? [], probabilities: trace!.x ?? [] })),
      );
      assert.equal(bars.length, 1, 'one probability chart');
      assert.ok(bars[0].labels.length >= 2);
      const sum = bars[0].probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to 1 (got ${sum})`);
      assert.ok(bars[0].probabilities.every((p) => p >= 0 && p <= 1));
    }));

  it('a corrupt .wav gets a clear error naming the file, and the extension keeps working', () =>
    step('corrupt', async () => {
      await runCommand(vs.page, 'Voice Emotion: Classify Emotion');
      await chooseFile(vs.page, path.join(workspace, 'corrupt.wav'));
      const text = await panelText(vs.page, 'classify', 'corrupt.wav');
      assert.match(text, /truncated|fmt chunk|not a WAV|too short/i);
      await runCommand(vs.page, 'Voice Emotion: Show Spectrogram');
      await chooseFile(vs.page, path.join(workspace, 'corrupt.wav'));
      await notification(vs.page, /corrupt\.wav: .*(truncated|fmt chunk|too short)/i, 60_000);
      // The output channel keeps the error too, with the file's path.
      await waitFor(() => vs.outputLog().includes(path.join(workspace, 'corrupt.wav')), 'the output channel names corrupt.wav');
    }));

  it('Show Spectrogram draws the waveform, log-mel and prosody, and switches to MFCC', () =>
    step('spectrogram', async () => {
      await runCommand(vs.page, 'Voice Emotion: Show Spectrogram');
      await chooseFile(vs.page, path.join(workspace, 'clip.wav'));
      const panel = await panelFrame(vs.page, 'spectrogram');
      await panel.locator('.js-plotly-plot').first().waitFor({ timeout: 60_000 });
      assert.match(await panel.locator('#root').innerText(), /Log-mel, 128 ×/);
      // The prosody: the F0 contour over the spectrogram and the clip's summary in a table.
      const traces = await panel.evaluate(() =>
        [...document.querySelectorAll('.js-plotly-plot')].flatMap((plot) => ((plot as unknown as { data?: { name?: string }[] }).data ?? []).map((trace) => trace.name)),
      );
      assert.ok(traces.includes('F0') && traces.includes('Energy'), `F0 and energy contours are drawn (${traces.join(', ')})`);
      assert.match(await panel.locator('#root').innerText(), /Jitter \(local\)[\s\S]*Harmonics-to-noise ratio/);
      await panel.getByText('MFCC', { exact: true }).click();
      await panel.locator('#root', { hasText: /MFCC, 40 ×/ }).waitFor({ timeout: 30_000 });
    }));

  it('Evaluate Model… reports the test split with a confusion matrix', () =>
    step('evaluate', async () => {
      await runCommand(vs.page, 'Voice Emotion: Evaluate Model…');
      await pick(vs.page, models(workspace)[0]);
      await pick(vs.page, 'demo-corpus');
      const panel = await panelFrame(vs.page, 'evaluation', 180_000);
      await panel.locator('#root', { hasText: /test split/ }).waitFor({ timeout: 60_000 });
      assert.match(await panel.locator('#root').innerText(), /Predicted|UAR/);
    }));

  it('Compare Runs lists the recorded run; Select Active Model… switches to it', () =>
    step('runs', async () => {
      await runCommand(vs.page, 'Voice Emotion: Compare Runs');
      const panel = await panelFrame(vs.page, 'runs');
      await panel.locator('#root', { hasText: models(workspace)[0] }).waitFor({ timeout: 30_000 });
      // The run record of the palette's training run: its settings side by side and where it came from.
      const text = await panel.locator('#root').innerText();
      assert.match(text, /Settings side by side/);
      assert.match(text, /extension/);
      assert.equal(fs.readdirSync(path.join(workspace, 'models', models(workspace)[0], 'runs')).filter((f) => f.endsWith('.json')).length, 1, 'one run record');
      await runCommand(vs.page, 'Voice Emotion: Select Active Model…');
      await pick(vs.page, models(workspace)[0]);
      await notification(vs.page, /is now the active model/);
    }));

  it('Preprocess Dataset… and Augment Dataset… report what they did', () =>
    step('preprocess', async () => {
      await runCommand(vs.page, 'Voice Emotion: Preprocess Dataset…');
      await pick(vs.page, 'demo-corpus');
      await notification(vs.page, /preprocessing — 480 files/, 180_000);
      await runCommand(vs.page, 'Voice Emotion: Augment Dataset…');
      await pick(vs.page, 'demo-corpus');
      await pick(vs.page, 'light');
      await answer(vs.page, '1', '(3/3)');
      await notification(vs.page, /augmentation — 480 files/, 300_000);
    }));

  it('Cancel Running Job stops a training run; the dashboard shows it cancelled', () =>
    step('cancel', async () => {
      const page = vs.page;
      await runCommand(page, 'Voice Emotion: Train Model…');
      await pick(page, 'demo-corpus');
      await pick(page, 'cnn');
      await answer(page, '20', '(3/5)');
      await pick(page, 'none');
      await pick(page, 'By actor');
      const dashboard = await panelFrame(page, 'dashboard');
      await dashboard.locator('#root', { hasText: /Epoch 1/ }).waitFor({ timeout: 120_000 });
      await runCommand(page, 'Voice Emotion: Cancel Running Job');
      await notification(page, /was cancelled/, 60_000);
      await dashboard.locator('#root', { hasText: /cancelled/i }).waitFor({ timeout: 30_000 });
    }));

  it('Train Model… with k-fold by speaker trains a model per fold; the dashboard fills a row per fold and the mean ± std', () =>
    step('kfold', async () => {
      const page = vs.page;
      await runCommand(page, 'Voice Emotion: Train Model…');
      await pick(page, 'demo-corpus');
      await pick(page, 'cnn');
      await answer(page, '1', '(3/5)');
      await pick(page, 'none');
      await pick(page, 'k-fold by speaker');
      await answer(page, '3', '(5/5)');
      const dashboard = await panelFrame(page, 'dashboard');
      await dashboard.locator('#root', { hasText: 'Folds (3, by speaker)' }).waitFor({ timeout: 120_000 });
      await notification(page, /k-fold run \S+ finished: test UAR [\d.]+% ± [\d.]+% over 3 folds/, 600_000);
      const folds = dashboard.locator('section.folds-section');
      // The mean ± std line over all three folds (while folds run it says how many it covers).
      await folds.locator('tr', { hasText: /Mean ± std(?! \()/ }).waitFor({ timeout: 30_000 });
      const rows = await folds.locator('tbody tr').allInnerTexts();
      assert.equal(rows.filter((row) => /^Fold \d/.test(row.trim())).length, 3, `a row per fold (${rows.join(' | ')})`);
      assert.ok(rows.filter((row) => /^Fold \d/.test(row.trim())).every((row) => /done/.test(row)), 'every fold done');
      await screenshot(page, 'dashboard-kfold');
    }));

  it('Install Native TensorFlow Backend runs npm with progress and says what happened', () =>
    step('native', async () => {
      await runCommand(vs.page, 'Voice Emotion: Install Native TensorFlow Backend');
      await pick(vs.page, 'CPU: @tensorflow/tfjs-node');
      // With internet the library downloads and installs; here its download host is unreachable and the failure is
      // explained. Either way a message says which.
      const text = await notification(vs.page, /tfjs-node is installed|installing tfjs-node failed|did not produce the native TensorFlow library/, 600_000);
      await screenshot(vs.page, 'native-backend');
      if (/failed|did not produce/.test(text)) assert.match(text, /storage\.googleapis\.com|"Voice Emotion" log/);
    }));

  it('panels follow the light, dark and high-contrast themes', () =>
    step('themes', async () => {
      await runCommand(vs.page, 'Voice Emotion: Open Training Dashboard');
      for (const [theme, bodyClass] of [['Dark Modern', 'vscode-dark'], ['Dark High Contrast', 'vscode-high-contrast'], ['Light Modern', 'vscode-light']]) {
        await runCommand(vs.page, 'Preferences: Color Theme');
        await vs.page.locator('.quick-input-widget input').fill(theme);
        await pick(vs.page, theme);
        const panel = await panelFrame(vs.page, 'dashboard');
        await panel.locator(`body.${bodyClass}`).waitFor({ state: 'attached', timeout: 30_000 });
        await vs.page.waitForTimeout(500);
        await screenshot(vs.page, `theme-${bodyClass}`);
      }
    }));
});

describe('the extension in VS Code, untrusted workspace', { skip, timeout: 300_000 }, () => {
  let vs: VsCode;
  let workspace: string;
  const step = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      await vs.saveFailure(`failure-untrusted-${name}`);
      throw error;
    }
  };
  before(async () => {
    workspace = makeWorkspace({ notebook: true });
    vs = await openVsCode({ workspace, trusted: false });
  });
  after(async () => {
    await vs?.close();
    if (workspace) removeTree(workspace);
  });

  it("offers no training in the palette; the walkthrough's Train button is refused with the reason", () =>
    step('train', async () => {
      const page = vs.page;
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.fill('>Voice Emotion: Train Model');
      await page.waitForTimeout(1000);
      await screenshot(page, 'untrusted-palette');
      assert.equal(await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Voice Emotion: Train Model' }).count(), 0);
      await input.press('Escape');
      // The walkthrough still shows a Train Model… button; pressing it explains why nothing trains.
      await runCommand(page, 'Welcome: Open Walkthrough...');
      await pick(page, 'Get started with Voice Emotion Lab');
      await page.locator('.getting-started-step', { hasText: 'Train a model' }).first().click();
      await page.locator('.getting-started-step a, .getting-started-step button', { hasText: 'Train Model…' }).first().click();
      const text = await notification(page, /Train Model needs a trusted workspace/, 30_000);
      assert.match(text, /Trust this folder/);
      assert.equal(fs.existsSync(path.join(workspace, 'models')), false, 'nothing was trained');
      await screenshot(page, 'untrusted-train-refused');
    }));

  it('refuses to run notebook cells, saying why', () =>
    step('notebook', async () => {
      const page = vs.page;
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'quickstart.emonb' }).first().dblclick();
      await page.locator('.notebook-editor').first().waitFor({ timeout: 60_000 });
      await page.locator('.notebook-toolbar-container .action-item a[aria-label^="Run All"]').first().click();
      // VS Code asks first, explaining that running a cell runs code from the workspace; declining runs nothing.
      const dialog = page.locator('.monaco-dialog-box', { hasText: 'Executing a notebook cell will run code from this workspace' });
      await dialog.waitFor({ timeout: 30_000 });
      await screenshot(page, 'untrusted-notebook');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });
      await page.waitForTimeout(3000);
      assert.equal(fs.existsSync(path.join(workspace, 'demo-corpus')), false, 'the first cell did not run');
      assert.equal(await page.locator('.notebook-editor .cell-status-bar .codicon-notebook-state-success, .notebook-editor .codicon-notebook-state-executing').count(), 0, 'no cell ran');
    }));

  it('shows spectrograms', () =>
    step('spectrogram', async () => {
      const page = vs.page;
      await runCommand(page, 'Voice Emotion: Show Spectrogram');
      await chooseFile(page, path.join(workspace, 'clip.wav'));
      const panel = await panelFrame(page, 'spectrogram');
      await panel.locator('.js-plotly-plot').first().waitFor({ timeout: 60_000 });
    }));
});
