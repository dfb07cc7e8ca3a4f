import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Finds a file the build writes to dist/ (a worker-thread script, a wasm module): beside the running bundle, or in
 * dist/ above the source tree when running from source (tests, tsx). Undefined when it was never built.
 */
export function findBuiltFile(name: string): string | undefined {
  const beside = path.join(__dirname, name);
  if (fs.existsSync(beside)) return beside;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dist', name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
