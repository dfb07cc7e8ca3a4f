import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiResults } from '../electron/suite';
import { buildApiSuite } from '../electron/build';
import { e2eSkip, openVsCode, removeTree, type VsCode } from './harness';
import { makeWorkspace } from './workspace';

const skip = e2eSkip();

/**
 * The @vscode/test-electron suite (test/electron/suite.ts) run in code-server's extension host: the same scenarios
 * through the VS Code API, with the extension loaded from the repository in development mode.
 */
describe('the VS Code API suite in code-server', { skip, timeout: 900_000 }, () => {
  let vs: VsCode;
  let workspace: string;
  let resultsFile: string;
  before(async () => {
    workspace = makeWorkspace({ notebook: true });
    resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'voice-emotion-api-')), 'results.json');
    vs = await openVsCode({ workspace, trusted: true, extensionTests: { module: buildApiSuite(), env: { VOICE_EMOTION_API_RESULTS: resultsFile } } });
  });
  after(async () => {
    await vs?.close();
    if (workspace) removeTree(workspace);
    if (resultsFile) removeTree(path.dirname(resultsFile));
  });

  it('every scenario passes: activation, demo corpus, training, classify, explain, a corrupt file, spectrogram and prosody, export, k-fold and Compare Runs, the notebook', async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the API suite did not finish within 14 minutes')), 840_000)));
    const code = await Promise.race([vs.testsExit!, timeout])
      .catch(async (error: unknown) => {
        await vs.saveFailure('failure-api-suite');
        throw error;
      })
      .finally(() => clearTimeout(timer));
    assert.ok(fs.existsSync(resultsFile), `the suite wrote its results (extension host exit code ${code})`);
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as ApiResults;
    if (results.failed.length) await vs.saveFailure('failure-api-suite');
    assert.deepEqual(results.failed, []);
    assert.equal(results.passed.length, 10);
    assert.equal(code, 0);
  });
});
