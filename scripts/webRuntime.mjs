// The browser runtime of exported models: dist/web/voice-emotion.js (a classic script defining the global
// VoiceEmotion) and dist/web/tf.min.js beside it. The runtime shares the core's audio and classification code, so the
// build keeps Node out of it: TensorFlow.js is the page's global `tf`, source modules are marked free of side effects
// so the file-reading parts they also hold are left out, and the build fails if any Node module is still needed.
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const OUTFILE = 'dist/web/voice-emotion.js';
const NODE_BUILTINS = new RegExp(`^(node:.*|${builtinModules.map((name) => name.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&')).join('|')})$`);

/** Resolves @tensorflow/tfjs to the page's global, source modules as side-effect free, Node modules as (checked) externals. */
const browserRuntimePlugin = {
  name: 'voice-emotion-web-runtime',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: 'tf', namespace: 'page-global' }));
    build.onLoad({ filter: /.*/, namespace: 'page-global' }, () => ({ contents: 'module.exports = globalThis.tf;', loader: 'js' }));
    build.onResolve({ filter: NODE_BUILTINS }, (args) => ({ path: args.path, external: true, sideEffects: false }));
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
      return resolved.errors.length ? { errors: resolved.errors } : { ...resolved, sideEffects: false };
    });
    build.onEnd((result) => {
      const output = result.metafile?.outputs?.[OUTFILE];
      if (!output) return undefined;
      const errors = output.imports.map((needed) => {
        const importers = Object.keys(output.inputs).filter((input) => result.metafile.inputs[input]?.imports.some((i) => i.path === needed.path));
        return { text: `${OUTFILE} would need the Node module "${needed.path}" (imported by ${importers.join(', ') || 'an unknown module'}); the browser runtime must use only code free of Node modules` };
      });
      return { errors };
    });
  },
};

/** The esbuild options of the browser runtime, given the project's browser options. */
export function webRuntimeBundle(browser) {
  return { ...browser, entryPoints: ['src/web/index.ts'], outfile: OUTFILE, format: 'iife', globalName: 'VoiceEmotion', metafile: true, plugins: [browserRuntimePlugin] };
}

/** Copies TensorFlow.js's browser build (tf.min.js, with its licence header) beside the runtime, for exported folders. */
export function copyWebRuntimeAssets(root) {
  fs.mkdirSync(path.join(root, 'dist/web'), { recursive: true });
  fs.copyFileSync(path.join(root, 'node_modules/@tensorflow/tfjs/dist/tf.min.js'), path.join(root, 'dist/web/tf.min.js'));
}
