import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';
import { withWorker } from '../worker';

const OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string', value: 'DIR', description: 'folder to create (required); it must be new or empty' },
  force: { type: 'flag', description: 'replace DIR when it holds an earlier export and nothing else' },
  json: { type: 'flag', description: 'print {outDir, files} as JSON' },
};

export const EXPORT_USAGE = `usage: voice-emotion export MODEL_DIR --out DIR [--force] [--json]

Exports a trained model as a folder that runs in a web page with TensorFlow.js: the model files, emotion.json, the
runtime (voice-emotion.js), tf.min.js, index.html (pick or drop a WAV file) and a README. Serve the folder over HTTP,
e.g. "npx http-server DIR" or "python3 -m http.server" inside it, and open index.html.

${formatOptions(OPTIONS)}`;

/** `voice-emotion export`. */
export async function runExport(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('export needs exactly one MODEL_DIR');
  if (typeof options.out !== 'string' || options.out === '') throw new UsageError('export needs --out DIR, the folder to write');
  const modelDir = path.resolve(positionals[0]);
  const outDir = path.resolve(options.out);
  const result = await withWorker((worker) => worker.request('exportModel', { modelDir, outDir, force: options.force === true }));
  if (options.json) {
    io.stdout(JSON.stringify(result) + '\n');
    return 0;
  }
  io.stdout(`exported ${positionals[0]} to ${result.outDir}: ${result.files.join(', ')}\n`);
  io.stdout(`serve it over HTTP to open index.html, e.g. npx http-server "${result.outDir}"\n`);
  return 0;
}
