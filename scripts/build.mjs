// Builds every bundle with one esbuild call set: the extension host, the worker, the CLI, the core library,
// the webview panel and the notebook renderer. Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyWebRuntimeAssets, webRuntimeBundle } from './webRuntime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};
// TensorFlow.js stays outside the bundles: it finds its .wasm files and native addons relative to its own package.
const tfjsPackages = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: [...tfjsPackages, 'esbuild-wasm'] };
const browser = { ...common, platform: 'browser', target: 'es2022' };

/**
 * Compiles the SIMD training kernels (AssemblyScript) to dist/simd-kernels.wasm. The module runs on TensorFlow.js's
 * wasm memory, so it must import that memory and carry no data segments or start function (they would write into
 * memory tfjs owns): the build fails if it does.
 */
async function buildWasm() {
  const { default: asc } = await import('assemblyscript/asc');
  const outFile = 'dist/simd-kernels.wasm';
  const { error, stderr } = await asc.main(
    ['wasm/simd-kernels.ts', '-O3', '--enable', 'simd', '--runtime', 'stub', '--importMemory', '--initialMemory', '0',
      '--noAssert', '--use', 'abort=', '--outFile', outFile],
    { stdout: process.stdout, stderr: process.stderr },
  );
  if (error) throw new Error(`AssemblyScript: ${error.message}\n${stderr.toString()}`);
  const module = new WebAssembly.Module(fs.readFileSync(path.join(root, outFile)));
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  if (imports.join() !== 'env.memory') throw new Error(`${outFile} must import only env.memory (imports ${imports.join(', ')})`);
  const bytes = fs.readFileSync(path.join(root, outFile));
  // Section ids 8 (start) and 11 (data) must be absent; walk the sections after the 8-byte header.
  for (let at = 8; at < bytes.length; ) {
    const id = bytes[at++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    if (id === 8 || id === 11) throw new Error(`${outFile} has a ${id === 8 ? 'start function' : 'data segment'}`);
    at += size;
  }
}

/**
 * Copies what panels load besides their bundle into dist/webview: Plotly's strict build (no eval, so the panels' CSP
 * needs no 'unsafe-eval'), loaded as its own script before panel.js.
 */
function copyWebviewAssets() {
  fs.mkdirSync(path.join(root, 'dist/webview'), { recursive: true });
  fs.copyFileSync(path.join(root, 'node_modules/plotly.js-strict-dist-min/plotly-strict.min.js'), path.join(root, 'dist/webview/plotly.min.js'));
}

/** Each bundle: what it is for and how it is built. */
const bundles = [
  // VS Code extension host: keep it small, TensorFlow.js never enters it.
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', ...tfjsPackages, 'esbuild-wasm'] },
  // The child process that owns TensorFlow.js and heavy computation.
  {
    ...node,
    entryPoints: ['src/worker/main.ts'],
    outfile: 'dist/worker.js',
  },
  // Command-line interface (bin/voice-emotion.js loads it).
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    define: { VOICE_EMOTION_VERSION: JSON.stringify(version) },
  },
  // Worker thread of parallel preprocessing (loaded by the core, the CLI and the worker).
  { ...node, entryPoints: ['src/core/cache/thread.ts'], outfile: 'dist/preprocess-thread.js' },
  // The core API as a CommonJS library.
  { ...node, entryPoints: ['src/core/index.ts'], outfile: 'dist/core.js' },
  // Webview panels (browser, classic script).
  { ...browser, entryPoints: ['src/webview/panel/main.ts'], outfile: 'dist/webview/panel.js', format: 'iife' },
  // Notebook renderer (browser, ES module loaded by VS Code's output webview); it bundles Plotly's strict build itself.
  { ...browser, entryPoints: ['src/webview/renderer/index.ts'], outfile: 'dist/webview/renderer.js', format: 'esm' },
  // Browser runtime of exported models (classic script, global VoiceEmotion; TensorFlow.js is the page's global tf).
  webRuntimeBundle(browser),
];

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await buildWasm();
copyWebviewAssets();
copyWebRuntimeAssets(root);
if (watch) {
  const contexts = await Promise.all(bundles.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log(`watching ${bundles.length} bundles…`);
} else {
  const started = Date.now();
  const results = await Promise.all(bundles.map((options) => esbuild.build({ ...options, metafile: true })));
  const sizes = results.map((result, i) => {
    const out = bundles[i].outfile;
    const bytes = result.metafile.outputs[out]?.bytes ?? fs.statSync(path.join(root, out)).size;
    return `${out} ${(bytes / 1024).toFixed(0)} KB`;
  });
  console.log(`built ${bundles.length} bundles in ${Date.now() - started} ms: ${sizes.join(', ')}`);
}
