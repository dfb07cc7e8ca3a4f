import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Lab } from '../lab';
import { nativeBackendFolder } from '../worker';

/** The TensorFlow.js version the extension ships: native backends must match it. */
function tfjsVersion(lab: Lab): string {
  try {
    return (JSON.parse(fs.readFileSync(lab.context.asAbsolutePath('node_modules/@tensorflow/tfjs/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '4.22.0';
  }
}

/**
 * "Voice Emotion: Install Native TensorFlow Backend": `npm install` of tfjs-node or tfjs-node-gpu (with the matching
 * TensorFlow.js core and wasm backend, so all share one core) into the extension's global storage; the worker loads
 * TensorFlow.js from there from its next start.
 */
export async function installNativeBackendCommand(lab: Lab): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'CPU: @tensorflow/tfjs-node', detail: 'Native TensorFlow on the CPU, all cores: several times faster training than wasm', pkg: 'tfjs-node' },
      {
        label: 'GPU: @tensorflow/tfjs-node-gpu',
        detail: 'NVIDIA GPUs on Linux or Windows; needs CUDA 11.2 and cuDNN 8.1 installed (TensorFlow 2.9 builds); newer CUDA versions are not used',
        pkg: 'tfjs-node-gpu',
      },
    ],
    { title: 'Install Native TensorFlow Backend', matchOnDetail: true },
  );
  if (!picked) return;
  const version = tfjsVersion(lab);
  const prefix = nativeBackendFolder(lab.context);
  fs.mkdirSync(prefix, { recursive: true });
  // A project of its own, allowing tfjs-node's install script (npm 11 runs only the install scripts a project allows).
  fs.writeFileSync(
    path.join(prefix, 'package.json'),
    JSON.stringify({ private: true, description: 'Native TensorFlow.js backend for Voice Emotion Lab', allowScripts: { [`@tensorflow/${picked.pkg}`]: true } }, null, 1),
  );
  const args = ['install', '--no-audit', '--no-fund', '--omit=dev', `@tensorflow/${picked.pkg}@${version}`, `@tensorflow/tfjs@${version}`, `@tensorflow/tfjs-backend-wasm@${version}`];
  lab.log.appendLine(`— npm ${args.join(' ')}`);
  lab.log.show(true);
  const outcome = await lab.jobs.run(`Installing ${picked.pkg}`, (job) =>
    new Promise<{ code: number | null; tail: string }>((resolve, reject) => {
      let tail = '';
      const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: prefix, shell: process.platform === 'win32' });
      const collect = (chunk: Buffer) => {
        const text = chunk.toString();
        tail = (tail + text).slice(-3000);
        lab.log.append(text);
        const line = text.trim().split('\n').pop();
        if (line) job.report(line.slice(0, 100));
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(error.code === 'ENOENT' ? 'npm was not found: install Node.js (which includes npm) from nodejs.org, then try again' : error.message)),
      );
      child.on('close', (code) => resolve({ code, tail }));
      job.signal.addEventListener('abort', () => child.kill());
    }),
  );
  if (!outcome) return;
  const binding = path.join(prefix, 'node_modules', '@tensorflow', picked.pkg, 'lib');
  const built = outcome.code === 0 && fs.existsSync(binding) && fs.readdirSync(binding, { recursive: true }).some((f) => String(f).endsWith('.node'));
  if (outcome.code === 0 && !built) {
    void vscode.window.showErrorMessage(`Voice Emotion: npm installed ${picked.pkg} but its install script did not produce the native TensorFlow library (nothing in ${binding}). The output is in the "Voice Emotion" log.`, 'Show Log').then((c) => c && lab.log.show());
    return;
  }
  if (outcome.code !== 0) {
    const download = /storage\.googleapis|ETIMEDOUT|ENOTFOUND|ECONNREFUSED|404/.test(outcome.tail)
      ? ' Its install script downloads the TensorFlow library from storage.googleapis.com, which this machine could not reach.'
      : '';
    void vscode.window.showErrorMessage(`Voice Emotion: installing ${picked.pkg} failed (npm exit code ${outcome.code}).${download} The output is in the "Voice Emotion" log.`, 'Show Log').then((c) => c && lab.log.show());
    return;
  }
  lab.worker.restart();
  const gpu = picked.pkg === 'tfjs-node-gpu' ? ' Without CUDA 11.2 and cuDNN 8.1 the GPU build cannot start and the next rung of the backend ladder is used; the log says why.' : '';
  void vscode.window.showInformationMessage(`Voice Emotion: ${picked.pkg} is installed in ${path.basename(prefix)}; the next job uses it (setting voiceEmotion.backend: auto).${gpu}`);
}
