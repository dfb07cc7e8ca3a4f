import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let ensured = false;

/**
 * esbuild-wasm runs its compiler as a `node` child process. Inside VS Code the worker runs on the editor's own
 * runtime (Electron as Node), and a `node` command may not exist: then a `node` on PATH is made that starts this same
 * runtime in Node mode. Does nothing when `node` works already.
 */
export function ensureNodeCommand(): void {
  if (ensured) return;
  ensured = true;
  if (spawnSync('node', ['--version'], { stdio: 'ignore', windowsHide: true }).status === 0) return;
  const dir = path.join(os.tmpdir(), `voice-emotion-node-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  if (process.platform === 'win32') {
    fs.writeFileSync(path.join(dir, 'node.cmd'), `@"${process.execPath}" %*\r\n`);
  } else {
    const shim = path.join(dir, 'node');
    fs.writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
  }
  process.env.ELECTRON_RUN_AS_NODE = '1';
  process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}
