import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { e2eSkip, notebookPlots, openVsCode, removeTree, ROOT, runCommand, screenshot, type VsCode } from './harness';

const skip = e2eSkip();

/** A code or markdown cell of the saved notebook file, as the tests read it. */
type SavedCell = { kind: string; source: string; outputs?: { items: { mime: string; data: unknown }[] }[]; executionSummary?: { success?: boolean } };

/** The open notebook's toolbar button whose label starts with `label`. */
function toolbar(page: Page, label: string) {
  return page.locator(`.notebook-toolbar-container .action-item a[aria-label^="${label}"]`).first();
}

/**
 * Cells render lazily as the notebook scrolls, so progress is read from the file: every `everyMs` the notebook is
 * saved and its cells passed to `settled`, until that returns a value (it may assert on the way); fails with `what`
 * after `timeoutMs`.
 */
async function untilSaved<T>(page: Page, file: string, everyMs: number, timeoutMs: number, what: string, settled: (cells: SavedCell[]) => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.waitForTimeout(everyMs);
    await runCommand(page, 'File: Save');
    await page.waitForTimeout(1000);
    const result = settled((JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: SavedCell[] }).cells);
    if (result !== undefined) return result;
    assert.ok(Date.now() < deadline, what);
  }
}

describe('the quickstart notebook in VS Code', { skip, timeout: 900_000 }, () => {
  let vs: VsCode;
  let workspace: string;
  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-emotion-nb-'));
    fs.copyFileSync(path.join(ROOT, 'notebooks', 'quickstart.emonb'), path.join(workspace, 'quickstart.emonb'));
    vs = await openVsCode({ workspace, trusted: true });
  });
  after(async () => {
    await vs?.close();
    if (workspace) removeTree(workspace);
  });

  it('Run All produces the spectrogram, training-curve, confusion-matrix and explorer outputs; saved, reopened, they draw again', async () => {
    const page = vs.page;
    try {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'quickstart.emonb' }).first().dblclick();
      await page.locator('.notebook-editor').first().waitFor({ timeout: 60_000 });
      await page.locator('.notebook-toolbar-container .action-item a[aria-label^="Run All"], .notebook-toolbar-container .action-item a[title^="Run All"]').first().click();
      // Done when every code cell has a successful execution summary (execution stops at the first failure).
      const file = path.join(workspace, 'quickstart.emonb');
      const cells = await untilSaved(page, file, 10_000, 600_000, 'the notebook finished within 10 minutes', (saved) => {
        const code = saved.filter((c) => c.kind === 'code');
        const failed = code.findIndex((c) => c.executionSummary?.success === false);
        assert.equal(failed, -1, `code cell ${failed + 1} failed`);
        return code.every((c) => c.executionSummary?.success === true) ? saved : undefined;
      });
      const mimes = new Set(cells.flatMap((c) => c.outputs ?? []).flatMap((o) => o.items.map((i) => i.mime)));
      for (const mime of ['spectrogram', 'audio', 'training', 'metrics', 'classification', 'explorer']) {
        assert.ok(mimes.has(`application/vnd.voice-emotion.${mime}+json`), `saved outputs include ${mime}`);
      }
      // Reopen: reload the window (a fresh workbench, extension host and output frames), open the saved notebook, and
      // scroll through it until the saved spectrogram, training-curve and confusion-matrix outputs have drawn charts.
      await page.reload();
      await page.locator('.statusbar-item', { hasText: 'Emotion:' }).first().waitFor({ timeout: 90_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'quickstart.emonb' }).first().dblclick();
      await page.locator('.notebook-editor').first().waitFor({ timeout: 60_000 });
      const wanted = ['spectrogram', 'training', 'metrics'];
      const seen: Record<string, number> = {};
      for (let i = 0; i < 20 && !wanted.every((kind) => seen[kind]); i++) {
        await page.mouse.move(900, 500);
        await page.waitForTimeout(1500);
        for (const [kind, n] of Object.entries(await notebookPlots(page))) seen[kind] = Math.max(seen[kind] ?? 0, n);
        await screenshot(page, `notebook-outputs-${i}`);
        await page.mouse.wheel(0, 700);
      }
      for (const kind of wanted) assert.ok(seen[kind] >= 1, `the reopened notebook draws its saved ${kind} output (charts seen: ${JSON.stringify(seen)})`);
      // A picture of the reopened notebook, scrolled down a little.
      for (let i = 0; i < 6; i++) {
        await page.mouse.move(372, 500);
        await page.mouse.wheel(0, 1200);
        await page.waitForTimeout(400);
      }
      await page.waitForTimeout(1500);
      await screenshot(page, 'notebook-outputs');
    } catch (error) {
      await vs.saveFailure('failure-notebook');
      throw error;
    }
  });

  it('Interrupt stops a running cell (restarting a kernel stuck in synchronous work) and the notebook runs again', async () => {
    const page = vs.page;
    const file = path.join(workspace, 'quickstart.emonb');
    try {
      await toolbar(page, 'Restart Notebook Kernel').click();
      await page.locator('.notifications-toasts', { hasText: /kernel was restarted/ }).first().waitFor({ timeout: 30_000 });
      await toolbar(page, 'Run All').click();
      // The first cell writes the demo corpus synchronously for several seconds: Interrupt cannot stop it from inside,
      // so the kernel process is restarted after the grace period.
      await page.waitForTimeout(2000);
      await toolbar(page, 'Interrupt').click();
      const first = await untilSaved(page, file, 5000, 120_000, 'the interrupted cell ended within 2 minutes', (saved) => {
        const cell = saved.find((c) => c.kind === 'code');
        return cell?.executionSummary?.success === false ? cell : undefined;
      });
      const text = JSON.stringify(first.outputs ?? []);
      assert.match(text, /Interrupted|kernel was restarted/);
      await screenshot(page, 'notebook-interrupted');
    } catch (error) {
      await vs.saveFailure('failure-notebook-interrupt');
      throw error;
    }
  });
  it('Interrupt during emo.train stops the training cell; the model folder is released', async () => {
    const page = vs.page;
    const file = path.join(workspace, 'quickstart.emonb');
    const modelDir = path.join(workspace, 'models', 'quickstart');
    try {
      fs.rmSync(modelDir, { recursive: true, force: true });
      await toolbar(page, 'Run All').click();
      // Training holds the model folder's lock while it runs: interrupt then.
      const lock = path.join(modelDir, '.lock');
      const started = Date.now() + 300_000;
      while (!fs.existsSync(lock)) {
        assert.ok(Date.now() < started, 'training started within 5 minutes');
        await page.waitForTimeout(250);
      }
      await page.waitForTimeout(1500);
      await toolbar(page, 'Interrupt').click();
      const training = await untilSaved(page, file, 3000, 120_000, 'the interrupted training cell ended within 2 minutes', (saved) => {
        const cell = saved.find((c) => c.kind === 'code' && c.source.includes('emo.train('));
        if (cell?.executionSummary?.success === false) return cell;
        assert.notEqual(cell?.executionSummary?.success, true, 'the training cell was interrupted, not finished');
        return undefined;
      });
      assert.match(JSON.stringify(training.outputs ?? []), /Interrupted/);
      assert.equal(fs.existsSync(lock), false, 'the model folder is released');
      await screenshot(page, 'notebook-training-interrupted');
    } catch (error) {
      await vs.saveFailure('failure-notebook-interrupt-training');
      throw error;
    }
  });
});
