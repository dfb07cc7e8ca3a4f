import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * The WebGPU rung: TensorFlow.js's WebGPU backend on Dawn for Node (the `webgpu` package: Vulkan, Metal or D3D12).
 * Both packages are optional: installed by "Install Native TensorFlow Backend" into the extension's storage (the
 * folder in VOICE_EMOTION_NATIVE_MODULES), or present in node_modules.
 */

/** What a probe found: the adapter that would be used, or why there is none. */
export type WebGpuProbe = { readonly device: string } | { readonly problem: string };

/** A package's entry file: from the installed backends folder first, then our own modules; undefined when absent. */
export function resolveOptionalModule(name: string): string | undefined {
  const prefix = process.env.VOICE_EMOTION_NATIVE_MODULES;
  for (const paths of prefix ? [[prefix], undefined] : [undefined]) {
    try {
      return require.resolve(name, paths ? { paths } : undefined);
    } catch {
      // not there
    }
  }
  return undefined;
}

/** `import()` that survives bundling to CommonJS (the `webgpu` package is an ES module). */
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

/** The probe's answer, once per process (packages are installed into a folder a new worker process reads). */
let probed: WebGpuProbe | undefined;

/**
 * Asks Dawn for an adapter in a separate process: its reasons for refusing one (a driver without a required feature)
 * go to that process's stderr, and a driver that crashes takes only the probe down. Asked once per process.
 */
export function probeWebGpu(): WebGpuProbe {
  probed ??= probeInChildProcess();
  return probed;
}

function probeInChildProcess(): WebGpuProbe {
  const entry = resolveOptionalModule('webgpu');
  if (!entry) return { problem: 'the webgpu package is not installed (Install Native TensorFlow Backend → WebGPU)' };
  if (!resolveOptionalModule('@tensorflow/tfjs-backend-webgpu')) return { problem: '@tensorflow/tfjs-backend-webgpu is not installed' };
  const script = `
    const { create, globals } = await import(${JSON.stringify(pathToFileURL(entry).href)});
    Object.assign(globalThis, globals);
    const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
    const info = adapter?.info ?? {};
    process.stdout.write(JSON.stringify(adapter ? { device: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter' } : {}));
    process.exit(0);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  const said = (result.stderr ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/XDG_RUNTIME_DIR/.test(line) && !line.startsWith('at ') && !line.startsWith('- '));
  const why = said.find((line) => /^(warning|error)/i.test(line)) ?? said[0];
  if (result.error || result.status !== 0) {
    return { problem: `Dawn could not start (${result.error ? result.error.message : `exit ${result.status ?? result.signal}`}${why ? `: ${why}` : ''})` };
  }
  try {
    const found = JSON.parse(result.stdout) as { device?: string };
    if (found.device) return { device: found.device };
  } catch {
    return { problem: `the WebGPU probe answered unexpectedly (${result.stdout.slice(0, 80)})` };
  }
  return { problem: `no usable WebGPU adapter${why ? ` (${why.replace(/^warning:\s*/i, '').replace(/\.$/, '')})` : ''}` };
}

/** Starts TensorFlow.js's WebGPU backend; resolves with the adapter's name, or with the reason it cannot run here. */
export async function startWebGpu(): Promise<WebGpuProbe> {
  const probe = probeWebGpu();
  if ('problem' in probe) return probe;
  try {
    const { create, globals } = (await importModule(pathToFileURL(resolveOptionalModule('webgpu')!).href)) as {
      create(flags: string[]): unknown;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, globals);
    const gpu = create([]);
    // The backend looks for navigator.gpu when it is loaded (Node 21 and later have a navigator without gpu).
    const host = globalThis as { navigator?: object };
    if (host.navigator) Object.defineProperty(host.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    // CommonJS, resolved at run time from the installed backends folder: it must share our TensorFlow.js core.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(resolveOptionalModule('@tensorflow/tfjs-backend-webgpu')!);
  } catch (error) {
    return { problem: `the WebGPU packages failed to load: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` };
  }
  if (!tf.findBackend('webgpu')) return { problem: '@tensorflow/tfjs-backend-webgpu loaded, but registered its backend with a different TensorFlow.js copy' };
  if (!(await tf.setBackend('webgpu'))) return { problem: `the webgpu backend did not initialise on ${probe.device}` };
  return probe;
}
