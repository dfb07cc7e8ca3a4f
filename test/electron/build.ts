import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** The repository root. */
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Bundles test/electron/suite.ts into out-test/api-suite.js (CommonJS, `vscode` left to the extension host) and returns
 * its path: the module an extension host loads as its extension tests.
 */
export function buildApiSuite(): string {
  const outfile = path.join(ROOT, 'out-test', 'api-suite.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'test', 'electron', 'suite.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
