import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Lab } from '../lab';
import type { WorkerMethods } from '../../shared/workerProtocol';
import { nativeBackendFolder } from '../worker';

/** The Dawn for Node release the WebGPU backend is installed with. */
const WEBGPU_VERSION = '0.6.2';

/** The TensorFlow.js version the extension ships: native backends must match it. */
function tfjsVersion(lab: Lab): string {
  try {
    return (JSON.parse(fs.readFileSync(lab.context.asAbsolutePath('node_modules/@tensorflow/tfjs/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '4.22.0';
  }
}

/**
 * "Voice Emotion: Install Native TensorFlow Backend": `npm install` of tfjs-node, WebGPU (Dawn for Node with
 * tfjs-backend-webgpu) or tfjs-node-gpu (with the matching TensorFlow.js core and wasm backend, so all share one core)
 * into the extension's global storage; the worker loads TensorFlow.js from there from its next start, and one training
 * step on the new backend decides whether it is declared working.
 */
export async function installNativeBackendCommand(lab: Lab): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'CPU: @tensorflow/tfjs-node', detail: 'Native TensorFlow on the CPU, all cores: several times faster training than wasm', pkg: 'tfjs-node', rung: 'node' as const },
      {
        label: 'GPU: WebGPU (Dawn)',
        detail: 'Any GPU with Vulkan (Linux, Windows), Metal (macOS) or Direct3D 12 (Windows): no CUDA needed; about 130 MB, no download at install',
        pkg: 'webgpu',
        rung: 'webgpu' as const,
      },
      {
        label: 'GPU: @tensorflow/tfjs-node-gpu',
        detail: 'NVIDIA GPUs on Linux or Windows; needs CUDA 11.2 and cuDNN 8.1 installed (TensorFlow 2.9 builds); newer CUDA versions are not used',
        pkg: 'tfjs-node-gpu',
        rung: 'node-gpu' as const,
      },
    ],
    { title: 'Install Native TensorFlow Backend', matchOnDetail: true },
  );
  if (!picked) return;
  const version = tfjsVersion(lab);
  const prefix = nativeBackendFolder(lab.context);
  fs.mkdirSync(prefix, { recursive: true });
  // A project of its own, allowing tfjs-node's install script (npm 11 runs only the install scripts a project allows).
  const webgpu = picked.pkg === 'webgpu';
  // WebGPU: Dawn for Node (prebuilt for every platform inside the package) and TensorFlow.js's WebGPU backend.
  const packages = webgpu ? [`webgpu@${WEBGPU_VERSION}`, `@tensorflow/tfjs-backend-webgpu@${version}`] : [`@tensorflow/${picked.pkg}@${version}`];
  fs.writeFileSync(
    path.join(prefix, 'package.json'),
    JSON.stringify({ private: true, description: 'Native TensorFlow.js backends for Voice Emotion Lab', allowScripts: { [webgpu ? 'webgpu' : `@tensorflow/${picked.pkg}`]: true } }, null, 1),
  );
  const args = ['install', '--no-audit', '--no-fund', '--omit=dev', ...packages, `@tensorflow/tfjs@${version}`, `@tensorflow/tfjs-backend-wasm@${version}`];
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
  const binding = webgpu ? path.join(prefix, 'node_modules', 'webgpu', 'dist') : path.join(prefix, 'node_modules', '@tensorflow', picked.pkg, 'lib');
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
  // Declared working only after a training step on it, in a fresh worker that loads the new packages.
  lab.worker.restart();
  let check: WorkerMethods['backendCheck']['result'];
  try {
    check = await lab.worker.request('backendCheck', { choice: picked.rung }, { timeoutMs: 300_000 });
  } catch (error) {
    lab.worker.restart();
    const reason = error instanceof Error ? error.message : String(error);
    lab.log.appendLine(`  ${picked.pkg} is installed, but a training step on it failed: ${reason}`);
    const hint = picked.rung === 'node-gpu' ? ' The GPU build needs CUDA 11.2 and cuDNN 8.1.' : picked.rung === 'webgpu' ? ' WebGPU needs a GPU driver with Vulkan, Metal or Direct3D 12.' : '';
    void vscode.window.showWarningMessage(`Voice Emotion: ${picked.pkg} is installed, but it cannot train on this machine (${reason.slice(0, 240)}); jobs use the next rung of the backend ladder.${hint}`, 'Show Log').then((c) => c && lab.log.show());
    return;
  }
  lab.worker.reportBackend(check.name, check.device);
  lab.log.appendLine(`  training step on ${check.name}${check.device ? ` (${check.device})` : ''}: loss ${check.loss.toFixed(3)} in ${check.seconds.toFixed(1)} s`);
  void vscode.window.showInformationMessage(
    `Voice Emotion: ${picked.pkg} is installed and trains${check.device ? ` on ${check.device}` : ''}; the next job uses it (setting voiceEmotion.backend: auto).`,
  );
}
