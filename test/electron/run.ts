/**
 * `npm run test:electron`: the API suite (test/electron/suite.ts) in desktop VS Code, downloaded by @vscode/test-electron
 * (version from VSCODE_VERSION, default stable). Needs https://update.code.visualstudio.com and, on Linux without a
 * display, xvfb-run. Where VS Code cannot be downloaded it says so and fails; the same scenarios run in code-server as
 * part of `npm test` (test/e2e/api.e2e.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { makeWorkspace } from '../e2e/workspace';
import type { ApiResults } from './suite';
import { buildApiSuite } from './build';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    console.error('test:electron: dist/extension.js is missing; run npm run build first.');
    return 1;
  }
  const version = process.env.VSCODE_VERSION ?? 'stable';
  let executable: string;
  try {
    executable = await downloadAndUnzipVSCode({ version, cachePath: path.join(ROOT, '.vscode-test') });
  } catch (error) {
    console.error(
      `test:electron cannot run here: downloading VS Code ${version} failed (${error instanceof Error ? error.message : String(error)}).\n` +
        'It needs https://update.code.visualstudio.com. The same scenarios run in code-server in npm test (test/e2e/api.e2e.test.ts).',
    );
    return 1;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY) console.warn('test:electron: no DISPLAY; on a headless Linux machine run it as xvfb-run -a npm run test:electron.');
  const workspace = makeWorkspace({ notebook: true });
  const resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'voice-emotion-api-')), 'results.json');
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: buildApiSuite(),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(path.dirname(resultsFile), 'user')],
      extensionTestsEnv: { EMO_QUICK: '1', VOICE_EMOTION_API_RESULTS: resultsFile },
    });
  } catch (error) {
    console.error(`test:electron: VS Code reported a failure (${error instanceof Error ? error.message : String(error)}).`);
  }
  const results: ApiResults | undefined = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as ApiResults) : undefined;
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.rmSync(path.dirname(resultsFile), { recursive: true, force: true });
  if (!results) {
    console.error('test:electron: the suite wrote no results (VS Code did not start, or the extension host crashed).');
    return 1;
  }
  for (const name of results.passed) process.stdout.write(`✔ ${name}\n`);
  for (const failure of results.failed) process.stdout.write(`✖ ${failure.name}\n${failure.error}\n`);
  process.stdout.write(`${results.passed.length} passed, ${results.failed.length} failed\n`);
  return results.failed.length ? 1 : 0;
}

void main().then((code) => (process.exitCode = code));
