import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';

/**
 * When "Install Native TensorFlow Backend" has installed tfjs-node (with its own @tensorflow/tfjs and the wasm backend)
 * under an npm prefix, every `@tensorflow/*` import of the worker resolves there, so the native and wasm backends register with
 * the one TensorFlow.js core the worker uses. Must run before anything imports TensorFlow.js.
 */
function preferNativeModules(prefix: string | undefined): void {
  if (!prefix || !fs.existsSync(path.join(prefix, 'node_modules', '@tensorflow', 'tfjs-core'))) return;
  const internals = Module as unknown as { _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string };
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
    if (request.startsWith('@tensorflow/')) {
      try {
        return require.resolve(request, { paths: [prefix] });
      } catch {
        // Not installed there: the extension's own copy.
      }
    }
    return resolve.call(this, request, parent, ...rest);
  };
}

preferNativeModules(process.env.VOICE_EMOTION_NATIVE_MODULES);
